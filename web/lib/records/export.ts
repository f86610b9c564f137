/**
 * The play history export (issue 9): every play that started between two dates of the venue (in
 * its time zone, VM32, wherever the phone exporting it is), read from the relay a page at a time
 * (RP34) and made into the CSV file a licensing report needs, its times the venue's local times.
 */
import type { PlayRecord } from '@djamms/protocol';
import type { VenueCredential } from '../credentials';
import { localTimeOf, startOfDate, zoneOffset } from '../local-time';
import { readHistory } from '../relay-api';
import { playHistoryCsv } from './play-csv';

/** `YYYY-MM-DD` of a calendar date given as a `Date`'s UTC fields. */
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** A range of the venue's dates, `YYYY-MM-DD`, both included. */
export interface DateRange {
  from: string;
  to: string;
}

/** The ranges the export offers in one tap. */
export const EXPORT_RANGES = ['lastMonth', 'thisMonth', 'today'] as const;
export type ExportRange = (typeof EXPORT_RANGES)[number];

/**
 * The export's ranges in `timeZone` at `now`: last month, first day to last (a licensing report,
 * what the date fields start with); this month so far; today (tonight's plays).
 */
export function exportRanges(now: number, timeZone = ''): Record<ExportRange, DateRange> {
  const today = localTimeOf(now, timeZone).date;
  const [y, m] = today.split('-').map(Number) as [number, number];
  return {
    lastMonth: {
      from: isoDate(new Date(Date.UTC(y, m - 2, 1))),
      to: isoDate(new Date(Date.UTC(y, m - 1, 0))),
    },
    thisMonth: { from: isoDate(new Date(Date.UTC(y, m - 1, 1))), to: today },
    today: { from: today, to: today },
  };
}

/**
 * The times of two dates (`YYYY-MM-DD`) in `timeZone`, from the start of `from` to the end of `to`,
 * or null when either is not a date or `from` is after `to`.
 */
export function dayRange(
  from: string,
  to: string,
  timeZone = '',
): { from: number; to: number } | null {
  const day = (s: string) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
    return d && isoDate(d) === s ? d : null;
  };
  const start = day(from);
  const end = day(to);
  if (!start || !end || start > end) return null;
  end.setUTCDate(end.getUTCDate() + 1);
  return { from: startOfDate(from, timeZone), to: startOfDate(isoDate(end), timeZone) };
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

/** The CSV of `plays` in `timeZone`'s local times and offsets (the venue's). */
export const playsCsv = (plays: readonly PlayRecord[], timeZone = '') =>
  playHistoryCsv(plays, (t) => -zoneOffset(t, timeZone));
