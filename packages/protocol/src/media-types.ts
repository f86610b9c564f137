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

const BY_EXTENSION: Record<string, string> = {
  aac: 'audio/aac',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  oga: 'audio/ogg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  weba: 'audio/webm',
  m4v: 'video/mp4',
  mkv: 'video/x-matroska',
  mov: 'video/quicktime',
  mp4: 'video/mp4',
  webm: 'video/webm',
  avif: 'image/avif',
  gif: 'image/gif',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

/**
 * The media type to upload a file as: the browser's, or (when it does not know one, as for FLAC
 * or Matroska on some systems) the one its name's extension says; null when neither is accepted.
 */
export function uploadTypeOf(file: {
  readonly name?: string;
  readonly type: string;
}): string | null {
  const extension = /\.([a-z0-9]+)$/i.exec(file.name ?? '')?.[1]?.toLowerCase() ?? '';
  const type = file.type.split(';')[0]!.trim().toLowerCase() || BY_EXTENSION[extension] || '';
  return isAcceptedMediaType(type) ? type : null;
}
