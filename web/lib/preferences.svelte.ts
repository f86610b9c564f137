/**
 * Per-device preferences (issue 8): the theme and the time format. Kept in this browser's
 * localStorage, never in the venue: a bartender's dark phone does not turn the TV dark.
 */
import { intlZone } from './local-time';

const KEY = 'djamms-preferences';

export type Theme = 'auto' | 'dark' | 'light';
export type TimeFormat = '24h' | '12h';

interface Stored {
  theme: Theme;
  timeFormat: TimeFormat;
}

function read(): Stored {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Stored>;
    return {
      theme: v.theme === 'dark' || v.theme === 'light' ? v.theme : 'auto',
      timeFormat: v.timeFormat === '12h' ? '12h' : '24h',
    };
  } catch {
    return { theme: 'auto', timeFormat: '24h' };
  }
}

class Preferences {
  theme = $state<Theme>('auto');
  timeFormat = $state<TimeFormat>('24h');

  constructor() {
    const stored = read();
    this.theme = stored.theme;
    this.timeFormat = stored.timeFormat;
  }

  set(patch: Partial<Stored>) {
    if (patch.theme) this.theme = patch.theme;
    if (patch.timeFormat) this.timeFormat = patch.timeFormat;
    localStorage.setItem(KEY, JSON.stringify({ theme: this.theme, timeFormat: this.timeFormat }));
  }

  /**
   * A wall-clock time as this device shows times, in `timeZone` (the venue's, VM32; this device's
   * own when empty or one it does not know).
   */
  clock(t: number, timeZone = ''): string {
    return new Date(t).toLocaleTimeString([], {
      hour: 'numeric',
      minute: '2-digit',
      // An hour cycle, not hour12: false, which some engines read as 1–24 and show midnight as 24:00.
      hourCycle: this.timeFormat === '12h' ? 'h12' : 'h23',
      timeZone: intlZone(timeZone),
    });
  }

  /** A date and a time as this device shows times ("22 Nov 2026, 21:05"), in `timeZone`. */
  dateTime(t: number, timeZone = ''): string {
    return new Date(t).toLocaleString([], {
      dateStyle: 'medium',
      timeStyle: 'short',
      hourCycle: this.timeFormat === '12h' ? 'h12' : 'h23',
      timeZone: intlZone(timeZone),
    });
  }

  /** A time of day (minutes after midnight; 1440 is midnight at the end) as this device shows it. */
  timeOfDay(minutes: number): string {
    const m = minutes % 1440;
    return this.clock(new Date(2000, 0, 1, Math.floor(m / 60), m % 60).getTime());
  }
}

export const preferences = new Preferences();

/** "3:07" from milliseconds. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
