/** Schedule slots: when a playlist becomes the programme, and at what volume. */

/** A weekly slot. Days are 0 (Sunday) to 6; times are minutes after local midnight. */
export interface Slot {
  id: string;
  days: number[];
  start: number;
  end: number;
  playlist: string;
  volume: number | null;
}

/** Local time as the venue sees it, supplied by the shell (the model has no time zone). */
export interface LocalTime {
  /** The local date, `YYYY-MM-DD`. */
  date: string;
  /** 0 (Sunday) to 6. */
  day: number;
  /** Minutes after local midnight. */
  minutes: number;
}

/** True when `value` is a well-formed slot. */
export function isSlot(value: unknown): value is Slot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  const minute = (v: unknown, max: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
  return (
    typeof s.id === 'string' &&
    /^[A-Za-z0-9_-]{1,64}$/.test(s.id) &&
    Array.isArray(s.days) &&
    s.days.length > 0 &&
    s.days.every((d) => minute(d, 6)) &&
    minute(s.start, 1439) &&
    minute(s.end, 1440) &&
    (s.end as number) > (s.start as number) &&
    typeof s.playlist === 'string' &&
    /^[A-Za-z0-9_-]{1,64}$/.test(s.playlist) &&
    (s.volume === null || minute(s.volume, 100))
  );
}

/** The slot covering `local`, the earliest-starting one when several overlap (ties by id). */
export function activeSlot(slots: Slot[], local: LocalTime): Slot | null {
  const covering = slots.filter(
    (s) => s.days.includes(local.day) && s.start <= local.minutes && local.minutes < s.end,
  );
  covering.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1));
  return covering[0] ?? null;
}
