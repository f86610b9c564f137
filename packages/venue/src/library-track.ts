/**
 * A library track as stored and as read (VM21, VM28): the value under its id in the library's
 * `tracks` map, validated on read like every fact (VM16). Optional tags read from the file (track
 * number, ISRC, artwork, the file it came from) came later: a track without them is whole, and a
 * malformed one hides only itself, so a bad tag never takes a playable track out of the library.
 */
import { MEDIA_IMAGE_TYPES } from '@djamms/protocol';
import { isId } from './validate';

/** Where a file is: a sha256 in the relay's media store, or a CORS-readable URL. */
export type MediaRef = { sha256: string; type: string } | { url: string; type: string };

/** A track as the library knows it. */
export interface LibraryTrack {
  id: string;
  title: string;
  artist: string;
  album: string;
  durationMs: number;
  /** The audio or video file. */
  media: MediaRef;
  explicit: boolean;
  /** The track's number on its album (1–9999); missing when unknown (VM28). */
  trackNumber?: number;
  /** Its International Standard Recording Code (`CCXXXYYNNNNN`), for licensing reports (VM28). */
  isrc?: string;
  /** Its cover art, a raster image (JPEG, PNG, GIF, WebP or AVIF); missing when it has none (VM28). */
  artwork?: MediaRef;
  /**
   * The name of the file it was added from, as the device that added it saw it (`Song.mp3`, or
   * `Album/01 Song.mp3` from a folder), so a playlist file that names it finds it (VM30).
   */
  file?: string;
  /** When it joined the library (ms since the epoch, the adding device's clock), for "Recently added" (VM38). */
  added?: number;
}

/** The tags a track may carry beyond the ones every track has (VM28). */
export const TRACK_TAGS = ['trackNumber', 'isrc', 'artwork', 'file', 'added'] as const;
type Tag = (typeof TRACK_TAGS)[number];

/** What an edit may change on a track (VM28): everything but its id and its media. */
export type TrackChanges = Partial<Omit<LibraryTrack, 'id' | 'media'>>;

const SHA256 = /^[0-9a-f]{64}$/;
/** A file name or relative path: 1–500 characters, no control characters (VM30). */
const FILE_NAME = /^[^\p{Cc}]{1,500}$/u;
/** An ISRC without its optional hyphens: country, registrant, year, designation (ISO 3901). */
const ISRC = /^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$/;

const text = (v: unknown, max = 200): v is string => typeof v === 'string' && v.length <= max;

/** The media reference in `v`, or null when it is not one. */
export function readMediaRef(v: unknown): MediaRef | null {
  if (typeof v !== 'object' || v === null) return null;
  const m = v as Record<string, unknown>;
  if (!text(m.type, 100)) return null;
  if (typeof m.sha256 === 'string' && SHA256.test(m.sha256))
    return { sha256: m.sha256, type: m.type };
  if (typeof m.url === 'string' && /^https?:\/\//.test(m.url) && m.url.length < 2000) {
    return { url: m.url, type: m.type };
  }
  return null;
}

/** What identifies a file: its hash, or its URL (VM29). */
export function mediaKey(media: MediaRef): string {
  return 'sha256' in media ? media.sha256 : `url:${media.url}`;
}

const TAG_READERS: { [K in Tag]: (v: unknown) => LibraryTrack[K] | null } = {
  trackNumber: (v) =>
    Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 9999 ? (v as number) : null,
  isrc: (v) => (typeof v === 'string' && ISRC.test(v) ? v : null),
  artwork: (v) => {
    const ref = readMediaRef(v);
    return ref && (MEDIA_IMAGE_TYPES as readonly string[]).includes(ref.type) ? ref : null;
  },
  file: (v) => (typeof v === 'string' && FILE_NAME.test(v) ? v : null),
  added: (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : null),
};

/**
 * An ISRC as the library stores it (upper case, no hyphens or spaces), or null when `raw` is not
 * one. Tags write it either way (`GB-AAA-25-00001`).
 */
export function normalIsrc(raw: string): string | null {
  const isrc = raw.replace(/[\s-]/g, '').toUpperCase();
  return ISRC.test(isrc) ? isrc : null;
}

/**
 * Reads the stored value of track `id`. Answers null when the track itself is malformed (it is
 * skipped, VM21); a malformed tag is left out and named in `badTags` (VM28).
 */
export function readTrack(id: string, v: unknown, badTags: string[] = []): LibraryTrack | null {
  if (typeof v !== 'object' || v === null || !isId(id)) return null;
  const t = v as Record<string, unknown>;
  const media = readMediaRef(t.media);
  if (!text(t.title) || !t.title || !text(t.artist) || !text(t.album) || !media) return null;
  if (typeof t.durationMs !== 'number' || !(t.durationMs >= 0) || typeof t.explicit !== 'boolean') {
    return null;
  }
  const track: LibraryTrack = {
    id,
    title: t.title,
    artist: t.artist,
    album: t.album,
    durationMs: t.durationMs,
    media,
    explicit: t.explicit,
  };
  for (const tag of TRACK_TAGS) {
    if (t[tag] === undefined) continue;
    const value = TAG_READERS[tag](t[tag]);
    if (value === null) badTags.push(tag);
    else (track as unknown as Record<Tag, unknown>)[tag] = value;
  }
  return track;
}
