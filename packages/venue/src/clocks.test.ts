import { describe, expect, it } from 'vitest';
import { DeviceClock } from './clock';
import { encodeHlc, hlcWall, MAX_COUNT, nextHlc, parseHlc } from './hlc';
import { TIMING } from './schema';
import { appendRaw, must, storedFacts, venueWorld } from './test-support';
import { Venue } from './Venue';

const DAY = 24 * 3600_000;
const volumeStamp = (venue: Venue, writer: string) =>
  (
    storedFacts(venue.doc, writer).find((f) => (f as { k: string }).k === 'r:set:volume') as {
      h: string;
    }
  ).h;

describe('clocks', () => {
  it('VM5 a stamp is later than the newest counted and than now; a full counter moves the wall on', () => {
    const seen = encodeHlc({ wall: 5_000, count: 3, writer: 'b' });
    expect(parseHlc(nextHlc(1_000, 'a', seen))).toEqual({ wall: 5_000, count: 4, writer: 'a' });
    expect(parseHlc(nextHlc(9_000, 'a', seen))).toEqual({ wall: 9_000, count: 0, writer: 'a' });
    const full = encodeHlc({ wall: 5_000, count: MAX_COUNT, writer: 'b' });
    const next = nextHlc(1_000, 'a', full);
    expect(parseHlc(next)).toEqual({ wall: 5_001, count: 0, writer: 'a' });
    expect(next > full).toBe(true);
    expect(parseHlc('garbage')).toBeNull();
  });

  it('VM25 a kiosk whose clock reads year 5000 decides nothing and drags no one’s stamps along', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const other = w.device('other', 'admin');
    const kiosk = w.device('kiosk', 'kiosk', Date.UTC(5000, 0, 1) - w.now());
    must(kiosk.venue.kioskRequest({ id: 'from-the-future', explicit: false }));
    w.net.flush();
    must(admin.venue.setSetting('volume', 30));
    w.tick(1_000);
    must(other.venue.setSetting('volume', 70));
    w.net.flush();
    for (const d of [admin, other]) {
      const view = d.venue.snapshot();
      expect(view.settings.volume).toBe(70);
      expect(view.lane).toEqual([]);
      expect(view.problems.map((p) => [p.where, p.what])).toContainEqual([
        'writers.kiosk-w',
        expect.stringMatching(/^add r\w+ is stamped in the future, not counted yet$/),
      ]);
    }
    expect(hlcWall(volumeStamp(other.venue, 'other-w'))).toBe(w.now());
  });

  it('VM25 an admin whose clock is days fast cannot beat a later edit; once corrected its edit takes its real place', () => {
    const w = venueWorld();
    const tv = w.device('tv', 'player');
    const online = w.device('online', 'admin');
    let correction = 0;
    const peer = w.net.addPeer('fast');
    w.net.flush();
    const fast = new Venue(
      peer.doc,
      { writer: 'fast-w', device: 'fast', role: 'admin' },
      {
        now: () => w.now() + 3 * DAY + correction,
        random: Math.random,
        correction: () => correction,
      },
    );
    w.net.disconnect(peer);
    must(fast.setSetting('volume', 30)); // made offline, really at t0
    w.tick(60_000);
    must(online.venue.setSetting('volume', 70)); // really a minute later
    w.net.reconnect(peer);
    w.net.flush();
    expect(tv.venue.snapshot().settings.volume).toBe(70);
    // The fast phone reaches the relay and learns its clock is three days ahead.
    correction = -3 * DAY;
    const settled = storedFacts(peer.doc, 'fast-w').length;
    must(fast.settle());
    w.net.flush();
    // Re-dated to when it was really made, it lost to the later edit and was tidied away.
    expect(storedFacts(peer.doc, 'fast-w').map((f) => (f as { k: string }).k)).toEqual(['me']);
    expect(settled).toBe(2);
    for (const venue of [tv.venue, online.venue, fast]) {
      expect(venue.snapshot().settings.volume).toBe(70);
      expect(venue.snapshot().problems).toEqual([]);
    }
    w.tick(1_000);
    must(fast.setSetting('volume', 40));
    w.net.flush();
    expect(tv.venue.snapshot().settings.volume).toBe(40);
  });

  it('VM25 a counter at its maximum never makes a malformed stamp, and a malformed stamp hides only its fact', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const other = w.device('other', 'admin');
    must(admin.venue.setSetting('volume', 20));
    const maxed = encodeHlc({ wall: w.now(), count: MAX_COUNT, writer: 'admin-w' });
    appendRaw(
      admin.peer.doc,
      'admin-w',
      { k: 'r:set:crossfadeSeconds', v: 8, h: maxed },
      { k: 'r:set:muted', v: true, h: `${maxed}!` },
    );
    w.net.flush();
    must(other.venue.setSetting('crossfadeSeconds', 2));
    w.net.flush();
    const view = admin.venue.snapshot();
    expect(view.settings).toMatchObject({ crossfadeSeconds: 2, volume: 20, muted: false });
    expect(view.problems.map((p) => p.where)).toEqual(['writers.admin-w.r:set:muted']);
  });

  it('VM2 VM25 intents are fresh by corrected clocks: a phone minutes off skips once corrected', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const tv = w.device('tv', 'player');
    must(admin.venue.loadPlaylist(['t1', 't2']));
    w.net.flush();
    must(tv.venue.claimLease());
    must(tv.venue.advance(null));
    const raw = () => w.now() - 5 * 60_000;
    const clock = new DeviceClock(raw);
    const peer = w.net.addPeer('phone');
    w.net.flush();
    const phone = new Venue(
      peer.doc,
      { writer: 'phone-w', device: 'phone', role: 'admin' },
      { now: clock.now, random: Math.random, correction: () => clock.correction },
    );
    const late = must(phone.sendIntent('skip'));
    w.net.flush();
    expect(must(tv.venue.applyIntents())[late]).toMatchObject({ s: 'expired' });
    clock.correct(w.now() - 20, raw() - 40, raw());
    expect(clock.wrong).toBe(true);
    expect(Math.abs(clock.now() - w.now())).toBeLessThanOrEqual(1);
    const skip = must(phone.sendIntent('skip'));
    w.net.flush();
    expect(must(tv.venue.applyIntents())[skip]).toMatchObject({ s: 'applied' });
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('t2');
  });

  it('VM25 a device clock is corrected from a reading of the relay and says when it is off by over a minute', () => {
    let raw = 1_000_000;
    const clock = new DeviceClock(() => raw);
    expect([clock.now(), clock.corrected, clock.wrong]).toEqual([1_000_000, false, false]);
    clock.correct(1_030_000, 999_900, 1_000_100);
    expect(clock.now()).toBe(1_030_000);
    expect(clock.wrong).toBe(false);
    raw += 10;
    clock.correct(raw + TIMING.maxAhead + 1, raw, raw);
    expect(clock.wrong).toBe(true);
    clock.correct(Number.NaN, 0, 1);
    expect(clock.correction).toBe(TIMING.maxAhead + 1);
  });

  it('VM1 VM25 two versions of a key in one log settle on one: the next write deletes the loser', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const other = w.device('other', 'admin');
    must(admin.venue.setSetting('volume', 20));
    const ahead = (minutes: number) =>
      encodeHlc({ wall: w.now() + minutes * 60_000, count: 0, writer: 'admin-w' });
    // Two sessions of one writer (or a misbehaving app) left two more versions, both ahead.
    appendRaw(
      admin.peer.doc,
      'admin-w',
      { k: 'r:set:volume', v: 90, h: ahead(30) },
      { k: 'r:set:volume', v: 95, h: ahead(31) },
    );
    w.net.flush();
    must(admin.venue.settle());
    w.net.flush();
    const versions = storedFacts(admin.peer.doc, 'admin-w').filter(
      (f) => (f as { k: string }).k === 'r:set:volume',
    );
    expect(versions).toHaveLength(1);
    for (const venue of [admin.venue, other.venue]) {
      expect(venue.snapshot().settings.volume).toBe(95);
      expect(venue.snapshot().problems).toEqual([]);
    }
  });
});
