import { afterEach, describe, expect, it, vi } from 'vitest';

/** This browser's localStorage (Node has none): the one place preferences are kept. */
function storage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, String(value)),
  };
}

/** The preferences module as a page opening on this device loads it. */
async function openPage(local: ReturnType<typeof storage> | undefined) {
  vi.resetModules();
  vi.stubGlobal('localStorage', local);
  return import('./preferences.svelte');
}

afterEach(() => vi.unstubAllGlobals());

describe('durations', () => {
  it('reads as minutes and seconds, rounded down', async () => {
    const { duration } = await openPage(storage());
    expect(duration(187_000)).toBe('3:07');
    expect(duration(59_999)).toBe('0:59');
    expect(duration(600_000)).toBe('10:00');
    expect(duration(0)).toBe('0:00');
  });

  it('never reads negative (a clock a little behind the player’s)', async () => {
    const { duration } = await openPage(storage());
    expect(duration(-400)).toBe('0:00');
  });
});

describe('per-device preferences', () => {
  const ninePm = new Date(2026, 10, 22, 21, 5).getTime();

  it('shows times in 24 hours until this device chooses 12', async () => {
    const { preferences } = await openPage(storage());
    expect(preferences.timeFormat).toBe('24h');
    const h24 = preferences.clock(ninePm);
    expect(h24).toMatch(/21.05/);
    preferences.set({ timeFormat: '12h' });
    const h12 = preferences.clock(ninePm);
    expect(h12).toMatch(/9.05/);
    expect(h12).not.toMatch(/21/);
  });

  it('show a date and time (a backup’s) in this device’s format and the venue’s zone', async () => {
    const { preferences } = await openPage(storage());
    const morning = Date.UTC(2026, 10, 22, 6, 5);
    const h24 = preferences.dateTime(morning, 'Europe/London');
    expect(h24).toMatch(/2026.*\b06.05$/);
    expect(h24).not.toMatch(/AM|PM/i);
    expect(preferences.dateTime(morning, 'Asia/Tokyo')).toMatch(/2026.*\b15.05$/);
    preferences.set({ timeFormat: '12h' });
    expect(preferences.dateTime(morning, 'Europe/London')).toMatch(/2026.*\b6.05\sAM$/);
  });

  it('tell the time in the venue’s zone when given one, this device’s own for one it does not know', async () => {
    const { preferences } = await openPage(storage());
    const nineUtc = Date.UTC(2026, 10, 22, 21, 5);
    expect(preferences.clock(nineUtc, 'Asia/Tokyo')).toMatch(/^0?6.05$/);
    expect(preferences.clock(nineUtc, 'America/New_York')).toMatch(/^16.05$/);
    expect(preferences.clock(nineUtc, 'Mars/Olympus_Mons')).toBe(preferences.clock(nineUtc));
    expect(preferences.clock(nineUtc, '')).toBe(preferences.clock(nineUtc));
  });

  it('show a schedule’s times of day in this device’s format, midnight at the end as 0:00', async () => {
    const { preferences } = await openPage(storage());
    expect(preferences.timeOfDay(21 * 60 + 15)).toMatch(/^21.15$/);
    expect(preferences.timeOfDay(1440)).toMatch(/^0?0.00$/);
    preferences.set({ timeFormat: '12h' });
    expect(preferences.timeOfDay(21 * 60 + 15)).toMatch(/^9.15\s?PM$/i);
    expect(preferences.timeOfDay(0)).toMatch(/^12.00\s?AM$/i);
  });

  it('are kept on this device: the next page opens with them', async () => {
    const local = storage();
    const first = await openPage(local);
    first.preferences.set({ theme: 'dark' });
    first.preferences.set({ timeFormat: '12h' });
    const next = await openPage(local);
    expect(next.preferences.theme).toBe('dark');
    expect(next.preferences.timeFormat).toBe('12h');
  });

  it('fall back to the defaults when what is stored is unknown, broken or unreadable', async () => {
    const stored = (value: string) => storage({ 'djamms-preferences': value });
    for (const local of [
      stored('{"theme":"purple","timeFormat":"13h"}'),
      stored('{not json'),
      stored('null'),
      undefined,
    ]) {
      const { preferences } = await openPage(local);
      expect([preferences.theme, preferences.timeFormat]).toEqual(['auto', '24h']);
    }
  });
});
