import { describe, expect, it } from 'vitest';
import { dayRange, lastMonth } from './export';

describe('the export’s dates', () => {
  it('starts on last month, first day to last, across a year end', () => {
    expect(lastMonth(new Date(2026, 10, 30))).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(lastMonth(new Date(2027, 0, 5))).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(lastMonth(new Date(2028, 2, 1))).toEqual({ from: '2028-02-01', to: '2028-02-29' });
  });

  it('covers whole local days, the To day included; refuses a reversed or broken range', () => {
    expect(dayRange('2026-11-30', '2026-11-30')).toEqual({
      from: new Date(2026, 10, 30).getTime(),
      to: new Date(2026, 11, 1).getTime(),
    });
    expect(dayRange('2026-12-02', '2026-12-01')).toBeNull();
    expect(dayRange('', '2026-12-01')).toBeNull();
    expect(dayRange('2026-13-45x', '2026-12-01')).toBeNull();
  });
});
