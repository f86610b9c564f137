/**
 * Search as you type over a library (title, artist, album), the one search of the kiosk, the guest
 * page and the admin: every word of the query must appear somewhere in a track's text, whatever
 * the case, accents and punctuation ("beyonce" finds "Beyoncé", "mr brightside" "Mr. Brightside").
 *
 * Built for 20,000 tracks on a phone (issue 9: under 50 ms a keystroke, painting included): each
 * track's text is folded once (kept while its title, artist and album stay the same), the index is
 * prepared while the device is idle rather than on the first keystroke, a search stops once it has
 * the rows a screen shows (the first letters typed match most of a library), and a query that
 * extends one whose matches are all known only looks at those.
 */
import type { LibraryTrack } from '@djamms/venue';

/** Letters that Unicode does not decompose into a base letter and an accent. */
const LETTERS: Record<string, string> = {
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  ı: 'i',
};
const SPECIAL_LETTERS = /[øłđðþæœßı]/g;
const NOT_ASCII = /[^\0-\x7f]/;
const ASCII_PUNCTUATION = /[^a-z0-9\s]+/g;
const MARKS_AND_PUNCTUATION = /[^\p{L}\p{N}\s]+/gu;

/**
 * Text as search compares it: lower case, without accents or punctuation, special letters spelt
 * plainly ("Mötley Crüe" → "motley crue", "Røyksopp" → "royksopp", "Love’s" → "loves").
 */
export function foldText(text: string): string {
  const lower = text.toLowerCase();
  // Most titles are plain ASCII: they skip Unicode normalisation, the costly part.
  if (!NOT_ASCII.test(lower)) return lower.replace(ASCII_PUNCTUATION, '');
  return lower
    .normalize('NFD')
    .replace(SPECIAL_LETTERS, (c) => LETTERS[c] ?? c)
    .replace(MARKS_AND_PUNCTUATION, '');
}

/** The orders a library can be listed in. */
export const TRACK_ORDERS = ['title', 'artist', 'album', 'added'] as const;
export type TrackOrder = (typeof TRACK_ORDERS)[number];

/** Which tracks an index holds, and in which order its results come. */
export interface TrackArrangement {
  /** By title (the library's own order, the default), artist, album, or newest first. */
  order?: TrackOrder;
  hideExplicit?: boolean;
  /** Ids of tracks left out (a venue's bans). */
  without?: ReadonlySet<string>;
}

/** What a search answers: the first matches, and whether there are more. */
export interface TrackMatches {
  tracks: LibraryTrack[];
  more: boolean;
}

/**
 * A query's matches (positions in the index), found as far as they have been asked for: the first
 * letters typed match most of a library, and only the rows shown need finding. Candidates are the
 * `head` first, then the index from `cursor` on.
 */
interface Step {
  key: string;
  /** Longest first, the last typed first of those as long: the likeliest to rule a track out. */
  words: string[];
  /** Positions worth a look before `cursor`: what the query this one extends found there. */
  head: number[];
  headAt: number;
  cursor: number;
  found: number[];
}

/**
 * A library arranged (filtered, sorted) and ready to search. Constructing one costs nothing: the
 * work is done by `prepare` (see `prepareWhenIdle`), or by the first search if that comes first.
 */
export class TrackIndex {
  private arranged: LibraryTrack[] = [];
  private texts: string[] = [];
  /**
   * Every text, in order, a line apart, and where each starts: a scan for a rare word jumps from
   * one occurrence to the next rather than testing each track (issue 9: the keys that narrow a
   * search to a few tracks scanned most of a library).
   */
  private all = '';
  private starts = new Int32Array(0);
  private prepared = false;
  /** Steps of the queries typed so far, each extending the one before it. */
  private trail: Step[] = [];

  constructor(
    private readonly library: readonly LibraryTrack[],
    private readonly arrangement: TrackArrangement = {},
  ) {}

  /** Folds, filters and sorts the library once. */
  prepare(): void {
    if (this.prepared) return;
    this.prepared = true;
    const { order = 'title', hideExplicit = false, without } = this.arrangement;
    const kept = this.library.filter((t) => !(hideExplicit && t.explicit) && !without?.has(t.id));
    const texts = kept.map(searchText);
    if (order === 'title') {
      this.arranged = kept;
      this.joinTexts(texts);
      return;
    }
    const keys = texts.map((text) => text.split('\n'));
    // Newest first; tracks from before dates were kept (VM38) last, by title.
    const byAdded = (a: number, b: number) => (kept[b]!.added ?? -1) - (kept[a]!.added ?? -1);
    const field = order === 'artist' ? 1 : 2;
    const positions = kept
      .map((_, i) => i)
      .sort(order === 'added' ? byAdded : (a, b) => byField(keys[a]!, keys[b]!, field));
    this.arranged = positions.map((i) => kept[i]!);
    this.joinTexts(positions.map((i) => texts[i]!));
  }

  private joinTexts(texts: string[]): void {
    this.texts = texts;
    this.all = texts.join('\n');
    this.starts = new Int32Array(texts.length);
    for (let i = 0, at = 0; i < texts.length; at += texts[i]!.length + 1, i++) this.starts[i] = at;
  }

  /** The first `limit` tracks with every word of `query` (all tracks for an empty one). */
  search(query: string, limit: number): TrackMatches {
    this.prepare();
    const step = this.step(foldText(query).split(/\s+/).filter(Boolean));
    this.fill(step, limit + 1);
    const tracks = step.found.slice(0, limit).map((i) => this.arranged[i]!);
    return { tracks, more: step.found.length > limit };
  }

  private step(words: string[]): Step {
    const key = words.join(' ');
    // Back to the longest earlier query this one extends ("swe" typed after "sweet").
    while (this.trail.length && !key.startsWith(this.trail.at(-1)!.key)) this.trail.pop();
    const before = this.trail.at(-1);
    if (before?.key === key) return before;
    // What matches "sweet c" matches "sweet" (each earlier word lies within a word of this
    // query): where "sweet" has looked, only what it found (or has yet to check) can match.
    const step: Step = {
      key,
      words: [...words].reverse().sort((a, b) => b.length - a.length),
      head: before ? before.found.concat(before.head.slice(before.headAt)) : [],
      headAt: 0,
      cursor: before?.cursor ?? 0,
      found: [],
    };
    this.trail.push(step);
    return step;
  }

  /** Finds matches of `step` until it has `count` of them or there are no more. */
  private fill(step: Step, count: number): void {
    const { words, head, found } = step;
    const texts = this.texts;
    while (step.headAt < head.length && found.length < count) {
      const i = head[step.headAt++]!;
      if (hasAll(texts[i]!, words)) found.push(i);
    }
    // The rest of the library: only tracks with the query's longest word need a closer look.
    const { all, starts } = this;
    while (step.cursor < texts.length && found.length < count) {
      const at = words.length ? all.indexOf(words[0]!, starts[step.cursor]) : starts[step.cursor]!;
      if (at < 0) {
        step.cursor = texts.length;
        break;
      }
      const i = trackAt(starts, at);
      step.cursor = i + 1;
      if (hasAll(texts[i]!, words)) found.push(i);
    }
  }
}

/** The position of the text that holds offset `at` of the joined texts. */
function trackAt(starts: Int32Array, at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function hasAll(text: string, words: string[]): boolean {
  for (let w = 0; w < words.length; w++) if (!text.includes(words[w]!)) return false;
  return true;
}

/** Artist or album order: by that field, tracks without one last, then by title. */
function byField(a: string[], b: string[], field: number): number {
  const x = a[field]!;
  const y = b[field]!;
  if (x !== y) return !x ? 1 : !y ? -1 : x < y ? -1 : 1;
  return a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0;
}

/**
 * Prepares `index` when the device is next idle (so the first keystroke finds it ready); answers
 * a function that cancels it, for an `$effect` to return.
 */
export function prepareWhenIdle(index: TrackIndex): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(() => index.prepare(), { timeout: 2000 });
    return () => cancelIdleCallback(id);
  }
  // Safari has no idle callbacks: soon after the screen has settled will do.
  const id = setTimeout(() => index.prepare(), 200);
  return () => clearTimeout(id);
}

const oneLine = (field: string) => (field.includes('\n') ? field.replace(/\n/g, ' ') : field);

/** Folded text of each track id, kept while its title, artist and album are the same strings. */
const folded = new Map<string, { title: string; artist: string; album: string; text: string }>();
const FOLDED_MAX = 200_000;

/** A track's folded title, artist and album, a line apart (no query word spans two fields). */
function searchText(track: LibraryTrack): string {
  const { title, artist, album } = track;
  const hit = folded.get(track.id);
  if (hit && hit.title === title && hit.artist === artist && hit.album === album) return hit.text;
  if (folded.size >= FOLDED_MAX) folded.clear();
  const text = foldText(`${oneLine(title)}\n${oneLine(artist)}\n${oneLine(album)}`);
  folded.set(track.id, { title, artist, album, text });
  return text;
}
