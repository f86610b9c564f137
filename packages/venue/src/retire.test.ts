import { readFileSync } from 'node:fs';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { LEGACY_LEDGERS_MAP, TIMING, WRITERS_MAP } from './schema';
import { must, storedFacts, venueWorld } from './test-support';
import { Venue } from './Venue';

const tracks = (n: number, prefix = 't') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const logs = (doc: Y.Doc) => [...doc.getMap(WRITERS_MAP).keys()].sort();
const withoutAt = ({ at: _, players: __, ...view }: ReturnType<Venue['snapshot']>) => view;

/** Time passes with the venue's TV heartbeating: someone is heard from while a writer is silent. */
function weekPasses(w: ReturnType<typeof venueWorld>, tv: { venue: Venue }) {
  w.tick(TIMING.retireAfter + 1);
  must(tv.venue.heartbeat());
  w.net.flush();
}

describe('retiring gone writers', () => {
  it('VM24 a gone admin’s superseded programme leaves the document', () => {
    const w = venueWorld();
    const gone = w.device('gone', 'admin');
    const stays = w.device('stays', 'admin');
    const tv = w.device('tv', 'player');
    must(gone.venue.loadPlaylist(tracks(2_000, 'old')));
    w.net.flush();
    gone.venue.destroy(); // the session ends
    must(stays.venue.loadPlaylist(tracks(50)));
    w.net.flush();
    const before = Y.encodeStateAsUpdate(stays.peer.doc).length;
    weekPasses(w, tv);
    must(stays.venue.setSetting('crossfadeSeconds', 2));
    w.net.flush();
    expect(logs(gone.peer.doc)).toEqual(['stays-w', 'tv-w']);
    expect(stays.venue.snapshot().programme.entries).toHaveLength(50);
    expect(Y.encodeStateAsUpdate(stays.peer.doc).length).toBeLessThan(before / 10);
  });

  it('VM24 what a gone writer said that still counts is folded into a live log, stamps unchanged', () => {
    const w = venueWorld();
    const gone = w.device('gone', 'admin');
    const stays = w.device('stays', 'admin');
    const tv = w.device('tv', 'player');
    must(stays.venue.loadPlaylist(tracks(50)));
    w.net.flush();
    const [first, second] = stays.venue.snapshot().programme.entries;
    must(gone.venue.setSetting('volume', 33));
    must(gone.venue.banTrack('t7'));
    must(gone.venue.remove(first!.id));
    must(gone.venue.move(second!.id, null));
    const added = must(gone.venue.addToProgramme('late-add'));
    w.net.flush();
    gone.venue.destroy();
    const stamps = storedFacts(gone.peer.doc, 'gone-w').filter(
      (f) => (f as { k: string }).k !== 'me',
    );
    weekPasses(w, tv);
    const view = stays.venue.snapshot();
    must(stays.venue.setSetting('crossfadeSeconds', 2));
    w.net.flush();
    expect(logs(stays.peer.doc)).toEqual(['stays-w', 'tv-w']);
    const after = stays.venue.snapshot();
    expect(withoutAt(after)).toEqual(
      withoutAt({ ...view, settings: { ...view.settings, crossfadeSeconds: 2 } }),
    );
    expect(after.programme.entries.some((e) => e.id === added && e.by === 'gone-w')).toBe(true);
    expect(storedFacts(stays.peer.doc, 'stays-w')).toEqual(expect.arrayContaining(stamps));
  });

  it('VM24 a revoked device’s log is retired at once; its pending requests stay, and a revoked player holds no lease', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const tv = w.device('tv', 'player');
    const spare = w.device('spare', 'player');
    const kiosk = w.device('kiosk', 'kiosk');
    must(admin.venue.loadPlaylist(tracks(5)));
    w.net.flush();
    must(tv.venue.claimLease());
    must(tv.venue.advance(null));
    const request = must(kiosk.venue.kioskRequest({ id: 'req', explicit: false }));
    w.net.flush();
    expect(spare.venue.claimLease()).toMatchObject({ error: 'lease-held' });
    must(admin.venue.revokeDevice('kiosk'));
    must(admin.venue.revokeDevice('tv'));
    w.net.flush();
    // The revoked TV held the lease: its log stays until the next player has continued from it.
    expect(logs(admin.peer.doc)).toEqual(['admin-w', 'tv-w']);
    expect(admin.venue.snapshot().lane.map((e) => e.id)).toEqual([request]);
    expect(admin.venue.snapshot().activePlayer).toBeNull();
    must(spare.venue.claimLease());
    must(spare.venue.heartbeat());
    w.net.flush();
    expect(logs(admin.peer.doc)).toEqual(['admin-w', 'spare-w']);
    const view = admin.venue.snapshot();
    expect(view.activePlayer).toBe('spare-w');
    expect(view.nowPlaying?.track).toBe('t0');
    expect(view.revoked).toEqual(['kiosk', 'tv']);
  });

  it('VM24 the active player is never gone by age, and a quiet session is not gone while it is new', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const tv = w.device('tv', 'player');
    const quiet = w.device('quiet', 'admin');
    must(admin.venue.loadPlaylist(tracks(3)));
    w.net.flush();
    must(tv.venue.claimLease());
    must(tv.venue.advance(null));
    must(quiet.venue.setSetting('volume', 10));
    must(quiet.venue.setSetting('volume', 10));
    must(admin.venue.setSetting('volume', 50));
    w.net.flush();
    w.tick(TIMING.retireAfter - 60_000);
    must(quiet.venue.setSetting('repeat', 'one'));
    must(quiet.venue.setSetting('repeat', 'all'));
    w.net.flush();
    w.tick(120_000);
    must(admin.venue.setSetting('crossfadeSeconds', 1));
    w.net.flush();
    expect(logs(admin.peer.doc)).toEqual(['admin-w', 'quiet-w', 'tv-w']);
    expect(admin.venue.snapshot().nowPlaying?.track).toBe('t0');
  });

  it('VM24 a writer whose log was retired while it wrote offline writes its facts again', () => {
    const w = venueWorld();
    const away = w.device('away', 'admin');
    const stays = w.device('stays', 'admin');
    const tv = w.device('tv', 'player');
    must(away.venue.setSetting('volume', 40));
    w.net.flush();
    w.net.disconnect(away.peer);
    weekPasses(w, tv);
    const added = must(away.venue.playNext('made-offline'));
    must(stays.venue.setSetting('crossfadeSeconds', 3));
    expect(logs(stays.peer.doc)).toEqual(['stays-w', 'tv-w']);
    w.net.reconnect(away.peer);
    w.net.flush();
    for (const d of [away, stays]) {
      const view = d.venue.snapshot();
      expect(view.lane.map((e) => e.id)).toEqual([added]);
      expect(view.settings).toMatchObject({ volume: 40, crossfadeSeconds: 3 });
    }
    expect(logs(stays.peer.doc)).toEqual(['away-w', 'stays-w', 'tv-w']);
    // Cut off from the venue, the away phone heard from no one: it took no one for gone.
    expect(logs(away.peer.doc)).toContain('stays-w');
  });

  it('VM24 VM25 what a gone writer stamped in the future is not folded over what counts', () => {
    const w = venueWorld();
    const fast = w.device('fast', 'admin', 3 * 3600_000);
    const admin = w.device('admin', 'admin');
    const tv = w.device('tv', 'player');
    must(fast.venue.setSetting('volume', 22));
    must(admin.venue.setSetting('volume', 28));
    w.net.flush();
    fast.venue.destroy();
    must(admin.venue.revokeDevice('fast'));
    must(admin.venue.settle()); // the next write retires the revoked device's log
    w.net.flush();
    expect(logs(admin.peer.doc)).toEqual(['admin-w']);
    for (const venue of [admin.venue, tv.venue]) {
      expect(venue.snapshot().settings.volume).toBe(28);
      expect(venue.snapshot().problems).toEqual([]);
    }
  });

  it('VM24 VM15 gone schema-1 writers are folded and their ledgers deleted', () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, readFileSync(new URL('../fixtures/venue-v1.bin', import.meta.url)));
    const later = 1795377600000 + TIMING.retireAfter + 1;
    const ports = { now: () => later, random: () => 0.5 };
    const other = new Venue(doc, { writer: 'other-w', device: 'other', role: 'admin' }, ports);
    const spare = new Venue(doc, { writer: 'spare-w', device: 'spare', role: 'player' }, ports);
    must(spare.heartbeat());
    const before = other.snapshot();
    must(other.setSetting('crossfadeSeconds', 1));
    // The TV still holds the lease, so its ledger stays until a player takes over.
    expect([...doc.getMap(LEGACY_LEDGERS_MAP).keys()]).toEqual(['tv-w']);
    const after = other.snapshot();
    expect(after.settings).toMatchObject({ volume: 42, volumeCap: 80, crossfadeSeconds: 1 });
    expect(after.programme).toEqual(before.programme);
    expect(after.bans).toEqual(['fixBanned']);
    expect(after.schedules).toEqual(before.schedules);
  });
});
