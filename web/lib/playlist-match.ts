/**
 * Finding the library's tracks for the entries of a playlist file (issue 9). An entry's path says
 * most: the track's own URL, a relay media URL (its hash), or the name of the file it was added
 * from (venue SPEC VM30); then its title and artist, compared folded as search compares them
 * ("Beyonce" finds "Beyoncé"). What matches nothing is reported with its line, never guessed.
 */
import type { LibraryTrack } from '@djamms/venue';
import { baseName, type PlaylistLine } from './playlist-files';
import { foldText } from './track-search';

/** What matching found: the tracks in the file's order, and the entries that matched nothing. */
export interface PlaylistMatch {
  tracks: string[];
  missed: PlaylistLine[];
}

/** A relay media URL: `…/media/<sha256>`. */
const RELAY_MEDIA = /\/media\/([0-9a-f]{64})(?:[?#].*)?$/;
const WEB_URL = /^https?:\/\//i;
const AUDIO_EXTENSION = /\.[a-z0-9]{1,5}$/i;

/** A path compared without case, with `/` between its parts and no `./` in front. */
const normalPath = (path: string) =>
  path
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .toLowerCase();

function push<K>(map: Map<K, LibraryTrack[]>, key: K, track: LibraryTrack) {
  const list = map.get(key);
  if (list) list.push(track);
  else map.set(key, [track]);
}

/** The library indexed the ways an entry may name a track. */
class Shelf {
  readonly byUrl = new Map<string, LibraryTrack>();
  readonly byHash = new Map<string, LibraryTrack>();
  readonly byFile = new Map<string, LibraryTrack[]>();
  readonly byName = new Map<string, LibraryTrack[]>();

  constructor(library: readonly LibraryTrack[]) {
    // By id, so that of two tracks for one file the same one is found on every device (VM29).
    const sorted = [...library].sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const t of sorted) {
      if ('url' in t.media && !this.byUrl.has(t.media.url)) this.byUrl.set(t.media.url, t);
      if ('sha256' in t.media && !this.byHash.has(t.media.sha256))
        this.byHash.set(t.media.sha256, t);
      if (t.file) push(this.byFile, baseName(t.file).toLowerCase(), t);
      push(this.byName, foldText(t.title), t);
    }
  }

  /** The track a path names, if any: by URL, by hash, then by the file's name. */
  byPath(path: string, line: PlaylistLine): LibraryTrack | null {
    const trimmed = path.trim();
    if (WEB_URL.test(trimmed)) {
      const exact = this.byUrl.get(trimmed);
      if (exact) return exact;
      const hash = RELAY_MEDIA.exec(trimmed)?.[1];
      if (hash && this.byHash.has(hash)) return this.byHash.get(hash)!;
    }
    const name = baseName(trimmed);
    let found = this.byFile.get(safeDecode(name).toLowerCase()) ?? [];
    if (found.length > 1) {
      // The same file name in several folders: the longest stored path the entry ends with, then
      // the title and artist the entry gives.
      const full = normalPath(safeDecode(trimmed));
      const within = found.filter((t) => full.endsWith(normalPath(t.file!)));
      if (within.length) found = within;
      const named = found.filter((t) => sameTrack(t, line.title, line.artist));
      if (named.length) found = named;
    }
    return found[0] ?? null;
  }

  /** The track a title and artist name (a title alone only when one track has it). */
  byTitle(title: string, artist: string | undefined): LibraryTrack | null {
    const found = this.byName.get(foldText(title)) ?? [];
    if (artist !== undefined) return found.find((t) => sameTrack(t, title, artist)) ?? null;
    return found.length === 1 ? found[0]! : null;
  }
}

function sameTrack(t: LibraryTrack, title: string | undefined, artist: string | undefined) {
  return (
    title !== undefined &&
    foldText(t.title) === foldText(title) &&
    (artist === undefined || foldText(t.artist) === foldText(artist))
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * What a file's name says when the entry says nothing else: `Artist - Title.mp3`, or
 * `01 Title.mp3` (a leading track number is not part of the title).
 */
function guessFromName(path: string): { title: string; artist?: string }[] {
  const stem = safeDecode(baseName(path)).replace(AUDIO_EXTENSION, '').trim();
  if (!stem) return [];
  const guesses: { title: string; artist?: string }[] = [];
  const dash = stem.indexOf(' - ');
  if (dash > 0) guesses.push({ artist: stem.slice(0, dash), title: stem.slice(dash + 3) });
  const numbered = /^\d{1,3}[\s.\-_]+(.+)$/.exec(stem)?.[1];
  if (numbered) guesses.push({ title: numbered });
  guesses.push({ title: stem });
  return guesses;
}

/** Finds the library's track for one entry, or null. */
function matchLine(shelf: Shelf, line: PlaylistLine): LibraryTrack | null {
  for (const path of line.paths) {
    const found = shelf.byPath(path, line);
    if (found) return found;
  }
  if (line.title) {
    const found = shelf.byTitle(line.title, line.artist);
    if (found) return found;
  }
  if (line.paths[0]) {
    for (const guess of guessFromName(line.paths[0])) {
      const found = shelf.byTitle(guess.title, guess.artist);
      if (found) return found;
    }
  }
  return null;
}

/** Matches every entry of a playlist file against the library. */
export function matchPlaylist(
  lines: readonly PlaylistLine[],
  library: readonly LibraryTrack[],
): PlaylistMatch {
  const shelf = new Shelf(library);
  const tracks: string[] = [];
  const missed: PlaylistLine[] = [];
  for (const line of lines) {
    const found = matchLine(shelf, line);
    if (found) tracks.push(found.id);
    else missed.push(line);
  }
  return { tracks, missed };
}
