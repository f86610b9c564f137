/**
 * The model at the sizes real use reaches: thousands of appends in a row, a 20,000-entry programme,
 * and what one write costs next to them.
 */
import type * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { createRandom, SimNetwork } from '@djamms/test-harness';
import { Library } from './Library';
import { LIMITS } from './schema';
import { must, updateBytes, venueWorld } from './test-support';

const tracks = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
const longest = (keys: string[]) => Math.max(...keys.map((k) => k.length));

describe('sizes', () => {
  it('VM9 VM14 10,000 appends to the programme keep every entry, in order, with short keys', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const ids: string[] = [];
    for (let i = 0; i < 10_000; i++) ids.push(must(admin.venue.addToProgramme(`t${i % 300}`)));
    const entries = admin.venue.snapshot().programme.entries;
    expect(entries.map((e) => e.id)).toEqual(ids);
    expect(longest(entries.map((e) => e.key))).toBeLessThanOrEqual(4);
  }, 120_000);

  it('VM9 VM14 10,000 requests through a lane that plays them keep every one, each played once', () => {
    const w = venueWorld();
    const tv = w.device('tv', 'player');
    must(tv.venue.claimLease());
    const played: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const id = `j${i}`;
      const track = { id: `t${i % 50}`, explicit: false };
      must(tv.venue.applyGuestEntries([{ id, kind: 'request', guest: `g${i % 7}`, track }], id));
      if (i % 3 === 2) {
        // Three requests come in, then three play.
        for (let k = 0; k < 3; k++) {
          const now = must(tv.venue.advance(tv.venue.snapshot().nowPlaying?.entry ?? null));
          if (now) played.push(now);
        }
      }
      // A request a minute for a week: a kiosk that never rests.
      w.tick(60_000);
    }
    const lane = tv.venue.snapshot().lane;
    const all = [...played, ...lane.map((e) => e.id)];
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((id) => id.startsWith('j')).sort()).toEqual(
      Array.from({ length: 10_000 }, (_, i) => `j${i}`).sort(),
    );
    expect(longest(lane.map((e) => e.key).concat('a0'))).toBeLessThanOrEqual(4);
  }, 120_000);

  it('VM9 VM21 10,000 appends to a playlist keep every item, in order, with short keys', () => {
    const net = new SimNetwork();
    const random = createRandom(3);
    const doc = net.addPeer('a').doc;
    const library = new Library(doc, { now: () => 0, random: () => random.next() });
    const list = must(library.createPlaylist('Everything'));
    const items: string[] = [];
    for (let i = 0; i < 10_000; i++) items.push(...must(library.addToPlaylist(list, [`t${i}`])));
    expect(library.playlistItems(list).map((i) => i.id)).toEqual(items);
    const order = doc.getMap('playlists').get(list) as Y.Map<Y.Map<string>>;
    const keys = [...order.get('order')!.values()];
    expect(longest(keys)).toBeLessThanOrEqual(5);
  }, 120_000);

  it('VM13 a programme holds 20,000 entries; a longer playlist is refused with a reason', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    must(admin.venue.loadPlaylist(tracks(LIMITS.programme)));
    expect(admin.venue.snapshot().programme.entries).toHaveLength(LIMITS.programme);
    expect(admin.venue.loadPlaylist(tracks(LIMITS.programme + 1))).toMatchObject({
      ok: false,
      error: 'limit',
    });
    expect(admin.venue.addToProgramme('one-more')).toMatchObject({ ok: false, error: 'limit' });
  });

  it('VM20 a write costs what it changes, next to a 5,000-entry programme', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const tv = w.device('tv', 'player');
    must(admin.venue.loadPlaylist(tracks(5_000)));
    for (let i = 0; i < 200; i++) must(admin.venue.addToProgramme(`extra${i}`));
    w.net.flush();
    must(tv.venue.claimLease());
    must(tv.venue.applySchedule({ date: '2026-11-27', day: 5, minutes: 600 }, () => null));
    must(
      admin.venue.setSlot({ id: 's', days: [5], start: 0, end: 1440, playlist: 'p', volume: 50 }),
    );
    w.net.flush();
    must(tv.venue.applySchedule({ date: '2026-11-27', day: 5, minutes: 600 }, () => tracks(5_000)));
    w.tick(15_000);
    const op = updateBytes(admin.peer.doc, () => must(admin.venue.setSetting('volume', 33)));
    const append = updateBytes(admin.peer.doc, () => must(admin.venue.addToProgramme('t1')));
    const beat = updateBytes(tv.peer.doc, () => must(tv.venue.heartbeat()));
    expect(op).toBeLessThanOrEqual(1_024);
    expect(append).toBeLessThanOrEqual(1_024);
    expect(beat).toBeLessThanOrEqual(300);
  });
});
