import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { createVenue } from './meta';
import { SCHEMA_VERSION, WRITERS_MAP } from './schema';
import { must, openBar, storedFacts, venueWorld } from './test-support';
import type { Venue } from './Venue';

const tracks = (n: number, prefix = 't') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const programme = (venue: Venue) => venue.snapshot().programme.entries.map((e) => e.track);
const lane = (venue: Venue) => venue.snapshot().lane.map((e) => e.track);
/** A backup as the app makes one: the venue document's whole state, opened as its own document. */
const backupOf = (venue: Venue) => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(venue.doc));
  return doc;
};
/** What a screen shows of the venue, without what changes with time or sessions. */
const shown = (venue: Venue) => {
  const s = venue.snapshot();
  return {
    settings: s.settings,
    programme: s.programme.entries.map((e) => e.track),
    lane: s.lane.map((e) => e.track),
    schedules: s.schedules,
    bans: s.bans,
  };
};

/**
 * Seeded schedules of edits, backups, restores, partitions and out-of-order delivery: once every
 * update is delivered, every replica shows the same venue and counts logs of one era only.
 */
function restoreSchedule(seed: number) {
  const w = venueWorld(seed);
  const { random } = w;
  const admin = w.device('admin', 'admin');
  const other = w.device('other', 'admin');
  const staff = w.device('staff', 'staff', 20_000);
  const tv = w.device('tv', 'player');
  const backups: Y.Doc[] = [];
  let restored = 0;
  const writers = [admin, other, staff];
  for (let step = 0; step < 60; step++) {
    const device = random.pick(writers);
    const roll = random.int(10);
    if (roll === 0) backups.push(backupOf(device.venue));
    else if (roll === 1 && backups.length && device.name !== 'staff') {
      must(device.venue.restore(random.pick(backups), w.now()));
      restored++;
    } else if (roll === 2) device.venue.loadPlaylist(tracks(1 + random.int(4), `s${step}-`));
    else if (roll === 3) device.venue.setSetting('volume', random.int(100));
    else if (roll === 4) {
      const entries = device.venue.snapshot().programme.entries;
      if (entries.length) device.venue.remove(random.pick(entries).id);
    } else if (roll === 5)
      w.net.partition([
        [admin.peer, tv.peer],
        [other.peer, staff.peer],
      ]);
    else if (roll === 6) w.net.heal();
    else if (roll === 7) tv.venue.heartbeat();
    else device.venue.addToProgramme(`a${step}`);
    w.net.deliverSome(random, random.int(6));
    w.tick(random.int(5_000));
  }
  w.net.heal();
  w.net.flush();
  return { devices: w.devices, restored };
}

describe('restoring a venue over itself', () => {
  it('VM36 VM19 replicas converge whatever order restores, backups, edits and partitions arrive in', () => {
    let restores = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { devices, restored } = restoreSchedule(seed);
      restores += restored;
      const [first, ...rest] = devices.map((d) => JSON.stringify(shown(d.venue)));
      for (const view of rest) expect(view, `seed ${seed}`).toBe(first);
    }
    expect(restores).toBeGreaterThan(40);
  });

  it('VM36 a restore brings back the backup’s programme, lane, settings, bans and schedules, whatever was written since', () => {
    const { w, admin } = openBar(venueWorld(), tracks(5, 'old'));
    must(admin.venue.setSetting('volume', 30));
    must(admin.venue.banTrack('banned1'));
    must(admin.venue.playNext('next1'));
    w.net.flush();
    const backup = backupOf(admin.venue);
    const made = w.now();
    const before = shown(admin.venue);
    must(admin.venue.loadPlaylist(tracks(3, 'new')));
    must(admin.venue.setSetting('volume', 70));
    must(admin.venue.banTrack('banned1', false));
    must(admin.venue.banTrack('banned2'));
    must(admin.venue.remove(admin.venue.snapshot().lane[0]!.id));
    w.net.flush();
    w.tick(1_000);
    const era = must(admin.venue.restore(backup, made));
    w.net.flush();
    for (const device of w.devices) expect(shown(device.venue)).toEqual(before);
    expect(programme(admin.venue)).toEqual(tracks(5, 'old'));
    expect(storedFacts(admin.peer.doc, 'admin-w')).toContainEqual(
      expect.objectContaining({ k: 'r:era', v: { id: era, at: w.now(), backup: made } }),
    );
  });

  it('VM36 a device offline during the restore ends up with the restored state, its edits from before it saw the restore left out', () => {
    const { w, admin } = openBar(venueWorld(), tracks(4, 'a'));
    const phone = w.device('phone', 'staff');
    must(admin.venue.setSetting('volume', 40));
    w.net.flush();
    const backup = backupOf(admin.venue);
    const before = shown(admin.venue);
    w.net.disconnect(phone.peer);
    // Offline, and later by the clock than the restore: still not counted, it had not seen it.
    w.tick(1_000);
    must(admin.venue.setSetting('volume', 60));
    w.net.flush();
    must(admin.venue.restore(backup, w.now()));
    w.net.flush();
    w.tick(60_000);
    must(phone.venue.addToProgramme('offline1'));
    must(phone.venue.setSetting('volume', 90));
    must(phone.venue.loadPlaylist(tracks(2, 'phone')));
    w.net.reconnect(phone.peer);
    w.net.flush();
    for (const device of w.devices) expect(shown(device.venue)).toEqual(before);
    // Its next write speaks in the new era and counts, like anyone's.
    must(phone.venue.playNext('after1'));
    w.net.flush();
    for (const device of w.devices) {
      expect(lane(device.venue)).toEqual(['after1']);
      expect(programme(device.venue)).toEqual(tracks(4, 'a'));
    }
    const writers = [...admin.peer.doc.getMap(WRITERS_MAP).keys()];
    expect(writers.filter((key) => !key.startsWith('era'))).toEqual(
      expect.arrayContaining(['admin-w', 'phone-w']),
    );
  });

  it('VM36 a device whose log the restore deleted does not write its old facts back', () => {
    const { w, admin, tv } = openBar(venueWorld(), tracks(3, 'a'));
    const phone = w.device('phone', 'staff');
    const backup = backupOf(admin.venue);
    must(phone.venue.playNext('late1'));
    w.net.flush();
    must(admin.venue.restore(backup, w.now()));
    w.net.flush();
    for (const device of w.devices) expect(lane(device.venue)).toEqual([]);
    // The player takes the lease again at once: the restored player handed over (VM3).
    w.tick(6_000);
    must(tv.venue.claimLease());
    w.net.flush();
    expect(admin.venue.snapshot().activePlayer).toBe('tv-w');
    expect(admin.venue.snapshot().nowPlaying?.track).toBe('a0');
  });

  it('VM36 a restore carries on what plays and brings back no request played since the backup', () => {
    const { w, admin, tv } = openBar(venueWorld(), tracks(4, 'a'));
    must(admin.venue.playNext('req1'));
    w.net.flush();
    const backup = backupOf(admin.venue);
    const made = w.now();
    // After the backup: req1 plays in full, then the programme goes on.
    w.tick(1_000);
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('req1');
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    w.net.flush();
    const playing = tv.venue.snapshot().nowPlaying!;
    expect(playing.track).toBe('a1');
    w.tick(1_000);
    must(admin.venue.restore(backup, made));
    w.net.flush();
    // The player takes the lease back (the restored player handed over) and goes on.
    w.tick(6_000);
    must(tv.venue.claimLease());
    w.net.flush();
    for (const device of w.devices) {
      expect(lane(device.venue)).toEqual([]);
      expect(device.venue.snapshot().nowPlaying).toMatchObject({
        entry: playing.entry,
        track: 'a1',
        state: 'playing',
      });
      expect(programme(device.venue)).toEqual(tracks(4, 'a'));
    }
    // What plays next is the backup's programme after its cursor: no request comes back.
    expect(tv.venue.upNext(1).map((e) => e.track)).toEqual(['a1']);
  });

  it('VM36 two restores at once converge to the newer one', () => {
    const w = venueWorld();
    const one = w.device('one', 'admin');
    const two = w.device('two', 'admin');
    must(one.venue.loadPlaylist(tracks(2, 'first')));
    w.net.flush();
    const first = backupOf(one.venue);
    must(one.venue.loadPlaylist(tracks(2, 'second')));
    w.net.flush();
    const second = backupOf(one.venue);
    w.net.partition([[one.peer], [two.peer]]);
    must(one.venue.restore(first, w.now()));
    w.tick(10);
    must(two.venue.restore(second, w.now()));
    w.net.heal();
    w.net.flush();
    expect(programme(one.venue)).toEqual(tracks(2, 'second'));
    expect(programme(two.venue)).toEqual(tracks(2, 'second'));
  });

  it('VM36 a backup that holds no venue or comes from a newer DJAMMS is refused and changes nothing; only admins restore', () => {
    const { w, admin } = openBar(venueWorld(), tracks(2));
    const staff = w.device('staff', 'staff');
    const state = Y.encodeStateAsUpdate(admin.peer.doc);
    expect(admin.venue.restore(new Y.Doc(), w.now())).toMatchObject({
      ok: false,
      error: 'invalid',
    });
    const newer = new Y.Doc();
    createVenue(newer, {
      venueId: 'vTestVenue',
      libraryId: 'lTestLibrary',
      name: 'The Test Bar',
      created: 1,
      epoch: 'e1',
    });
    newer.getMap('meta').set('schemaVersion', SCHEMA_VERSION + 1);
    expect(admin.venue.restore(newer, w.now())).toMatchObject({ ok: false, error: 'newer-schema' });
    expect(staff.venue.restore(backupOf(admin.venue), w.now())).toMatchObject({
      ok: false,
      error: 'not-allowed',
    });
    expect(Y.encodeStateAsUpdate(admin.peer.doc)).toEqual(state);
  });
});
