import { describe, expect, it } from 'vitest';
import { dayRange, exportRanges, playsCsv } from './export';

const LONDON = 'Europe/London';

describe('the export’s dates, in the venue’s time zone', () => {
  it('starts on last month, first day to last, across a year end and by the venue’s date', () => {
    const lastMonth = (now: number, zone: string) => exportRanges(now, zone).lastMonth;
    expect(lastMonth(Date.UTC(2026, 10, 30, 12), 'UTC')).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
    });
    expect(lastMonth(Date.UTC(2027, 0, 5), LONDON)).toEqual({
      from: '2026-12-01',
      to: '2026-12-31',
    });
    expect(lastMonth(Date.UTC(2028, 2, 1, 12), LONDON)).toEqual({
      from: '2028-02-01',
      to: '2028-02-29',
    });
    // 23:30 UTC on 30 November is already 1 December at a venue in Kiritimati (UTC+14)
    expect(lastMonth(Date.UTC(2026, 10, 30, 23, 30), 'Pacific/Kiritimati')).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
    });
  });

  it('offers this month so far and today, the venue’s', () => {
    expect(exportRanges(Date.UTC(2026, 11, 1, 2), 'UTC')).toMatchObject({
      thisMonth: { from: '2026-12-01', to: '2026-12-01' },
      today: { from: '2026-12-01', to: '2026-12-01' },
    });
    // 02:00 UTC on 1 December is still 30 November in New York
    expect(exportRanges(Date.UTC(2026, 11, 1, 2), 'America/New_York')).toMatchObject({
      thisMonth: { from: '2026-11-01', to: '2026-11-30' },
      today: { from: '2026-11-30', to: '2026-11-30' },
    });
  });

  it('covers the venue’s whole days, the To day included; refuses a reversed or broken range', () => {
    expect(dayRange('2026-11-30', '2026-11-30', LONDON)).toEqual({
      from: Date.UTC(2026, 10, 30),
      to: Date.UTC(2026, 11, 1),
    });
    expect(dayRange('2026-11-30', '2026-12-01', 'America/New_York')).toEqual({
      from: Date.UTC(2026, 10, 30, 5),
      to: Date.UTC(2026, 11, 2, 5),
    });
    // the day the clocks go forward is 23 hours long
    const spring = dayRange('2026-03-29', '2026-03-29', LONDON)!;
    expect(spring).toEqual({ from: Date.UTC(2026, 2, 29), to: Date.UTC(2026, 2, 29, 23) });
    // where daylight saving skips midnight, the day starts at its first minute (01:00, UTC−3)
    expect(dayRange('2026-09-06', '2026-09-06', 'America/Santiago')?.from).toBe(
      Date.UTC(2026, 8, 6, 4),
    );
    expect(dayRange('2026-12-02', '2026-12-01', LONDON)).toBeNull();
    expect(dayRange('', '2026-12-01', LONDON)).toBeNull();
    expect(dayRange('2026-13-45x', '2026-12-01', LONDON)).toBeNull();
    expect(dayRange('2026-02-30', '2026-03-01', LONDON)).toBeNull();
  });

  it('writes start times as the venue’s local time with its offset', () => {
    const play = {
      track: 'halo',
      ended: 0,
      title: 'Halo',
      artist: 'Beyoncé',
      album: '',
      isrc: '',
      seconds: 61.4,
      endedBy: 'finished',
    } as const;
    const csv = playsCsv(
      [
        { ...play, started: Date.UTC(2026, 2, 29, 0, 30) },
        { ...play, started: Date.UTC(2026, 2, 29, 1, 30) },
      ],
      LONDON,
    );
    expect(csv).toContain(',2026-03-29T00:30:00+00:00,61,finished\r\n');
    expect(csv).toContain(',2026-03-29T02:30:00+01:00,61,finished\r\n');
    expect(
      playsCsv([{ ...play, started: Date.UTC(2026, 2, 29, 1, 30) }], 'Asia/Kolkata'),
    ).toContain(',2026-03-29T07:00:00+05:30,');
  });
});
