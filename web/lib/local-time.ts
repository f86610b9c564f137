/**
 * The venue's local time for the schedule (venue SPEC VM32): the model keeps the venue's time zone
 * (a setting) but no clock, so the shell reads the date, weekday and minutes after midnight from
 * this device's clock in that zone (this device's own when none is set), daylight saving included.
 */
import type { LocalTime } from '@djamms/venue';

const formats = new Map<string, Intl.DateTimeFormat | null>();

/** This device's format for `timeZone` (its own zone when empty), or null for a zone it does not know. */
function format(timeZone: string): Intl.DateTimeFormat | null {
  let f = formats.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone: timeZone || undefined,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      });
    } catch {
      // a zone this device's time zone data lacks (RangeError)
      f = null;
    }
    formats.set(timeZone, f);
  }
  return f;
}

/** This device's own time zone (`Europe/London`). */
export function deviceTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * This device's zone as a venue's (VM32), or '' when it has none worth keeping: one its time zone
 * data does not know, or Chromium's `Etc/Unknown`.
 */
export function venueZoneFromDevice(): string {
  const zone = deviceTimeZone();
  return zone !== 'Etc/Unknown' && knowsTimeZone(zone) ? zone : '';
}

/** The zones this device knows, by name (none where the browser cannot list them). */
export function knownTimeZones(): string[] {
  return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
}

/** Whether this device can tell the time in `timeZone` (empty: its own, always). */
export function knowsTimeZone(timeZone: string): boolean {
  return format(timeZone) !== null;
}

/**
 * `timeZone` as Intl's `timeZone` option: undefined (this device's own zone) when it is empty or
 * one this device does not know, where Intl would throw.
 */
export function intlZone(timeZone: string): string | undefined {
  return timeZone && knowsTimeZone(timeZone) ? timeZone : undefined;
}

/**
 * The local time at `ms` (epoch milliseconds) in `timeZone`, the venue's; in this device's own
 * zone when it is empty or one this device does not know ({@link knowsTimeZone} says which).
 */
export function localTimeOf(ms: number, timeZone = ''): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of (format(timeZone) ?? format('')!).formatToParts(ms)) {
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

/**
 * The UTC offset of `timeZone` (the venue's; this device's own when empty or unknown) at `ms`, in
 * minutes east of Greenwich, daylight saving included.
 */
export function zoneOffset(ms: number, timeZone = ''): number {
  const minute = Math.floor(ms / 60_000) * 60_000;
  const { date, minutes } = localTimeOf(minute, timeZone);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return (Date.UTC(y, m - 1, d, 0, minutes) - minute) / 60_000;
}

/**
 * When the local date `date` (`YYYY-MM-DD`) begins in `timeZone`: its first minute (the first that
 * exists, where daylight saving skips midnight).
 */
export function startOfDate(date: string, timeZone = ''): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let t = wall - zoneOffset(wall, timeZone) * 60_000;
  // the offset at that instant may differ from the one guessed with (a change near midnight)
  t = wall - zoneOffset(t, timeZone) * 60_000;
  return localTimeOf(t, timeZone).date === date ? t : t + 60 * 60_000;
}
