/**
 * Play history as CSV for a licensing report (issue 9): one row per play, RFC 4180 (fields with a
 * comma, a quote or a line break quoted, quotes doubled, CRLF between records), UTF-8 with a byte
 * order mark so spreadsheet programs read accents right. `started` is ISO 8601 local time with its
 * UTC offset, in the venue's time zone (export.ts). Pure: the time zone is passed in. A title,
 * artist or album that a spreadsheet would run as a formula is written as text (see
 * {@link asText}): the library's words come from files' tags, which anyone can write.
 */
import type { PlayRecord } from '@djamms/protocol';

/** The header row, in order. */
export const PLAY_CSV_COLUMNS = [
  'title',
  'artist',
  'album',
  'isrc',
  'started',
  'seconds_played',
  'ended_by',
] as const;

/** The UTF-8 byte order mark, as the first character of the text. */
export const BOM = '\uFEFF';

/** One field, quoted when it must be (RFC 4180 §2.6–2.7). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Records joined with CRLF, each ending with it (RFC 4180 §2.1–2.2). */
export function csvText(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(',') + '\r\n').join('');
}

/**
 * Text a spreadsheet program takes as text, not as a formula to run: one starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return gets a leading apostrophe (OWASP's advice on CSV injection),
 * which spreadsheets do not show.
 */
export function asText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * `t` (ms since the epoch) as ISO 8601 local time to the second with its offset, given the offset
 * in minutes as `Date#getTimezoneOffset` gives it (positive west of Greenwich): `2026-03-29T01:30:00+01:00`.
 */
export function localIso(t: number, timezoneOffset: number): string {
  const local = new Date(t - timezoneOffset * 60_000);
  const east = -timezoneOffset;
  const sign = east >= 0 ? '+' : '-';
  const off = `${sign}${two(Math.floor(Math.abs(east) / 60))}:${two(Math.abs(east) % 60)}`;
  return (
    `${local.getUTCFullYear()}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}` +
    `T${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}${off}`
  );
}

/**
 * A play's length in whole seconds, rounded to the nearest: the one rule for the CSV's
 * `seconds_played` and the Log's length (the Log rounded down and the CSV to the nearest, so the
 * same play read 0:10 in one and 11 in the other).
 */
export function secondsPlayed(play: Pick<PlayRecord, 'seconds'>): number {
  return Math.max(0, Math.round(play.seconds));
}

/**
 * The whole file: BOM, header, one row per play in the order given. `offsetAt(t)` is the local
 * time zone's offset at `t` in `getTimezoneOffset` minutes (it changes with daylight saving).
 */
export function playHistoryCsv(
  plays: readonly PlayRecord[],
  offsetAt: (t: number) => number,
): string {
  const rows = plays.map((p) => [
    asText(p.title),
    asText(p.artist),
    asText(p.album),
    asText(p.isrc),
    localIso(p.started, offsetAt(p.started)),
    String(secondsPlayed(p)),
    p.endedBy,
  ]);
  return BOM + csvText([PLAY_CSV_COLUMNS, ...rows]);
}
