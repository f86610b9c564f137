/**
 * Undo and redo of this device's own queue edits (issue 8). Each edit is done through the model and
 * answers the edit that takes it back, so undo and redo are plain model operations too (an add is
 * undone by removing its entry, a removal by adding the track again where it was, a move by moving
 * it back before its old neighbour). Other devices' edits are never undone from here.
 *
 * Putting a removed entry back makes a new entry, so steps that name the old one (a move of it, a
 * removal before which it was the neighbour) follow it to the new one through {@link renamed}.
 */
import type { EntryView, Result, Venue } from '@djamms/venue';

/** An edit that can be done; doing it answers the edit that takes it back. */
export interface Edit {
  /** What it does, in words ("added Hey Jude"). */
  readonly label: string;
  run(): Result<Edit>;
}

type Titles = (track: string) => string;
type Words = {
  add: (title: string) => string;
  playNext: (title: string) => string;
  remove: (title: string) => string;
  move: (title: string) => string;
};

const MAX_STEPS = 50;

/** The entries of `entry`'s list, in play order. */
function listOf(venue: Venue, entry: { id: string; lane: EntryView['lane'] }): EntryView[] {
  const snap = venue.snapshot();
  return entry.lane === 'priority' ? snap.lane : snap.programme.entries;
}

function nextOf(list: EntryView[], id: string): string | null {
  const i = list.findIndex((e) => e.id === id);
  return i >= 0 ? (list[i + 1]?.id ?? null) : null;
}

/** A step of the history: what the person did, and the edit that takes it back (or redoes it). */
interface Step {
  readonly label: string;
  readonly edit: Edit;
}

export class QueueEdits {
  undoable = $state.raw<Step[]>([]);
  redoable = $state.raw<Step[]>([]);
  /** An entry this history removed and put back, by its old id: the entry that replaced it. */
  private readonly renamed = new Map<string, string>();

  constructor(
    private readonly venue: () => Venue,
    private readonly title: Titles,
    private readonly words: Words,
  ) {}

  /** Adds `track` to the programme's end, or first in the lane ("play next"). */
  add(track: string, lane: EntryView['lane']): Result<string> {
    return this.doing(this.adding(track, lane, undefined));
  }

  remove(entry: EntryView): Result<string> {
    return this.doing(this.removing(entry.id));
  }

  /** Moves `entry` before `before` (null: to the end). */
  move(entry: EntryView, before: string | null): Result<string> {
    return this.doing(this.moving(entry.id, entry.track, entry.lane, before));
  }

  /** Takes back the newest edit; one that no longer applies (its entry played) is dropped. */
  undo(): Result<string> {
    const [step, ...rest] = this.undoable;
    if (!step) return { ok: false, error: 'not-found', message: 'nothing to undo' };
    this.undoable = rest;
    const done = step.edit.run();
    if (!done.ok) return done;
    this.redoable = [{ label: step.label, edit: done.value }, ...this.redoable];
    return { ok: true, value: step.label };
  }

  /** Does again what was last undone. */
  redo(): Result<string> {
    const [step, ...rest] = this.redoable;
    if (!step) return { ok: false, error: 'not-found', message: 'nothing to redo' };
    this.redoable = rest;
    const done = step.edit.run();
    if (!done.ok) return done;
    this.undoable = [{ label: step.label, edit: done.value }, ...this.undoable].slice(0, MAX_STEPS);
    return { ok: true, value: step.label };
  }

  private doing(edit: Edit): Result<string> {
    const done = edit.run();
    if (!done.ok) return done;
    this.undoable = [{ label: edit.label, edit: done.value }, ...this.undoable].slice(0, MAX_STEPS);
    this.redoable = [];
    return { ok: true, value: edit.label };
  }

  /** The entry that stands for `id` now: itself, or what replaced it when it was put back. */
  private current(id: string): string {
    const next = this.renamed.get(id);
    return next === undefined ? id : this.current(next);
  }

  /**
   * Adds `track`. Taking back the removal of `replaces`, it goes where that entry was: before
   * `before`, or last (the lane adds first, so it is moved there).
   */
  private adding(
    track: string,
    lane: EntryView['lane'],
    before: string | null | undefined,
    replaces?: string,
  ): Edit {
    const title = this.title(track);
    return {
      label: lane === 'priority' ? this.words.playNext(title) : this.words.add(title),
      run: () => {
        const venue = this.venue();
        const added = lane === 'priority' ? venue.playNext(track) : venue.addToProgramme(track);
        if (!added.ok) return added;
        if (before !== undefined && (before !== null || lane === 'priority')) {
          venue.move(added.value, before === null ? null : this.current(before));
        }
        if (replaces !== undefined) this.renamed.set(replaces, added.value);
        return { ok: true, value: this.removing(added.value) };
      },
    };
  }

  private removing(id: string): Edit {
    const venue = this.venue;
    const entry = () => {
      const snap = venue().snapshot();
      const now = this.current(id);
      return [...snap.lane, ...snap.programme.entries].find((e) => e.id === now);
    };
    const found = entry();
    return {
      label: this.words.remove(this.title(found?.track ?? '')),
      run: () => {
        const now = entry();
        if (!now) return { ok: false, error: 'not-found', message: 'that entry is already gone' };
        const before = nextOf(listOf(venue(), now), now.id);
        const removed = venue().remove(now.id);
        if (!removed.ok) return removed;
        return { ok: true, value: this.adding(now.track, now.lane, before, now.id) };
      },
    };
  }

  private moving(id: string, track: string, lane: EntryView['lane'], before: string | null): Edit {
    return {
      label: this.words.move(this.title(track)),
      run: () => {
        const venue = this.venue();
        const now = this.current(id);
        const was = nextOf(listOf(venue, { id: now, lane }), now);
        const moved = venue.move(now, before === null ? null : this.current(before));
        if (!moved.ok) return moved;
        return { ok: true, value: this.moving(now, track, lane, was) };
      },
    };
  }
}
