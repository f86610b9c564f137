/**
 * The play history export (issue 9): every play that started between two local dates, read from
 * the relay a page at a time (RP34) and made into the CSV file a licensing report needs.
 */
import type { PlayRecord } from '@djamms/protocol';
import type { VenueCredential } from '../credentials';
import { readHistory } from '../relay-api';
import { playHistoryCsv } from './play-csv';

/** `YYYY-MM-DD` of a local date. */
export function dateInput(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** Last month, first day to last day, as the date inputs start. */
export function lastMonth(today: Date): { from: string; to: string } {
  const first = new Date(today.getFullYear(), today.getMonth() - 1, 1);
  const last = new Date(today.getFullYear(), today.getMonth(), 0);
  return { from: dateInput(first), to: dateInput(last) };
}

/**
 * The times of two local dates (`YYYY-MM-DD`), from the start of `from` to the end of `to`, or null
 * when either is not a date or `from` is after `to`.
 */
export function dayRange(from: string, to: string): { from: number; to: number } | null {
  const day = (s: string) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
  };
  const start = day(from);
  const end = day(to);
  if (!start || !end || start > end) return null;
  end.setDate(end.getDate() + 1);
  return { from: start.getTime(), to: end.getTime() };
}

/** Reads every play of the range; `progress` hears how many so far. */
export async function readPlays(
  credential: Pick<VenueCredential, 'relay' | 'token' | 'venueId'>,
  range: { from: number; to: number },
  progress: (n: number) => void,
): Promise<PlayRecord[]> {
  const plays: PlayRecord[] = [];
  let cursor: string | null = '0';
  while (cursor !== null) {
    const page = await readHistory(
      credential.relay,
      credential.token,
      credential.venueId,
      range,
      cursor,
    );
    plays.push(...page.entries.map((e) => e.data));
    cursor = page.cursor;
    progress(plays.length);
  }
  return plays.sort((a, b) => a.started - b.started);
}

/** The CSV of `plays` with this device's local time and offsets. */
export const playsCsv = (plays: readonly PlayRecord[]) =>
  playHistoryCsv(plays, (t) => new Date(t).getTimezoneOffset());
