/**
 * Playlist files in and out (issue 9): M3U and M3U8 (extended `#EXTINF:secs,Artist - Title` or
 * plain lines, Windows and Unix paths, `file://` and web URLs, CRLF, a byte-order mark) and DJAMMS
 * JSON. Pure: bytes in, entries or one clear refusal out, and never a throw, so a damaged file
 * never makes half a playlist. Finding the library's tracks for the entries is `playlist-match.ts`.
 */
import { LIMITS, type LibraryTrack } from '@djamms/venue';

/** One entry of a playlist file: where it pointed and what it said about the track. */
export interface PlaylistLine {
  /** Its line in the file (M3U), or its place in the list (JSON), from 1. */
  line: number;
  /** What the entry said, as a report shows it (`Artist - Title · C:\Music\song.mp3`). */
  said: string;
  /** Paths or URLs of the file, best first (none when the entry only names the track). */
  paths: string[];
  title?: string;
  artist?: string;
}

/** A playlist file read: its name, if it says one, and its entries in order. */
export interface PlaylistFile {
  name: string | null;
  lines: PlaylistLine[];
}

/** Why a file cannot be read as a playlist. */
export type PlaylistFileError =
  | 'too-large'
  | 'not-text'
  | 'media'
  | 'utf-16'
  | 'not-utf8'
  | 'empty'
  | 'too-many'
  | 'line-too-long'
  | 'bad-extinf'
  | 'bad-json'
  | 'not-djamms'
  | 'newer-version'
  | 'bad-entry';

/** A file read, or why not (with the line or the entry at fault when there is one). */
export type PlaylistFileResult =
  { ok: true; value: PlaylistFile } | { ok: false; error: PlaylistFileError; line?: number };

/** The largest playlist file read (a 20,000-line M3U with long paths is under 2 MB). */
export const MAX_PLAYLIST_BYTES = 5 * 1024 * 1024;
/** The longest line: no path any system takes is longer. */
const MAX_LINE = 4096;
/** The JSON format's name and the version this app writes and reads. */
const JSON_KIND = 'djamms-playlist';
const JSON_VERSION = 1;

const refuse = (error: PlaylistFileError, line?: number): PlaylistFileResult =>
  line === undefined ? { ok: false, error } : { ok: false, error, line };

/**
 * Reads a playlist file. JSON when its text starts with `{` or `[`, M3U otherwise. An `.m3u` that
 * is not UTF-8 is read as Windows-1252, as the players that wrote it did; `.m3u8` and `.json`
 * must be UTF-8.
 */
export function parsePlaylistFile(fileName: string, bytes: Uint8Array): PlaylistFileResult {
  if (bytes.length > MAX_PLAYLIST_BYTES) return refuse('too-large');
  const binary = binaryKind(bytes);
  if (binary) return refuse(binary);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    if (/\.m3u8$/i.test(fileName) || /\.json$/i.test(fileName)) return refuse('not-utf8');
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  text = text.replace(/^\uFEFF/, '');
  if (!text.trim()) return refuse('empty');
  const read = /^\s*[{[]/.test(text) ? parseJson(text) : parseM3u(text);
  if (read.ok && !read.value.name) read.value.name = nameOfFile(fileName);
  return read;
}

/**
 * Signatures of the audio and video files people pick by mistake (or rename): an MP3 with tags or
 * without, Ogg, FLAC, WAV, MP4/M4A, Matroska/WebM. Each is bytes at an offset.
 */
const MEDIA_SIGNATURES: [offset: number, bytes: number[]][] = [
  [0, [0x49, 0x44, 0x33]], // ID3
  [0, [0x4f, 0x67, 0x67, 0x53]], // OggS
  [0, [0x66, 0x4c, 0x61, 0x43]], // fLaC
  [8, [0x57, 0x41, 0x56, 0x45]], // RIFF….WAVE
  [4, [0x66, 0x74, 0x79, 0x70]], // ….ftyp
  [0, [0x1a, 0x45, 0xdf, 0xa3]], // EBML
];

/**
 * Why bytes cannot be a text playlist, told apart so the refusal helps: an audio or video file
 * (`media`), UTF-16 text (a byte order mark, or every other byte zero: Windows Notepad's "Unicode"),
 * anything else with zero bytes (`not-text`). Null when they may be text.
 */
function binaryKind(bytes: Uint8Array): PlaylistFileError | null {
  const at = (offset: number, sig: number[]) => sig.every((b, i) => bytes[offset + i] === b);
  if (MEDIA_SIGNATURES.some(([offset, sig]) => at(offset, sig))) return 'media';
  // An MPEG audio frame header: eleven bits set (an MP3 without tags).
  if (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0 && bytes[1] !== 0xfe) return 'media';
  if (at(0, [0xff, 0xfe]) || at(0, [0xfe, 0xff])) return 'utf-16';
  if (!bytes.includes(0)) return null;
  const head = bytes.subarray(0, 512 - (Math.min(bytes.length, 512) % 2));
  let even = 0;
  let odd = 0;
  for (let i = 0; i < head.length; i++) {
    if (head[i] !== 0) continue;
    if (i % 2) odd++;
    else even++;
  }
  const pairs = head.length / 2;
  return pairs && Math.max(even, odd) >= pairs * 0.9 && Math.min(even, odd) === 0
    ? 'utf-16'
    : 'not-text';
}

/** The file's name without its folder and extension, as a playlist name (null if none is left). */
function nameOfFile(fileName: string): string | null {
  const name = baseName(fileName)
    .replace(/\.[^.]*$/, '')
    .trim();
  return name || null;
}

/** Control characters other than tab: a text playlist has none. */
const CONTROL = /[^\P{Cc}\t]/u;

function parseM3u(text: string): PlaylistFileResult {
  const rows = text.split(/\r\n|\r|\n/);
  const lines: PlaylistLine[] = [];
  let name: string | null = null;
  let info: { title?: string; artist?: string; shown: string } | null = null;
  for (const [i, raw] of rows.entries()) {
    const n = i + 1;
    if (raw.length > MAX_LINE) return refuse('line-too-long', n);
    if (CONTROL.test(raw)) return refuse('not-text', n);
    const row = raw.trim();
    if (!row) continue;
    if (/^#EXTINF/i.test(row)) {
      const read = readExtinf(row);
      if (!read) return refuse('bad-extinf', n);
      info = read;
    } else if (/^#PLAYLIST:/i.test(row)) name = row.slice(10).trim() || name;
    else if (!row.startsWith('#')) {
      if (lines.length >= LIMITS.programme) return refuse('too-many');
      const path = readPath(row);
      const said = info?.shown ? `${info.shown} · ${row}` : row;
      lines.push({
        line: n,
        said,
        paths: [path],
        ...(info?.title ? { title: info.title } : {}),
        ...(info?.artist ? { artist: info.artist } : {}),
      });
      info = null;
    }
  }
  if (!lines.length) return refuse('empty');
  return { ok: true, value: { name, lines } };
}

/**
 * `#EXTINF:<seconds>[ key="value"…],<Artist - Title>`: the length (`-1` when unknown), optional
 * attributes (IPTV lists write them, quoted values may hold commas), then the display text.
 */
function readExtinf(row: string): { title?: string; artist?: string; shown: string } | null {
  const head = /^#EXTINF:\s*(-?\d+(?:\.\d+)?)/i.exec(row);
  if (!head) return null;
  let quoted = false;
  let comma = -1;
  for (let i = head[0].length; i < row.length; i++) {
    if (row[i] === '"') quoted = !quoted;
    else if (row[i] === ',' && !quoted) {
      comma = i;
      break;
    }
  }
  if (comma < 0) return null;
  const shown = row.slice(comma + 1).trim();
  const dash = shown.indexOf(' - ');
  if (dash < 0) return shown ? { title: shown, shown } : { shown };
  const artist = shown.slice(0, dash).trim();
  const title = shown.slice(dash + 3).trim();
  return { ...(title ? { title } : {}), ...(artist ? { artist } : {}), shown };
}

/** A path as written, with a `file://` URL turned back into the path it names. */
function readPath(row: string): string {
  if (!/^file:\/\//i.test(row)) return row;
  const path = row.replace(/^file:\/\/(localhost)?/i, '');
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The last part of a path or URL (`C:\Music\a.mp3`, `/x/a.mp3`, `https://h/a.mp3?x` → `a.mp3`). */
export function baseName(path: string): string {
  const bare = /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? path.replace(/[?#].*$/, '') : path;
  return bare.split(/[\\/]/).at(-1) ?? '';
}

const isText = (v: unknown, max = 2000): v is string =>
  typeof v === 'string' && v.length <= max && !CONTROL.test(v);

function parseJson(text: string): PlaylistFileResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return refuse('bad-json');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return refuse('not-djamms');
  const doc = data as Record<string, unknown>;
  if (doc.kind !== JSON_KIND || !Array.isArray(doc.tracks)) return refuse('not-djamms');
  if (typeof doc.version !== 'number' || doc.version < 1) return refuse('not-djamms');
  if (doc.version > JSON_VERSION) return refuse('newer-version');
  if (doc.name !== undefined && !isText(doc.name, 200)) return refuse('not-djamms');
  if (!doc.tracks.length) return refuse('empty');
  if (doc.tracks.length > LIMITS.programme) return refuse('too-many');
  const lines: PlaylistLine[] = [];
  for (const [i, entry] of (doc.tracks as unknown[]).entries()) {
    const line = readJsonEntry(entry, i + 1);
    if (!line) return refuse('bad-entry', i + 1);
    lines.push(line);
  }
  return { ok: true, value: { name: (doc.name as string | undefined)?.trim() || null, lines } };
}

/** One track of a JSON playlist: a media URL or file name, or a title, or both. */
function readJsonEntry(entry: unknown, line: number): PlaylistLine | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const e = entry as Record<string, unknown>;
  for (const field of ['title', 'artist', 'album', 'media', 'file'] as const) {
    if (e[field] !== undefined && !isText(e[field])) return null;
  }
  const paths = [e.media, e.file].filter((p): p is string => typeof p === 'string' && !!p.trim());
  const title = (e.title as string | undefined)?.trim();
  const artist = (e.artist as string | undefined)?.trim();
  if (!paths.length && !title) return null;
  const shown = artist && title ? `${artist} - ${title}` : (title ?? '');
  return {
    line,
    said: [shown, paths[0]].filter(Boolean).join(' · '),
    paths,
    ...(title ? { title } : {}),
    ...(artist ? { artist } : {}),
  };
}

/** Where an exported entry points: the track's media URL (`mediaUrl` of `web/lib/relay-api`). */
export type LocateTrack = (track: LibraryTrack) => string;

/** One line of text as M3U writes it: no line breaks inside. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');

/**
 * A playlist as M3U8 (UTF-8, extended): its name, then for each track its length in seconds and
 * `Artist - Title`, and the URL of its file, which any player can open and a re-import matches.
 */
export function formatM3u8(name: string, tracks: readonly LibraryTrack[], locate: LocateTrack) {
  const out = ['#EXTM3U', `#PLAYLIST:${oneLine(name)}`];
  for (const t of tracks) {
    const seconds = t.durationMs > 0 ? Math.round(t.durationMs / 1000) : -1;
    const shown = t.artist ? `${t.artist} - ${t.title}` : t.title;
    out.push(`#EXTINF:${seconds},${oneLine(shown)}`, oneLine(locate(t)));
  }
  return out.join('\n') + '\n';
}

/** A playlist as DJAMMS JSON: each track's title, artist, album, length, media URL and file name. */
export function formatPlaylistJson(
  name: string,
  tracks: readonly LibraryTrack[],
  locate: LocateTrack,
) {
  const entries = tracks.map((t) => ({
    title: t.title,
    artist: t.artist,
    album: t.album,
    durationMs: t.durationMs,
    media: locate(t),
    ...(t.file ? { file: t.file } : {}),
  }));
  const doc = { kind: JSON_KIND, version: JSON_VERSION, name, tracks: entries };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** A file name for a playlist's export: its name without characters file systems refuse. */
export function exportFileName(name: string, extension: 'm3u8' | 'json'): string {
  const safe =
    name
      .replace(/[\\/:*?"<>|\p{Cc}]+/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim() || 'playlist';
  return `${safe.slice(0, 100)}.${extension}`;
}
