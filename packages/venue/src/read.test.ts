import { readFileSync } from 'node:fs';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { createVenue, migrateVenue, readMeta, venueFromRelay } from './meta';
import { LEGACY_LEDGERS_MAP, SCHEMA_VERSION, WRITERS_MAP } from './schema';
import { upNext } from './snapshot';
import { appendRaw, must, storedFacts, venueWorld } from './test-support';
import { Venue } from './Venue';

const ports = (now: number) => ({ now: () => now, random: () => 0.25 });
const viewer = { writer: 'v-w', device: 'v', role: 'viewer' as const };
const fixture = (name: string) => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
  return doc;
};
/** The moment the frozen fixtures were written. */
const FIXTURE_TIME = 1795377600000;

describe('reading', () => {
  it('VM16 malformed logs and facts are skipped and reported, never thrown', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    must(admin.venue.loadPlaylist(['t1', 't2']));
    must(admin.venue.playNext('good'));
    const h = (storedFacts(admin.peer.doc, 'admin-w')[1] as { h: string }).h;
    appendRaw(
      admin.peer.doc,
      'admin-w',
      { k: 'a:bad1', lane: 'priority', track: 'x', key: '', h: 'nope', at: 1 },
      { k: '__proto__', polluted: true },
      { k: 'r:set:volume', v: 'loud', h: `${h.slice(0, 10)}zzzz${h.slice(14)}` },
      { k: 'i:i1', kind: 'explode', at: 1, h, stop: 0 },
      42,
      'text',
    );
    const writers = admin.peer.doc.getMap(WRITERS_MAP);
    writers.set('junk', 'not a log');
    appendRaw(admin.peer.doc, 'fake-w', { k: 'r:set:volume', v: 99, h });
    admin.peer.doc.getMap(LEGACY_LEDGERS_MAP).set('numbers', 42);
    const view = admin.venue.snapshot();
    expect(view.lane.map((e) => e.track)).toEqual(['good']);
    expect(view.programme.entries.map((e) => e.track)).toEqual(['t1', 't2']);
    expect(view.settings.volume).toBe(60);
    const where = view.problems.map((p) => `${p.where}: ${p.what}`).join('\n');
    for (const bad of [
      'a:bad1',
      'i:i1',
      'writers.junk: not a log',
      'writers.fake-w: no writer fact',
      'ledgers.numbers: not a ledger',
      'r:set:volume: invalid',
      '(fact without a key)',
    ]) {
      expect(where).toContain(bad);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('VM16 a writer never erases what it cannot read: its malformed facts stay, the rest still count', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    appendRaw(admin.peer.doc, 'admin-w', { k: 'a:weird', lane: 'sideways' });
    must(admin.venue.setSetting('volume', 20));
    must(admin.venue.setSetting('volume', 30));
    expect(storedFacts(admin.peer.doc, 'admin-w')).toContainEqual({
      k: 'a:weird',
      lane: 'sideways',
    });
    expect(admin.venue.snapshot().settings.volume).toBe(30);
  });

  it('VM16 a document of garbage shapes still gives a snapshot', () => {
    const doc = new Y.Doc();
    doc.getMap('meta').set('schemaVersion', 'one');
    doc.getMap(WRITERS_MAP).set('x', null);
    doc.getMap(LEGACY_LEDGERS_MAP).set('y', { v: 1, w: 'y' });
    const view = new Venue(doc, viewer, ports(0)).snapshot();
    expect(view.programme.entries).toEqual([]);
    expect(view.problems.length).toBeGreaterThan(2);
  });

  it('VM18 operations wait for the genesis; the snapshot says the venue has not loaded', () => {
    const doc = new Y.Doc();
    const venue = new Venue(doc, { writer: 'a-w', device: 'a', role: 'admin' }, ports(0));
    expect(venue.playNext('t')).toMatchObject({ ok: false, error: 'not-loaded' });
    expect(venue.snapshot().problems[0]?.where).toBe('meta');
    expect(doc.getMap(WRITERS_MAP).size).toBe(0);
  });

  it('VM18 a venue created at the relay alone gets one genesis from every device that writes it', () => {
    const info = { venueId: 'vCurl', libraryId: 'lCurl', name: 'Curl Bar', created: 5 };
    const [a, b] = [new Y.Doc(), new Y.Doc()];
    must(createVenue(a, venueFromRelay(info)));
    must(createVenue(b, venueFromRelay(info)));
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(readMeta(a)).toEqual(readMeta(b));
    expect(readMeta(a)).toMatchObject({ name: 'Curl Bar', created: 5, epoch: 'vCurl' });
  });

  it('VM15 the frozen schema-1 fixture opens with everything it held', () => {
    const doc = fixture('venue-v1.bin');
    const view = new Venue(doc, viewer, ports(FIXTURE_TIME)).snapshot();
    expect(view.meta).toMatchObject({ venueId: 'vTestVenue', name: 'The Test Bar' });
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

  it('VM15 a schema-1 document is migrated on open, keeps every fact as its writers convert, and a schema-1 app then refuses to write', () => {
    const doc = fixture('venue-v1.bin');
    const admin = new Venue(
      doc,
      { writer: 'admin-w', device: 'admin', role: 'admin' },
      ports(FIXTURE_TIME + 1_000),
    );
    expect(must(admin.migrate())).toBe(SCHEMA_VERSION);
    expect(readMeta(doc)?.schemaVersion).toBe(2);
    const before = admin.snapshot();
    must(admin.setSetting('volume', 50));
    const tv = new Venue(
      doc,
      { writer: 'tv-w', device: 'tv', role: 'player' },
      ports(FIXTURE_TIME + 2_000),
    );
    must(tv.advance(before.nowPlaying!.entry));
    const legacy = doc.getMap(LEGACY_LEDGERS_MAP);
    expect([...legacy.keys()]).toEqual(['kiosk-w']);
    expect(storedFacts(doc, 'admin-w').length).toBeGreaterThan(5);
    const after = admin.snapshot(FIXTURE_TIME + 3_000);
    expect(after.settings).toMatchObject({ volume: 50, volumeCap: 80 });
    expect(after.programme).toEqual(before.programme);
    expect(after.nowPlaying?.track).toBe('fixReq');
    expect(after.lane).toEqual([]);
    expect(after.bans).toEqual(['fixBanned']);
    expect(after.schedules).toEqual(before.schedules);
    expect(after.problems).toEqual([]);
    // A schema-1 app checks the version against its own before writing.
    expect(migrateVenue(doc, [], 1)).toMatchObject({ ok: false, error: 'newer-schema' });
  });

  it('VM15 the frozen schema-2 fixture opens with everything it held', () => {
    const doc = fixture('venue-v2.bin');
    const view = new Venue(doc, viewer, ports(FIXTURE_TIME + 60_000)).snapshot();
    expect(view.meta).toMatchObject({ venueId: 'vTestVenue', schemaVersion: 2 });
    expect(view.programme.entries.map((e) => e.track)).toEqual(['fixA', 'fixAdded', 'fixC']);
    expect(view.nowPlaying).toMatchObject({ track: 'fixA', state: 'playing' });
    expect(view.activePlayer).toBe('tv-w');
    expect(view.settings).toMatchObject({ volume: 42, volumeCap: 80, requestsPerKiosk: 6 });
    expect(view.schedules[0]).toMatchObject({ id: 'brunch', playlist: 'lBrunch', volume: 35 });
    expect(view.bans).toEqual(['fixBanned']);
    expect(view.lane.map((e) => [e.track, e.guest, e.votes])).toEqual([
      ['fixNext', undefined, 0],
      ['fixJournal', 'guest9', 1],
      ['fixKiosk', 'kiosk', 0],
    ]);
    expect(view.guestOutcomes).toEqual({
      j1: { status: 'accepted' },
      j2: { status: 'refused', why: 'banned' },
      j3: { status: 'accepted' },
    });
    expect(view.intents.map((i) => [i.kind, i.status])).toEqual([['seek', 'applied']]);
    expect(view.journalCursor).toBe('3');
    expect(view.problems).toEqual([]);
    // Written before cursors named their programme (VM13) and before the time zone (VM32): the
    // programme still goes on after what plays, and each device keeps its own zone.
    expect(view.cursor).toEqual({ entry: view.nowPlaying!.entry, key: expect.any(String) });
    expect(upNext(view, 5).map((e) => e.track)).toEqual([
      'fixNext',
      'fixJournal',
      'fixKiosk',
      'fixAdded',
      'fixC',
    ]);
    expect(view.settings.timeZone).toBe('');
  });

  it('VM15 migrations run in order, all in one update; a newer document is never written', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    admin.peer.doc.getMap('meta').set('schemaVersion', 0);
    const seen: number[] = [];
    const steps = [
      { from: 1, migrate: () => seen.push(1) },
      { from: 0, migrate: () => seen.push(0) },
      { from: 2, migrate: () => seen.push(2) },
    ];
    let updates = 0;
    admin.peer.doc.on('update', () => updates++);
    expect(must(migrateVenue(admin.peer.doc, steps))).toBe(SCHEMA_VERSION);
    expect(seen).toEqual([0, 1]);
    expect(updates).toBe(1);
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
