import { describe, expect, it } from 'vitest';
import { createRandom } from '@djamms/test-harness';
import {
  DAY_MINUTES,
  dayPlan,
  hiddenDays,
  isSlot,
  minutesToNextChange,
  overlapping,
  slotAt,
  slotLength,
  type LocalTime,
  type Slot,
} from './schedule';
import { must, openBar, venueWorld } from './test-support';

const WEEK = 7 * DAY_MINUTES;
const slot = (
  id: string,
  days: number[],
  start: number,
  end: number,
  volume: number | null = null,
) => ({ id, days, start, end, playlist: `pl${id}`, volume }) satisfies Slot;

/** Random well-formed slots, a quarter of them running past midnight. */
function randomSlots(random: ReturnType<typeof createRandom>, n: number): Slot[] {
  return Array.from({ length: n }, (_, i) => {
    const days = [0, 1, 2, 3, 4, 5, 6].filter(() => random.next() < 0.4);
    const start = Math.floor(random.next() * 96) * 15;
    let end = Math.floor(random.next() * 96) * 15 + 15;
    if (end === start) end = (start + 60) % DAY_MINUTES || DAY_MINUTES;
    return slot(`s${i}`, days.length ? days : [Math.floor(random.next() * 7)], start, end);
  });
}

/** The slot playing at minute `t` of the week, by brute force: every occurrence, earliest first. */
function bruteForce(slots: Slot[], t: number): Slot | null {
  let best: { slot: Slot; from: number } | null = null;
  for (const s of slots) {
    for (const d of s.days) {
      // The occurrence that started on day d of this week or, wrapping, of the week before.
      for (const from of [d * DAY_MINUTES + s.start, d * DAY_MINUTES + s.start - WEEK]) {
        if (t < from || t >= from + slotLength(s)) continue;
        if (!best || from < best.from || (from === best.from && s.id < best.slot.id)) {
          best = { slot: s, from };
        }
      }
    }
  }
  return best?.slot ?? null;
}

const at = (date: string, day: number, minutes: number): LocalTime => ({ date, day, minutes });

describe('schedule slots', () => {
  it('VM32 the slot playing is the covering occurrence that started first, across midnight and the week', () => {
    const random = createRandom(32);
    for (let round = 0; round < 200; round++) {
      const slots = randomSlots(random, 1 + Math.floor(random.next() * 5));
      for (let probe = 0; probe < 50; probe++) {
        const t = Math.floor(random.next() * WEEK);
        const day = Math.floor(t / DAY_MINUTES);
        expect(slotAt(slots, day, t % DAY_MINUTES)?.slot ?? null).toBe(bruteForce(slots, t));
      }
    }
  });

  it('VM32 a day plan covers the day without gaps and agrees with what plays at every minute', () => {
    const random = createRandom(3232);
    for (let round = 0; round < 60; round++) {
      const slots = randomSlots(random, 1 + Math.floor(random.next() * 4));
      const day = Math.floor(random.next() * 7);
      const plan = dayPlan(slots, day);
      expect(plan[0]!.from).toBe(0);
      expect(plan.at(-1)!.to).toBe(DAY_MINUTES);
      for (let i = 1; i < plan.length; i++) expect(plan[i]!.from).toBe(plan[i - 1]!.to);
      for (const part of plan) {
        for (let m = part.from; m < part.to; m += 5) {
          expect(slotAt(slots, day, m)?.slot ?? null).toBe(part.slot);
        }
      }
    }
  });

  it('VM32 nothing changes before the next change the player waits for', () => {
    const random = createRandom(323);
    for (let round = 0; round < 40; round++) {
      const slots = randomSlots(random, 1 + Math.floor(random.next() * 4));
      const day = Math.floor(random.next() * 7);
      const minutes = Math.floor(random.next() * DAY_MINUTES);
      const wait = minutesToNextChange(slots, at('2026-11-30', day, minutes));
      expect(wait).toBeGreaterThan(0);
      const playing = slotAt(slots, day, minutes);
      for (let m = minutes; m < minutes + wait; m++) {
        const there = slotAt(slots, day, m);
        expect([there?.slot, there?.from]).toEqual([playing?.slot, playing?.from]);
      }
    }
  });

  it('VM32 a slot is refused unless it has days, a start and an end that differ, and a playlist', () => {
    expect(isSlot(slot('late', [5], 22 * 60, 2 * 60))).toBe(true);
    expect(isSlot(slot('day', [0, 6], 0, DAY_MINUTES, 40))).toBe(true);
    for (const bad of [
      slot('same', [1], 600, 600),
      slot('nodays', [], 600, 700),
      slot('twice', [1, 1], 600, 700),
      slot('day7', [7], 600, 700),
      slot('late', [1], DAY_MINUTES, 60),
      slot('frac', [1], 600.5, 700),
      { ...slot('loud', [1], 600, 700), volume: 101 },
      { ...slot('pl', [1], 600, 700), playlist: '' },
      { ...slot('x', [1], 600, 700), id: 'has space' },
    ]) {
      expect(isSlot(bad)).toBe(false);
    }
    const { admin } = openBar(venueWorld(), ['t1']);
    must(admin.venue.setSlot(slot('ok', [1], 600, 700)));
    const refused = admin.venue.setSlot(slot('ok', [1], 700, 700));
    expect(refused.ok).toBe(false);
    expect(admin.venue.snapshot().schedules).toEqual([slot('ok', [1], 600, 700)]);
  });

  it('VM32 overlaps are found on the same day and across midnight and the week', () => {
    const brunch = slot('brunch', [6], 600, 840);
    const lunch = slot('lunch', [6], 780, 900);
    const late = slot('late', [6], 22 * 60, 2 * 60);
    const sunday = slot('sunday', [0], 60, 600);
    const monday = slot('monday', [1], 60, 600);
    const all = [brunch, lunch, late, sunday, monday];
    expect(overlapping(all, brunch)).toEqual([lunch]);
    expect(overlapping(all, late)).toEqual([sunday]);
    expect(overlapping(all, monday)).toEqual([]);
  });

  it('VM32 a slot wholly inside one that started first never plays, and which one is named', () => {
    const late = slot('late', [6], 22 * 60, 2 * 60);
    const inside = slot('inside', [5, 6], 23 * 60, 23 * 60 + 30);
    const afterMidnight = slot('after', [0], 30, 60);
    const outlasts = slot('outlasts', [6], 23 * 60, 3 * 60);
    const all = [late, inside, afterMidnight, outlasts];
    // Friday's plays (nothing else then); Saturday's is inside the late slot.
    expect(hiddenDays(all, inside)).toEqual([{ day: 6, inside: late }]);
    expect(hiddenDays(all, afterMidnight)).toEqual([{ day: 0, inside: late }]);
    // One that lasts longer takes over when the first ends: it plays.
    expect(hiddenDays(all, outlasts)).toEqual([]);
    expect(hiddenDays(all, late)).toEqual([]);
    // A slot being drafted is checked against the others without being among them.
    expect(hiddenDays([late], slot('new', [6], 22 * 60 + 15, 23 * 60))).toEqual([
      { day: 6, inside: late },
    ]);
  });

  it('VM32 hiddenDays agrees with what plays minute by minute (seeded property test)', () => {
    const random = createRandom(32);
    for (let round = 0; round < 60; round++) {
      const slots = randomSlots(random, 5);
      for (const s of slots) {
        const hidden = new Set(hiddenDays(slots, s).map((h) => h.day));
        for (const day of s.days) {
          let plays = false;
          for (let t = s.start; t < s.start + slotLength(s) && !plays; t++) {
            const on = t < DAY_MINUTES ? day : (day + 1) % 7;
            const run = slotAt(slots, on, t % DAY_MINUTES);
            plays =
              run?.slot.id === s.id && run.from === s.start - (t < DAY_MINUTES ? 0 : DAY_MINUTES);
          }
          expect(hidden.has(day), `round ${round}, ${s.id} on ${day}`).toBe(!plays);
        }
      }
    }
  });
});

describe('following the schedule', () => {
  const tracksOf = (lists: Record<string, string[]>) => (id: string) => lists[id] ?? null;
  const lists = { plbrunch: ['b1', 'b2'], pllate: ['l1', 'l2', 'l3'], pllunch: ['u1'] };

  function bar() {
    const { w, admin, tv } = openBar(venueWorld(), ['t1', 't2']);
    const programme = () => tv.venue.snapshot().programme.entries.map((e) => e.track);
    const volume = () => tv.venue.snapshot().settings.volume;
    return { w, admin, tv, programme, volume };
  }

  it('VM32 a slot occurrence loads its playlist and volume once; people change them until the next one', () => {
    const { w, admin, tv, programme, volume } = bar();
    must(admin.venue.setSlot(slot('brunch', [6], 600, 840, 35)));
    w.net.flush();
    expect(must(tv.venue.applySchedule(at('2026-11-28', 6, 599), tracksOf(lists)))).toBeNull();
    expect(programme()).toEqual(['t1', 't2']);
    expect(must(tv.venue.applySchedule(at('2026-11-28', 6, 600), tracksOf(lists)))).toBe('brunch');
    expect([programme(), volume()]).toEqual([['b1', 'b2'], 35]);
    // What plays finishes, then the playlist starts from its first track.
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('t1');
    expect(tv.venue.upNext(2).map((e) => e.track)).toEqual(['b1', 'b2']);
    w.net.flush();
    // A bartender changes both inside the slot; a reload or a re-check does not undo it.
    must(admin.venue.loadPlaylist(['x1']));
    must(admin.venue.setSetting('volume', 60));
    w.net.flush();
    expect(must(tv.venue.applySchedule(at('2026-11-28', 6, 700), tracksOf(lists)))).toBeNull();
    expect([programme(), volume()]).toEqual([['x1'], 60]);
    // When the slot ends and none follows, what plays stays as it is.
    expect(must(tv.venue.applySchedule(at('2026-11-28', 6, 900), tracksOf(lists)))).toBeNull();
    expect(programme()).toEqual(['x1']);
    // Next Saturday is a new occurrence.
    expect(must(tv.venue.applySchedule(at('2026-12-05', 6, 610), tracksOf(lists)))).toBe('brunch');
    expect([programme(), volume()]).toEqual([['b1', 'b2'], 35]);
  });

  it('VM32 a slot past midnight is one occurrence, and a new player carries on from it', () => {
    const { w, admin, tv, programme } = bar();
    must(admin.venue.setSlot(slot('late', [5, 6], 22 * 60, 2 * 60)));
    w.net.flush();
    expect(must(tv.venue.applySchedule(at('2026-11-27', 5, 23 * 60), tracksOf(lists)))).toBe(
      'late',
    );
    w.net.flush();
    must(admin.venue.loadPlaylist(['x1']));
    w.net.flush();
    // Saturday 01:00 is still Friday's occurrence; a second TV taking over knows it was applied.
    const tv2 = w.device('tv2', 'player');
    w.tick(60_000);
    must(tv2.venue.claimLease());
    expect(must(tv2.venue.applySchedule(at('2026-11-28', 6, 60), tracksOf(lists)))).toBeNull();
    expect(programme()).toEqual(['x1']);
    expect(must(tv2.venue.applySchedule(at('2026-11-28', 6, 22 * 60), tracksOf(lists)))).toBe(
      'late',
    );
    w.net.flush();
    expect(programme()).toEqual(['l1', 'l2', 'l3']);
  });

  it('VM32 an occurrence is applied once even when local time runs back over it (clocks go back)', () => {
    const { w, admin, tv, programme } = bar();
    must(admin.venue.setSlot(slot('brunch', [0], 75, 105)));
    must(admin.venue.setSlot(slot('lunch', [0], 90, 150)));
    w.net.flush();
    const sunday = (minutes: number) => at('2026-10-25', 0, minutes);
    expect(must(tv.venue.applySchedule(sunday(80), tracksOf(lists)))).toBe('brunch');
    expect(must(tv.venue.applySchedule(sunday(110), tracksOf(lists)))).toBe('lunch');
    // 01:59 BST becomes 01:00 GMT: brunch's time comes round again, and is not applied again.
    expect(must(tv.venue.applySchedule(sunday(80), tracksOf(lists)))).toBeNull();
    expect(programme()).toEqual(['u1']);
    // A week later it is a new occurrence; what was remembered from the week before is let go.
    expect(must(tv.venue.applySchedule(at('2026-11-01', 0, 80), tracksOf(lists)))).toBe('brunch');
    w.net.flush();
    const fact = JSON.stringify(tv.peer.doc.getMap('writers').get('tv-w'));
    expect(fact).toContain('"occ":"brunch@2026-11-01"');
    expect(fact).not.toContain('2026-10-25');
  });

  it('VM32 of overlapping slots the earlier plays its length, then the other takes over', () => {
    const { w, admin, tv, programme } = bar();
    must(admin.venue.setSlot(slot('brunch', [6], 600, 840)));
    must(admin.venue.setSlot(slot('lunch', [6], 780, 900)));
    w.net.flush();
    expect(must(tv.venue.applySchedule(at('2026-11-28', 6, 800), tracksOf(lists)))).toBe('brunch');
    expect(must(tv.venue.applySchedule(at('2026-11-28', 6, 840), tracksOf(lists)))).toBe('lunch');
    expect(programme()).toEqual(['u1']);
  });

  it('VM32 a missing or empty playlist changes nothing, and applies once it is there', () => {
    const { w, admin, tv, programme, volume } = bar();
    must(admin.venue.setSlot(slot('brunch', [6], 600, 840, 20)));
    w.net.flush();
    const missing = tv.venue.applySchedule(at('2026-11-28', 6, 610), tracksOf({}));
    expect(missing).toMatchObject({ ok: false, error: 'not-found' });
    const empty = tv.venue.applySchedule(at('2026-11-28', 6, 610), tracksOf({ plbrunch: [] }));
    expect(empty).toMatchObject({ ok: false, error: 'empty' });
    expect([programme(), volume()]).toEqual([['t1', 't2'], 60]);
    expect(must(tv.venue.applySchedule(at('2026-11-28', 6, 620), tracksOf(lists)))).toBe('brunch');
    expect([programme(), volume()]).toEqual([['b1', 'b2'], 20]);
  });
});

describe('clocks and the schedule', () => {
  it('VM33 a player found far from the relay’s time pauses the schedule and says so in its heartbeat', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    let correction = 6 * 60_000;
    // A player whose shell measured its clock six minutes behind the relay's.
    const player = w.device('tv', 'player', 0, () => correction).venue;
    must(admin.venue.loadPlaylist(['t1']));
    must(admin.venue.setSlot(slot('brunch', [6], 600, 840, 35)));
    w.net.flush();
    must(player.claimLease());
    must(player.heartbeat());
    const local = at('2026-11-28', 6, 610);
    expect(player.clockDoubt()).toEqual({ why: 'relay', ms: 6 * 60_000 });
    expect(player.applySchedule(local, () => ['b1'])).toMatchObject({ error: 'clock-wrong' });
    w.net.flush();
    const seen = admin.venue.snapshot().players.find((p) => p.device === 'tv');
    expect(seen?.clock).toEqual({ why: 'relay', ms: 6 * 60_000 });
    expect(admin.venue.snapshot().programme.entries.map((e) => e.track)).toEqual(['t1']);
    // Within five minutes the schedule runs, and the next heartbeat clears the warning.
    correction = -4 * 60_000;
    expect(player.clockDoubt()).toBeNull();
    expect(must(player.applySchedule(local, () => ['b1']))).toBe('brunch');
    must(player.heartbeat());
    w.net.flush();
    expect(admin.venue.snapshot().players.find((p) => p.device === 'tv')?.clock).toBeNull();
  });

  it('VM33 a player whose clock reads earlier than the venue’s latest changes pauses the schedule', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const tv = w.device('tv', 'player', -3 * 60 * 60_000);
    must(admin.venue.loadPlaylist(['t1']));
    must(admin.venue.setSlot(slot('brunch', [6], 600, 840, 35)));
    w.net.flush();
    must(tv.venue.claimLease());
    const doubt = tv.venue.clockDoubt();
    expect(doubt?.why).toBe('venue');
    // At least the three hours between its clock and the admin's edits.
    expect(doubt!.ms).toBeGreaterThanOrEqual(3 * 60 * 60_000);
    const local = at('2026-11-28', 6, 610);
    expect(tv.venue.applySchedule(local, () => ['b1'])).toMatchObject({ error: 'clock-wrong' });
    must(tv.venue.heartbeat());
    w.net.flush();
    expect(admin.venue.snapshot().players.find((p) => p.device === 'tv')?.clock?.why).toBe('venue');
    expect(admin.venue.snapshot().programme.entries.map((e) => e.track)).toEqual(['t1']);
  });
});
