import { describe, expect, it } from 'vitest';
import type { Slot } from '@djamms/venue';
import { words } from '$lib/strings';
import {
  blankDraft,
  checkDraft,
  draftOf,
  ENDS,
  hiddenOn,
  neverPlays,
  STARTS,
  slotLabel,
} from './schedule-form';

const w = words.schedule;
const names: Record<string, string> = { pBrunch: 'Brunch', pLate: 'Late night' };
const playlistName = (id: string) => names[id] ?? null;
const timeOf = (m: number) =>
  `${String(Math.floor((m % 1440) / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const brunch: Slot = {
  id: 'sB',
  days: [6, 0],
  start: 600,
  end: 840,
  playlist: 'pBrunch',
  volume: 35,
};

describe('the schedule form', () => {
  it('offers every quarter hour, ends from 00:15 to midnight', () => {
    expect([STARTS.length, STARTS[0], STARTS.at(-1)]).toEqual([96, 0, 1425]);
    expect([ENDS.length, ENDS[0], ENDS.at(-1)]).toEqual([96, 15, 1440]);
  });

  it('starts a new slot today at the quarter hour before now, for two hours', () => {
    expect(blankDraft(3, 607, 'pBrunch')).toEqual({
      id: null,
      days: [3],
      start: 600,
      end: 720,
      playlist: 'pBrunch',
      volume: '',
    });
    // Late in the evening the two hours run past midnight.
    expect(blankDraft(5, 23 * 60 + 20, '').end).toBe(75);
  });

  it('saves a well-formed slot with its days in week order and a volume or none', () => {
    const check = checkDraft({ ...draftOf(brunch), volume: '' }, [], playlistName, timeOf);
    expect(check.errors).toEqual([]);
    expect(check.slot).toEqual({ ...brunch, days: [6, 0], volume: null });
    const fresh = checkDraft(blankDraft(1, 600, 'pLate'), [], playlistName, timeOf).slot;
    expect(fresh?.id).toMatch(/^s[0-9a-z]{12}$/);
  });

  it('says in words what keeps a slot from being saved', () => {
    const bad = checkDraft(
      { id: null, days: [], start: 600, end: 600, playlist: 'pGone', volume: '101' },
      [],
      playlistName,
      timeOf,
    );
    expect(bad.slot).toBeNull();
    expect(bad.errors).toEqual([w.noDays, w.sameTime, w.noPlaylist, w.badVolume]);
    for (const volume of ['-1', '2.5', 'loud']) {
      expect(checkDraft({ ...draftOf(brunch), volume }, [], playlistName, timeOf).errors).toEqual([
        w.badVolume,
      ]);
    }
    // Midnight to midnight is a whole day, not an empty slot.
    const allDay = checkDraft(
      { ...draftOf(brunch), start: 0, end: 1440 },
      [],
      playlistName,
      timeOf,
    );
    expect(allDay.errors).toEqual([]);
  });

  it('notes a slot that runs past midnight and one that overlaps another, naming it', () => {
    const late = {
      ...draftOf(brunch),
      id: null,
      days: [5],
      start: 22 * 60,
      end: 11 * 60,
      playlist: 'pLate',
    };
    const check = checkDraft(late, [brunch], playlistName, timeOf);
    expect(check.slot).not.toBeNull();
    expect(check.notes).toEqual([
      w.pastMidnight('11:00'),
      w.overlaps('Brunch, Sat, Sun 10:00–14:00'),
    ]);
    // A slot does not overlap itself when it is edited.
    expect(checkDraft(draftOf(brunch), [brunch], playlistName, timeOf).notes).toEqual([]);
  });

  it('names a slot by its playlist, days and times, and a deleted playlist as such', () => {
    expect(slotLabel(brunch, playlistName, timeOf)).toBe('Brunch, Sat, Sun 10:00–14:00');
    const every = { ...brunch, days: [0, 1, 2, 3, 4, 5, 6], playlist: 'pGone' };
    expect(slotLabel(every, playlistName, timeOf)).toBe(
      `${w.missingPlaylist}, Every day 10:00–14:00`,
    );
  });

  it('VM32 says a slot wholly inside an earlier one will never play, and names that one', () => {
    const late: Slot = {
      id: 'sL',
      days: [6],
      start: 22 * 60,
      end: 120,
      playlist: 'pLate',
      volume: null,
    };
    const draft = {
      id: null,
      days: [6],
      start: 23 * 60,
      end: 23 * 60 + 30,
      playlist: 'pBrunch',
      volume: '',
    };
    const check = checkDraft(draft, [late], playlistName, timeOf);
    expect(check.notes).toEqual([
      'It will never play: it lies wholly inside Late night, Sat 22:00–02:00, which starts first and plays to its end. Change its times or days.',
    ]);
    // Saturday inside, Friday free: it says which day, and still that it overlaps.
    const twoDays = checkDraft({ ...draft, days: [5, 6] }, [late], playlistName, timeOf);
    expect(twoDays.notes[0]).toMatch(
      /^On Sat it will never play: it lies wholly inside Late night/,
    );
    expect(twoDays.notes[1]).toMatch(/^Overlaps Late night/);
    // One that outlasts the earlier slot plays once it ends: only the overlap is said.
    const longer = checkDraft({ ...draft, end: 180 }, [late], playlistName, timeOf);
    expect(longer.notes.some((n) => n.includes('never play'))).toBe(false);
    expect(neverPlays(late, [late], playlistName, timeOf)).toEqual([]);
  });

  it('VM32 tells which days a slot inside another is missing from: its own, and the next past midnight', () => {
    const late: Slot = {
      id: 'sL',
      days: [5, 6],
      start: 20 * 60,
      end: 180,
      playlist: 'pLate',
      volume: null,
    };
    const inside: Slot = { ...late, id: 'sI', days: [6], start: 23 * 60, end: 60 };
    const slots = [late, inside];
    // Saturday's plan and Sunday's small hours would show it; Friday's and Wednesday's would not.
    expect([6, 0, 5, 3].map((day) => hiddenOn(inside, slots, day))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    // Inside on a Saturday evening only, it is not missing from Sunday's plan.
    const evening = { ...inside, end: 23 * 60 + 30 };
    expect([6, 0].map((day) => hiddenOn(evening, [late, evening], day))).toEqual([true, false]);
    expect(hiddenOn(late, slots, 6)).toBe(false);
  });
});
