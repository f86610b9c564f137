import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { createVenue } from './meta';
import { SCHEMA_VERSION, WRITERS_MAP } from './schema';
import { must, openBar, venueWorld } from './test-support';
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

describe('restoring a venue over itself', () => {
  it('VM36 a restore brings back the backup’s programme, lane, settings, bans and schedules, whatever was written since', () => {
    const { w, admin } = openBar(venueWorld(), tracks(5, 'old'));
    must(admin.venue.setSetting('volume', 30));
    must(admin.venue.banTrack('banned1'));
    must(admin.venue.playNext('next1'));
    w.net.flush();
    const backup = backupOf(admin.venue);
    const before = shown(admin.venue);
    must(admin.venue.loadPlaylist(tracks(3, 'new')));
    must(admin.venue.setSetting('volume', 70));
    must(admin.venue.banTrack('banned1', false));
    must(admin.venue.banTrack('banned2'));
    must(admin.venue.remove(admin.venue.snapshot().lane[0]!.id));
    w.net.flush();
    w.tick(1_000);
    must(admin.venue.restore(backup));
    w.net.flush();
    for (const device of w.devices) expect(shown(device.venue)).toEqual(before);
    expect(programme(admin.venue)).toEqual(tracks(5, 'old'));
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
    must(admin.venue.restore(backup));
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
    must(admin.venue.restore(backup));
    w.net.flush();
    for (const device of w.devices) expect(lane(device.venue)).toEqual([]);
    // The player takes the lease again at once: the restored player handed over (VM3).
    w.tick(6_000);
    must(tv.venue.claimLease());
    w.net.flush();
    expect(admin.venue.snapshot().activePlayer).toBe('tv-w');
    expect(admin.venue.snapshot().nowPlaying?.track).toBe('a0');
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
    must(one.venue.restore(first));
    w.tick(10);
    must(two.venue.restore(second));
    w.net.heal();
    w.net.flush();
    expect(programme(one.venue)).toEqual(tracks(2, 'second'));
    expect(programme(two.venue)).toEqual(tracks(2, 'second'));
  });

  it('VM36 a backup that holds no venue or comes from a newer DJAMMS is refused and changes nothing; only admins restore', () => {
    const { w, admin } = openBar(venueWorld(), tracks(2));
    const staff = w.device('staff', 'staff');
    const state = Y.encodeStateAsUpdate(admin.peer.doc);
    expect(admin.venue.restore(new Y.Doc())).toMatchObject({ ok: false, error: 'invalid' });
    const newer = new Y.Doc();
    createVenue(newer, {
      venueId: 'vTestVenue',
      libraryId: 'lTestLibrary',
      name: 'The Test Bar',
      created: 1,
      epoch: 'e1',
    });
    newer.getMap('meta').set('schemaVersion', SCHEMA_VERSION + 1);
    expect(admin.venue.restore(newer)).toMatchObject({ ok: false, error: 'newer-schema' });
    expect(staff.venue.restore(backupOf(admin.venue))).toMatchObject({
      ok: false,
      error: 'not-allowed',
    });
    expect(Y.encodeStateAsUpdate(admin.peer.doc)).toEqual(state);
  });
});
