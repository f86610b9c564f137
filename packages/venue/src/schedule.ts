/**
 * Schedule slots: when a playlist becomes the programme, and at what volume (VM32), and whether a
 * player's clock can be trusted to run them (VM33). Pure: local time is supplied by the shell.
 */
import { TIMING, type ClockDoubt } from './schema';

/** Minutes in a day: a slot's end may be this (midnight at the end of the day). */
export const DAY_MINUTES = 1440;

/**
 * A weekly slot. Days are 0 (Sunday) to 6, the days it starts on; times are minutes after local
 * midnight. An end before the start runs past midnight into the next day (22:00–02:00).
 */
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

/** One occurrence of a slot around a given day, in minutes after that day's midnight. */
export interface SlotRun {
  slot: Slot;
  /** When it starts: negative when it began the day before. */
  from: number;
  /** When it ends: past {@link DAY_MINUTES} when it runs into the next day. */
  to: number;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** True when `value` is a well-formed slot. */
export function isSlot(value: unknown): value is Slot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  const whole = (v: unknown, min: number, max: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  return (
    typeof s.id === 'string' &&
    ID.test(s.id) &&
    Array.isArray(s.days) &&
    s.days.length > 0 &&
    s.days.length <= 7 &&
    new Set(s.days).size === s.days.length &&
    s.days.every((d) => whole(d, 0, 6)) &&
    whole(s.start, 0, DAY_MINUTES - 1) &&
    whole(s.end, 1, DAY_MINUTES) &&
    s.end !== s.start &&
    typeof s.playlist === 'string' &&
    ID.test(s.playlist) &&
    (s.volume === null || whole(s.volume, 0, 100))
  );
}

/** How long a slot runs, in minutes. */
export function slotLength(slot: Slot): number {
  return slot.end > slot.start ? slot.end - slot.start : DAY_MINUTES - slot.start + slot.end;
}

/** The occurrences of `slots` that start on weekday `day` or run into it from the day before. */
function runsAround(slots: Slot[], day: number): SlotRun[] {
  const yesterday = (day + 6) % 7;
  const runs: SlotRun[] = [];
  for (const slot of slots) {
    const length = slotLength(slot);
    if (slot.days.includes(day)) runs.push({ slot, from: slot.start, to: slot.start + length });
    const from = slot.start - DAY_MINUTES;
    if (slot.days.includes(yesterday) && from + length > 0) {
      runs.push({ slot, from, to: from + length });
    }
  }
  return runs;
}

/**
 * The slot occurrence playing at `minutes` after midnight of weekday `day` (VM32): of those that
 * cover it, the one that started first (ties by id), so a slot plays its whole length and one
 * overlapping it takes over only when it ends.
 */
export function slotAt(slots: Slot[], day: number, minutes: number): SlotRun | null {
  let best: SlotRun | null = null;
  for (const run of runsAround(slots, day)) {
    if (run.from > minutes || minutes >= run.to) continue;
    if (!best || run.from < best.from || (run.from === best.from && run.slot.id < best.slot.id)) {
      best = run;
    }
  }
  return best;
}

/**
 * The id of the slot occurrence playing at `local` (`slot@YYYY-MM-DD`, the date it started), or
 * null. A player applies each occurrence once (VM32).
 */
export function slotOccurrence(slots: Slot[], local: LocalTime): { slot: Slot; id: string } | null {
  const run = slotAt(slots, local.day, local.minutes);
  if (!run) return null;
  const date = run.from < 0 ? dayBefore(local.date) : local.date;
  return { slot: run.slot, id: `${run.slot.id}@${date}` };
}

/**
 * The occurrences among `applied` still worth remembering at `local`: those that started today or
 * yesterday. Time can run backwards over them (the hour repeated when clocks go back, a corrected
 * clock), and each must still be applied only once (VM32).
 */
export function recentOccurrences(applied: string[], local: LocalTime): string[] {
  const since = dayBefore(local.date);
  return applied.filter((id) => id.slice(id.indexOf('@') + 1) >= since);
}

/** `YYYY-MM-DD` of the day before (calendar arithmetic only, no time zone). */
function dayBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

/** A stretch of a day and the slot playing through it (null: none, the programme stays). */
export interface DayPart {
  from: number;
  to: number;
  slot: Slot | null;
}

/**
 * What plays when on weekday `day`, midnight to midnight, as consecutive parts (VM32): what the
 * admin's day and week views show and what the player waits for.
 */
export function dayPlan(slots: Slot[], day: number): DayPart[] {
  const edges = new Set([0, DAY_MINUTES]);
  for (const run of runsAround(slots, day)) {
    for (const t of [run.from, run.to]) if (t > 0 && t < DAY_MINUTES) edges.add(t);
  }
  const sorted = [...edges].sort((a, b) => a - b);
  const parts: DayPart[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const [from, to] = [sorted[i]!, sorted[i + 1]!];
    const run = slotAt(slots, day, from);
    const last = parts.at(-1);
    // The same occurrence on both sides of an edge (another slot's start it outlasts) is one part.
    if (last && last.slot === (run?.slot ?? null) && (!run || run.from < from)) last.to = to;
    else parts.push({ from, to, slot: run?.slot ?? null });
  }
  return parts;
}

/** Minutes from `local` until the next point where what the schedule plays may change. */
export function minutesToNextChange(slots: Slot[], local: LocalTime): number {
  const next = dayPlan(slots, local.day).find((p) => p.from > local.minutes);
  return (next?.from ?? DAY_MINUTES) - local.minutes;
}

/** Slots other than `slot` that play at the same time as it on some day. */
export function overlapping(slots: Slot[], slot: Slot): Slot[] {
  const week = (s: Slot) =>
    s.days.map((d) => [d * DAY_MINUTES + s.start, d * DAY_MINUTES + s.start + slotLength(s)]);
  const mine = week(slot);
  const clash = ([a, b]: number[], [c, d]: number[]) =>
    // A week wraps around: Saturday night runs into Sunday morning.
    [-7, 0, 7].some((shift) => a! < d! + shift * DAY_MINUTES && c! + shift * DAY_MINUTES < b!);
  return slots.filter(
    (s) => s.id !== slot.id && week(s).some((w) => mine.some((m) => clash(m, w))),
  );
}

/**
 * The days on which `slot`'s occurrence never plays, each with the slot that plays instead (VM32):
 * one that started first and lasts past every point where `slot`'s could take over, so `slot` lies
 * wholly inside it (Sat 23:00–23:30 inside Sat 22:00–02:00). `slots` may hold `slot` or not.
 */
export function hiddenDays(slots: Slot[], slot: Slot): { day: number; inside: Slot }[] {
  const all = [...slots.filter((s) => s.id !== slot.id), slot];
  const length = slotLength(slot);
  const hidden: { day: number; inside: Slot }[] = [];
  for (const day of slot.days) {
    // Where `slot` could take over: its start, or the end of an occurrence that started before it
    // (only those can beat it, and only until they end). Times past midnight are the next day's.
    const ends = [day, (day + 1) % 7].flatMap((d, i) =>
      runsAround(all, d).map((run) => run.to + i * DAY_MINUTES),
    );
    const points = [slot.start, ...ends.filter((t) => t > slot.start && t < slot.start + length)];
    const wins = points.some((t) => {
      const on = t < DAY_MINUTES ? day : (day + 1) % 7;
      const run = slotAt(all, on, t % DAY_MINUTES);
      return run?.slot.id === slot.id && run.from === slot.start - (on === day ? 0 : DAY_MINUTES);
    });
    const inside = wins ? null : slotAt(all, day, slot.start)?.slot;
    if (inside && inside.id !== slot.id) hidden.push({ day, inside });
  }
  return hidden;
}

/**
 * Whether a player's clock is too doubtful to run the schedule (VM33). `correction` is the offset
 * its last reading of the relay's time measured (null: never read); `revealAt` is when the earliest
 * fact held back as stamped in the future starts to count (Infinity: none), at corrected time `now`.
 */
export function clockDoubt(
  correction: number | null,
  revealAt: number,
  now: number,
): ClockDoubt | null {
  if (correction !== null && Math.abs(correction) > TIMING.scheduleClockTolerance) {
    return { why: 'relay', ms: correction };
  }
  if (Number.isFinite(revealAt)) {
    return { why: 'venue', ms: Math.round(revealAt + TIMING.maxAhead - now) };
  }
  return null;
}

/** True when `value` is a well-formed {@link ClockDoubt} (as a heartbeat carries it). */
export function isClockDoubt(value: unknown): value is ClockDoubt {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as Record<string, unknown>;
  return (d.why === 'relay' || d.why === 'venue') && Number.isSafeInteger(d.ms);
}
