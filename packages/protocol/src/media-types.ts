/**
 * Raster image types a relay stores. Other image types are refused: an SVG is a document that can
 * run script on the relay's origin.
 */
export const MEDIA_IMAGE_TYPES = [
  'image/avif',
  'image/gif',
  'image/jpeg',
  'image/png',
  'image/webp',
] as const;

/** The media types a relay accepts for upload, in words for refusals and docs (RP19). */
export const ACCEPTED_MEDIA_TYPES = `audio/*, video/*, ${MEDIA_IMAGE_TYPES.join(', ')}`;

/**
 * True for a media type a relay accepts for upload (RP19): any `audio/` or `video/` type (no
 * browser runs those as a page) or one of {@link MEDIA_IMAGE_TYPES}. `type` is the bare type,
 * lower case, without parameters.
 */
export function isAcceptedMediaType(type: string): boolean {
  return (
    /^(audio|video)\/[a-z0-9][\w.+-]*$/.test(type) ||
    (MEDIA_IMAGE_TYPES as readonly string[]).includes(type)
  );
}
