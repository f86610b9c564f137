/**
 * What a music or video file says about itself, read on this device before it is uploaded: title,
 * artist, album, duration, track number, ISRC and cover art from its tags (`music-metadata`), and
 * its sha256 so a file the library already holds is recognised without sending it (venue SPEC
 * VM28, VM29). `music-metadata` (`tag-reader.ts`) is imported here on first use only, so it stays
 * out of every screen's bundle, and of the service worker's precache, until an admin adds music.
 */
import { MEDIA_IMAGE_TYPES } from '@djamms/protocol';
import { LIMITS, normalIsrc, type LibraryTrack } from '@djamms/venue';

/** Cover art as a file carries it. */
export interface Cover {
  readonly data: Uint8Array;
  /** One of the raster types the relay stores (RP19). */
  readonly type: string;
}

/** A track's fields as read from a file, ready for the library once its media is stored. */
export type TrackFromFile = Omit<LibraryTrack, 'id' | 'media' | 'artwork' | 'explicit'>;

/** The tags of a file and its cover, if it has one. */
export interface FileTags {
  readonly track: TrackFromFile;
  readonly cover: Cover | null;
}

/** A file that is not music or video a tag reader can make sense of: damaged, or something else. */
export class UnreadableFile extends Error {}

/**
 * The tag reader could not be loaded: it is fetched on first use, not precached, so a device that
 * never added music before cannot read tags offline. The file waits for the network.
 */
export class TagReaderMissing extends Error {}

/** Covers larger than this are left out: no TV needs an 8 MB scan of a sleeve. */
const COVER_MAX_BYTES = 4 * 1024 * 1024;

const clip = (s: string | undefined) => (s ?? '').trim().slice(0, LIMITS.text);

/** The file's name without its extension, as a title for a file with no title tag. */
export function titleFromName(name: string): string {
  return clip(name.replace(/\.[^.]+$/, '')) || clip(name) || '?';
}

/** A picture's type as the relay names it (tags write `jpg`, `image/jpg`, `PNG`…), or null. */
function coverType(format: string): string | null {
  const type = format.toLowerCase().replace(/^(image\/)?(jpg)$/, 'image/jpeg');
  const full = type.includes('/') ? type : `image/${type}`;
  return (MEDIA_IMAGE_TYPES as readonly string[]).includes(full) ? full : null;
}

/**
 * Reads a file's tags. Throws {@link UnreadableFile} when the file is damaged or holds no audio or
 * video a tag reader knows. The duration is the tags' estimate (0 when unknown): what this browser
 * can decode is for the caller to ask it.
 */
export async function readFileTags(file: Blob & { readonly name: string }): Promise<FileTags> {
  const { parseBlob } = await import('./tag-reader').catch((error: unknown) => {
    throw new TagReaderMissing(String(error));
  });
  let meta: Awaited<ReturnType<typeof parseBlob>>;
  try {
    meta = await parseBlob(file, { skipPostHeaders: true });
  } catch (error) {
    throw new UnreadableFile(error instanceof Error ? error.message : String(error));
  }
  const { common, format } = meta;
  if (!format.container && !format.duration) throw new UnreadableFile('no audio or video found');
  const number = common.track.no;
  const isrc = common.isrc?.map(normalIsrc).find((i) => i !== null);
  const pictures = common.picture ?? [];
  const picture = pictures.find((p) => /front/i.test(p.type ?? '')) ?? pictures[0];
  const type = picture ? coverType(picture.format) : null;
  return {
    track: {
      title: clip(common.title) || titleFromName(file.name),
      artist: clip(common.artist ?? common.artists?.join(', ')),
      album: clip(common.album),
      durationMs: Math.round((format.duration ?? 0) * 1000),
      ...(number && number >= 1 && number <= 9999 ? { trackNumber: number } : {}),
      ...(isrc ? { isrc } : {}),
    },
    cover:
      picture && type && picture.data.length <= COVER_MAX_BYTES
        ? { data: picture.data, type }
        : null,
  };
}

/** Files up to this size are hashed here before uploading; larger ones are hashed by the relay. */
export const LOCAL_HASH_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The file's sha256 in hex, as the relay names stored media (RP19), or null where this browser
 * cannot hash (no `crypto.subtle` outside a secure context) or the file is too large to read at
 * once.
 */
export async function sha256Of(file: Blob): Promise<string | null> {
  if (!globalThis.crypto?.subtle || file.size > LOCAL_HASH_MAX_BYTES) return null;
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
