/** Length of the random part of a venue or library id. */
export const ID_RANDOM_LENGTH = 20;

const VENUE_ID = /^v[A-Za-z0-9_-]{20}$/;
const LIBRARY_ID = /^l[A-Za-z0-9_-]{20}$/;

/** True for a well-formed venue id (`v` + 20 base64url characters). */
export function isVenueId(value: unknown): value is string {
  return typeof value === 'string' && VENUE_ID.test(value);
}

/** True for a well-formed library id (`l` + 20 base64url characters). */
export function isLibraryId(value: unknown): value is string {
  return typeof value === 'string' && LIBRARY_ID.test(value);
}

/** True for a name the relay accepts as a room: a venue id or a library id. */
export function isRoomName(value: unknown): value is string {
  return isVenueId(value) || isLibraryId(value);
}

/** True for a lowercase hex sha256 digest (a media id). */
export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}
