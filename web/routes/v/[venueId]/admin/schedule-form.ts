/**
 * The admin's schedule form, as plain logic (venue SPEC VM32): the times offered, a slot as the form
 * holds it, and what is wrong with it or worth knowing, in words, before it reaches the model (which
 * checks it again).
 */
import { DAY_MINUTES, hiddenDays, isSlot, overlapping, randomId, type Slot } from '@djamms/venue';
import { words } from '$lib/strings';

/** Days in the order the week is shown and picked: Monday first, as venues plan their week. */
export const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;
/** Times a slot can start: every quarter of an hour. */
export const STARTS = Array.from({ length: DAY_MINUTES / 15 }, (_, i) => i * 15);
/** Times a slot can end: 00:15 to 23:45, and midnight at the end of the day. */
export const ENDS = [...STARTS.slice(1), DAY_MINUTES];

/** A slot as the form holds it. */
export interface SlotDraft {
  /** The slot being edited, or null for a new one. */
  id: string | null;
  days: number[];
  start: number;
  end: number;
  playlist: string;
  /** A whole number from 0 to 100, or '' to leave the volume as it is. */
  volume: string;
}

/** What the form says about a draft: the slot to save (null while there are errors), and notes. */
export interface DraftCheck {
  slot: Slot | null;
  errors: string[];
  notes: string[];
}

/** A new slot on `day` from the quarter hour at or before `minutes`, for two hours. */
export function blankDraft(day: number, minutes: number, playlist: string): SlotDraft {
  const start = Math.floor(minutes / 15) * 15;
  return {
    id: null,
    days: [day],
    start,
    end: (start + 120) % DAY_MINUTES || DAY_MINUTES,
    playlist,
    volume: '',
  };
}

/** The form's copy of a stored slot. */
export function draftOf(slot: Slot): SlotDraft {
  return {
    id: slot.id,
    days: [...slot.days],
    start: slot.start,
    end: slot.end,
    playlist: slot.playlist,
    volume: slot.volume === null ? '' : String(slot.volume),
  };
}

/** How the form names a slot: its playlist, its days and its times. */
export function slotLabel(
  slot: Pick<Slot, 'days' | 'start' | 'end' | 'playlist'>,
  playlistName: (id: string) => string | null,
  timeOf: (minutes: number) => string,
): string {
  const w = words.schedule;
  const days = w.daysOf(WEEK_ORDER.filter((d) => slot.days.includes(d)).map((d) => w.dayShort[d]!));
  const name = playlistName(slot.playlist) ?? w.missingPlaylist;
  return `${name}, ${days} ${w.range(timeOf(slot.start), timeOf(slot.end))}`;
}

/**
 * What says that `slot` never plays on some of its days, or on any, because it lies inside a slot
 * that starts first and plays to its end (VM32), naming that slot; empty when it plays every time.
 */
export function neverPlays(
  slot: Slot,
  slots: Slot[],
  playlistName: (id: string) => string | null,
  timeOf: (minutes: number) => string,
): string[] {
  const w = words.schedule;
  const hidden = hiddenDays(slots, slot);
  const byInside = new Map<string, { inside: Slot; days: number[] }>();
  for (const { day, inside } of hidden) {
    const found = byInside.get(inside.id) ?? { inside, days: [] };
    found.days.push(day);
    byInside.set(inside.id, found);
  }
  const every = hidden.length === slot.days.length;
  return [...byInside.values()].map(({ inside, days }) =>
    w.neverPlays(
      every && byInside.size === 1
        ? null
        : w.daysOf(WEEK_ORDER.filter((d) => days.includes(d)).map((d) => w.dayShort[d]!)),
      slotLabel(inside, playlistName, timeOf),
    ),
  );
}

/**
 * Whether `slot` would be seen on `day`'s plan but lies wholly inside another there: it never plays
 * that day, or its hours past midnight from the day before never play then.
 */
export function hiddenOn(slot: Slot, slots: Slot[], day: number): boolean {
  const dayBefore = (day + 6) % 7;
  return hiddenDays(slots, slot).some(
    (h) => h.day === day || (h.day === dayBefore && slot.end < slot.start),
  );
}

/**
 * Checks a draft against the other slots: errors that keep it from being saved, and notes (it runs
 * past midnight; it overlaps others, and which plays then).
 */
export function checkDraft(
  draft: SlotDraft,
  slots: Slot[],
  playlistName: (id: string) => string | null,
  timeOf: (minutes: number) => string,
): DraftCheck {
  const w = words.schedule;
  const errors: string[] = [];
  if (!draft.days.length) errors.push(w.noDays);
  if (draft.end === draft.start) errors.push(w.sameTime);
  if (!draft.playlist || playlistName(draft.playlist) === null) errors.push(w.noPlaylist);
  const volume = draft.volume.trim() === '' ? null : Number(draft.volume);
  if (volume !== null && !(Number.isInteger(volume) && volume >= 0 && volume <= 100)) {
    errors.push(w.badVolume);
  }
  const slot: Slot = {
    id: draft.id ?? randomId(Math.random, 's'),
    days: WEEK_ORDER.filter((d) => draft.days.includes(d)),
    start: draft.start,
    end: draft.end,
    playlist: draft.playlist,
    volume,
  };
  const notes: string[] = [];
  if (draft.end < draft.start) notes.push(w.pastMidnight(timeOf(draft.end)));
  if (!errors.length) {
    const others = overlapping(slots, slot).map((s) => slotLabel(s, playlistName, timeOf));
    // Never playing is said first and on its own: "Overlaps" alone hid that it would not play.
    const never = neverPlays(slot, slots, playlistName, timeOf);
    notes.push(...never);
    const playsSometime = hiddenDays(slots, slot).length < slot.days.length;
    if (others.length && playsSometime) notes.push(w.overlaps(others.join('; ')));
  }
  return { slot: errors.length || !isSlot(slot) ? null : slot, errors, notes };
}
