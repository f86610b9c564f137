/**
 * The venue's records in the journal (relay PROTOCOL.md RP33): a `play` entry for every track the
 * player ended, an `action` entry for every change staff made. Both shapes are checked here, once,
 * for the relay (which refuses a malformed entry) and for the screens (which skip one).
 */
/** Journal kinds of the venue's records: written by its player and staff devices only. */
export const RECORD_JOURNAL_KINDS = ['play', 'action'] as const;

/** A record kind. */
export type RecordKind = (typeof RECORD_JOURNAL_KINDS)[number];

/** How a play ended: played to its end, skipped by staff, stopped by staff, or failed to play. */
export const PLAY_ENDINGS = ['finished', 'skipped', 'stopped', 'failed'] as const;

/** How a play ended. */
export type PlayEnding = (typeof PLAY_ENDINGS)[number];

/** Longest text of a record (a title, a device name, an action in words), in characters. */
export const MAX_RECORD_TEXT = 500;

/** Longest play a record may describe: a day (a stream left playing), in seconds. */
export const MAX_PLAY_SECONDS = 86_400;

/**
 * `data` of a `play` entry. The entry's `at` is `started`, so a date range of plays is a range of
 * `at`. The track's words are as the library had them when it played (a later edit does not change
 * a licensing report).
 */
export interface PlayRecord {
  readonly track: string;
  readonly title: string;
  readonly artist: string;
  readonly album: string;
  /** The recording's ISRC when its file was tagged with one, else ''. */
  readonly isrc: string;
  /** Milliseconds since the epoch, the player's corrected clock. */
  readonly started: number;
  readonly ended: number;
  /** Seconds of sound actually played (pauses excluded), ≤ ended − started. */
  readonly seconds: number;
  readonly endedBy: PlayEnding;
}

/**
 * `data` of an `action` entry: what staff did, in words, and on which device. A device sends only
 * `what`: the relay sets `device` from its registry (the name given when the device was paired),
 * and the entry's own `role` and `by` from the token, so no device can speak for another (RP33).
 */
export interface ActionRecord {
  /** What was done, in words ("Skipped Blue Monday"). */
  readonly what: string;
  /** The device's name as paired ("Bar phone"), '' when it was given none. */
  readonly device: string;
}

/** A `play` entry as the history route returns it. */
export interface PlayEntry {
  readonly id: string;
  readonly seq: number;
  readonly at: number;
  readonly data: PlayRecord;
}

/** `GET /api/venues/<id>/history?from=&to=&after=&limit=` response (RP34). */
export interface HistoryPage {
  /** Plays with `from ≤ at < to`, by seq. */
  readonly entries: readonly PlayEntry[];
  /** Pass as `after` for the next page; `null` when there is none. */
  readonly cursor: string | null;
}

const isText = (v: unknown, max = MAX_RECORD_TEXT) => typeof v === 'string' && v.length <= max;
const isTime = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const fields = (data: unknown) =>
  (typeof data === 'object' && data !== null && !Array.isArray(data) ? data : null) as Record<
    string,
    unknown
  > | null;

/** What is wrong with a `play` entry's data and its `at`, in words; `null` when nothing is. */
export function playRecordProblem(data: unknown, at: number): string | null {
  const d = fields(data);
  if (!d)
    return 'a play needs data {track, title, artist, album, isrc, started, ended, seconds, endedBy}.';
  if (!isText(d.track, 80) || d.track === '') return 'a play needs the track id.';
  for (const name of ['title', 'artist', 'album'] as const) {
    if (!isText(d[name]))
      return `a play's ${name} must be text of at most ${MAX_RECORD_TEXT} characters.`;
  }
  if (!(typeof d.isrc === 'string' && /^([A-Z]{2}[A-Z0-9]{3}\d{7})?$/.test(d.isrc))) {
    return "a play's isrc is 12 characters (CC-XXX-YY-NNNNN without dashes) or ''.";
  }
  if (!isTime(d.started) || !isTime(d.ended) || d.ended < d.started) {
    return "a play's started and ended are whole milliseconds since the epoch, ended ≥ started.";
  }
  if (d.ended - d.started > MAX_PLAY_SECONDS * 1000) return 'a play lasts at most a day.';
  if (at !== d.started) return "a play entry's at is its started time.";
  const span = (d.ended - d.started) / 1000;
  if (typeof d.seconds !== 'number' || !(d.seconds >= 0) || d.seconds > span + 1) {
    return "a play's seconds are between 0 and its length (ended − started).";
  }
  if (!(PLAY_ENDINGS as readonly unknown[]).includes(d.endedBy)) {
    return `a play's endedBy is one of ${PLAY_ENDINGS.join(', ')}.`;
  }
  return null;
}

/** What is wrong with an `action` entry's data, in words; `null` when nothing is. */
export function actionRecordProblem(data: unknown): string | null {
  const d = fields(data);
  if (!d) return 'an action needs data {what}.';
  if (!isText(d.what) || (d.what as string).trim() === '') {
    return `an action says what was done in at most ${MAX_RECORD_TEXT} characters.`;
  }
  return null;
}
