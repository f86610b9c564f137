import { readFileSync } from 'node:fs';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { migrateVenue, readMeta } from './meta';
import { SCHEMA_VERSION } from './schema';
import { must, venueWorld } from './test-support';
import { Venue } from './Venue';

const ports = (now: number) => ({ now: () => now, random: () => 0.25 });
const viewer = { writer: 'v-w', device: 'v', role: 'viewer' as const };

describe('reading', () => {
  it('VM16 malformed ledgers and facts are skipped and reported, never thrown', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    must(admin.venue.loadPlaylist(['t1', 't2']));
    must(admin.venue.playNext('good'));
    const ledgers = admin.peer.doc.getMap('ledgers');
    const mine = structuredClone(ledgers.get('admin-w')) as Record<string, Record<string, unknown>>;
    mine.adds!.bad1 = { lane: 'priority', track: 'x', key: '', h: 'nope', at: 1 };
    mine.adds!['__proto__'] = { polluted: true };
    mine.regs!['set:volume'] = { v: 'loud', h: (mine as unknown as { h: string }).h };
    mine.intents = [{ id: 'i', kind: 'explode' }] as unknown as Record<string, unknown>;
    ledgers.set('admin-w', mine);
    ledgers.set('junk', 'not a ledger');
    ledgers.set('numbers', 42);
    ledgers.set('fake-w', { v: 99, w: 'fake-w', dev: 'x', role: 'admin', h: mine.h });
    const view = admin.venue.snapshot();
    expect(view.lane.map((e) => e.track)).toEqual(['good']);
    expect(view.programme.entries.map((e) => e.track)).toEqual(['t1', 't2']);
    expect(view.settings.volume).toBe(60);
    const where = view.problems.map((p) => p.where).join(' ');
    for (const bad of [
      'adds.bad1',
      'intents[0]',
      'ledgers.junk',
      'ledgers.numbers',
      'ledgers.fake-w',
      'set:volume',
    ]) {
      expect(where).toContain(bad);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('VM16 a document of garbage shapes still gives a snapshot', () => {
    const doc = new Y.Doc();
    doc.getMap('meta').set('schemaVersion', 'one');
    doc.getMap('ledgers').set('x', null);
    const view = new Venue(doc, viewer, ports(0)).snapshot();
    expect(view.programme.entries).toEqual([]);
    expect(view.problems.length).toBeGreaterThan(0);
  });

  it('VM18 operations wait for the genesis; the snapshot says the venue has not loaded', () => {
    const doc = new Y.Doc();
    const venue = new Venue(doc, { writer: 'a-w', device: 'a', role: 'admin' }, ports(0));
    expect(venue.playNext('t')).toMatchObject({ ok: false, error: 'not-loaded' });
    expect(venue.snapshot().problems[0]?.where).toBe('meta');
    expect(doc.getMap('ledgers').size).toBe(0);
  });

  it('VM15 the frozen schema-1 fixture opens with everything it held', () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, readFileSync(new URL('../fixtures/venue-v1.bin', import.meta.url)));
    expect(must(migrateVenue(doc))).toBe(SCHEMA_VERSION);
    const view = new Venue(doc, viewer, ports(1795377600000)).snapshot();
    expect(view.meta).toMatchObject({
      venueId: 'vTestVenue',
      name: 'The Test Bar',
      schemaVersion: 1,
    });
    expect(view.programme.entries.map((e) => e.track)).toEqual(['fixA', 'fixB', 'fixC']);
    expect(view.nowPlaying?.track).toBe('fixA');
    expect(view.activePlayer).toBe('tv-w');
    expect(view.settings.volume).toBe(42);
    expect(view.volume).toBe(42);
    expect(view.schedules[0]).toMatchObject({ id: 'brunch', playlist: 'lBrunch', volume: 35 });
    expect(view.bans).toEqual(['fixBanned']);
    expect(view.lane.map((e) => [e.track, e.guest])).toEqual([['fixReq', 'guest1']]);
    expect(view.problems).toEqual([]);
  });

  it('VM15 migrations run in order; a newer document is never written', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const seen: number[] = [];
    const steps = [
      { from: 2, migrate: () => seen.push(2) },
      { from: 1, migrate: () => seen.push(1) },
    ];
    expect(must(migrateVenue(admin.peer.doc, steps))).toBe(2);
    expect(seen).toEqual([1]);
    admin.peer.doc.getMap('meta').set('schemaVersion', SCHEMA_VERSION + 5);
    expect(migrateVenue(admin.peer.doc)).toMatchObject({ ok: false, error: 'newer-schema' });
    expect(admin.venue.playNext('t')).toMatchObject({ ok: false, error: 'newer-schema' });
    expect(readMeta(admin.peer.doc)?.schemaVersion).toBe(SCHEMA_VERSION + 5);
  });

  it('VM22 each operation is one update; a refused or empty one is none', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const updates: Uint8Array[] = [];
    admin.peer.doc.on('update', (u: Uint8Array) => updates.push(u));
    must(admin.venue.loadPlaylist(['a', 'b', 'c']));
    must(admin.venue.playNext('x'));
    expect(admin.venue.remove('missing').ok).toBe(false);
    expect(updates).toHaveLength(2);
    must(admin.venue.clearLane()); // removes x
    must(admin.venue.clearLane()); // tidies the add of x away
    must(admin.venue.clearLane()); // nothing left to do
    expect(updates).toHaveLength(4);
  });

  it('VM19 replicas that received the same updates in different orders show the same venue', () => {
    const w = venueWorld(3);
    const a = w.device('a', 'admin');
    const b = w.device('b', 'admin');
    const c = w.device('c', 'admin');
    for (const d of [a, b, c]) w.net.disconnect(d.peer);
    must(a.venue.loadPlaylist(['1', '2', '3']));
    must(b.venue.playNext('x'));
    must(c.venue.setSetting('volume', 12));
    w.net.heal();
    w.net.deliverSome(w.random, 1_000);
    w.net.flush();
    const views = [a, b, c].map((d) => d.venue.snapshot());
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
  });
});
