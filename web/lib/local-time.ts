/**
 * The venue's local time for the schedule (venue SPEC VM32): the model has no time zone, so the
 * shell reads the date, weekday and minutes after midnight from this device's clock in its time
 * zone (or the one given, for tests), daylight saving included.
 */
import type { LocalTime } from '@djamms/venue';

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formats.set(key, f);
  }
  return f;
}

/** The local time at `ms` (epoch milliseconds) in `timeZone`, this device's when not given. */
export function localTimeOf(ms: number, timeZone?: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of format(timeZone).formatToParts(ms)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const { year, month, day, hour, minute } = parts as Record<string, number>;
  const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return {
    date,
    day: new Date(Date.UTC(year!, month! - 1, day!)).getUTCDay(),
    minutes: hour! * 60 + minute!,
  };
}
