import { describe, expect, it } from 'vitest';
import { slotOccurrence, type Slot } from '@djamms/venue';
import { deviceTimeZone, knowsTimeZone, localTimeOf } from './local-time';

const LONDON = 'Europe/London';
const MINUTE = 60_000;
const slot = (id: string, days: number[], start: number, end: number): Slot => ({
  id,
  days,
  start,
  end,
  playlist: 'p',
  volume: null,
});

/** The occurrences a player checking every minute from `from` for `minutes` meets, each once. */
function occurrencesMet(slots: Slot[], from: number, minutes: number, zone: string): string[] {
  const met: string[] = [];
  for (let t = from; t < from + minutes * MINUTE; t += MINUTE) {
    const due = slotOccurrence(slots, localTimeOf(t, zone));
    if (due && !met.includes(due.id)) met.push(due.id);
  }
  return met;
}

describe('local time for the schedule', () => {
  it('VM32 the local date, weekday and minutes follow the time zone across daylight saving', () => {
    // London springs forward at 01:00 UTC on Sunday 29 March 2026: 00:59 GMT, then 02:00 BST.
    expect(localTimeOf(Date.UTC(2026, 2, 29, 0, 59), LONDON)).toEqual({
      date: '2026-03-29',
      day: 0,
      minutes: 59,
    });
    expect(localTimeOf(Date.UTC(2026, 2, 29, 1, 0), LONDON).minutes).toBe(120);
    // And falls back at 01:00 UTC on Sunday 25 October: 01:30 BST, then 01:30 GMT again.
    expect(localTimeOf(Date.UTC(2026, 9, 25, 0, 30), LONDON).minutes).toBe(90);
    expect(localTimeOf(Date.UTC(2026, 9, 25, 1, 30), LONDON).minutes).toBe(90);
    // The weekday is the local one: 23:30 UTC on a Saturday in Sydney is Sunday morning there.
    expect(localTimeOf(Date.UTC(2026, 10, 28, 23, 30), 'Australia/Sydney')).toEqual({
      date: '2026-11-29',
      day: 0,
      minutes: 630,
    });
  });

  it('VM32 a venue zone this device does not know reads as its own zone, and is told apart', () => {
    const t = Date.UTC(2026, 10, 28, 23, 30);
    expect(knowsTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(knowsTimeZone('')).toBe(true);
    expect(knowsTimeZone(LONDON)).toBe(true);
    expect(localTimeOf(t, 'Mars/Olympus_Mons')).toEqual(localTimeOf(t, deviceTimeZone()));
    expect(localTimeOf(t)).toEqual(localTimeOf(t, deviceTimeZone()));
  });

  it('VM32 an hour that repeats in autumn meets its slot once; an hour skipped in spring skips it', () => {
    const night = [slot('small', [0], 75, 105), slot('across', [0], 90, 150)];
    // Autumn: 01:15–01:45 passes twice, but it is one occurrence (its id repeats; the player's
    // memory of the occurrences it applied keeps it from applying it again, VM32).
    const autumn = occurrencesMet(night, Date.UTC(2026, 9, 24, 23, 0), 5 * 60, LONDON);
    expect(autumn).toEqual(['small@2026-10-25', 'across@2026-10-25']);
    // Spring: 01:15–01:45 never happens; 01:30–02:30 starts when the clocks jump to 02:00.
    const spring = occurrencesMet(night, Date.UTC(2026, 2, 28, 23, 0), 4 * 60, LONDON);
    expect(spring).toEqual(['across@2026-03-29']);
  });

  it('VM32 a late slot runs across the week’s end as one occurrence in any time zone', () => {
    const late = [slot('late', [6], 22 * 60, 2 * 60), slot('sunday', [0], 10 * 60, 12 * 60)];
    for (const zone of [LONDON, 'America/New_York', 'Australia/Sydney', 'UTC']) {
      // From Friday noon UTC for three days, past Saturday night and into Monday in every zone.
      const met = occurrencesMet(late, Date.UTC(2026, 10, 27, 12, 0), 3 * 24 * 60, zone);
      expect(met).toEqual(['late@2026-11-28', 'sunday@2026-11-29']);
    }
  });
});
