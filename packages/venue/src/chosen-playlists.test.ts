import { describe, expect, it } from 'vitest';
import { SimNetwork } from '@djamms/test-harness';
import { Library } from './Library';
import { appendRaw, must, storedFacts, venueWorld } from './test-support';

/** Two venues of one operator, each with its own document, sharing one library document. */
function twoVenues() {
  const north = venueWorld(1);
  const south = venueWorld(2);
  const shelf = new SimNetwork();
  const ports = { now: north.now, random: () => north.random.next() };
  const [northLib, southLib] = ['north', 'south'].map(
    (name) => new Library(shelf.addPeer(name).doc, ports),
  );
  return { north, south, shelf, northLib: northLib!, southLib: southLib! };
}

describe('chosen playlists', () => {
  it('VM31 venues sharing a library each choose their own playlists of it', () => {
    const { north, south, shelf, northLib, southLib } = twoVenues();
    const northAdmin = north.device('admin', 'admin');
    const southAdmin = south.device('admin', 'admin');
    const friday = must(northLib.createPlaylist('Friday'));
    const brunch = must(southLib.createPlaylist('Brunch'));
    shelf.flush();
    must(northAdmin.venue.choosePlaylist(friday));
    must(southAdmin.venue.choosePlaylist(brunch));
    must(southAdmin.venue.choosePlaylist(friday));
    must(southAdmin.venue.choosePlaylist(friday, false));
    expect(northLib.snapshot().playlists.map((p) => p.name)).toEqual(['Friday', 'Brunch']);
    expect(northAdmin.venue.snapshot().playlists).toEqual([friday]);
    expect(southAdmin.venue.snapshot().playlists).toEqual([brunch]);
  });

  it('VM31 the newest choice wins on every device, whatever order they merge in', () => {
    const w = venueWorld();
    const a = w.device('a', 'admin');
    const b = w.device('b', 'admin');
    w.net.disconnect(a.peer);
    must(a.venue.choosePlaylist('lFriday'));
    w.tick(60_000);
    must(b.venue.choosePlaylist('lFriday', false));
    w.net.heal();
    w.net.flush();
    expect(a.venue.snapshot().playlists).toEqual([]);
    expect(b.venue.snapshot().playlists).toEqual([]);
  });

  it('VM31 VM20 a playlist put aside leaves the log once that can change nothing; a chosen one stays', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    must(admin.venue.choosePlaylist('lKept'));
    must(admin.venue.choosePlaylist('lAside'));
    must(admin.venue.choosePlaylist('lAside', false));
    const keys = () =>
      storedFacts(admin.peer.doc, 'admin-w')
        .map((f) => (f as { k: string }).k)
        .filter((k) => k.startsWith('r:pl:'));
    expect(keys().sort()).toEqual(['r:pl:lAside', 'r:pl:lKept']);
    w.tick(2 * 3600_000);
    must(admin.venue.setSetting('volume', 50));
    expect(keys()).toEqual(['r:pl:lKept']);
    expect(admin.venue.snapshot().playlists).toEqual(['lKept']);
  });

  it('VM31 only admins choose: staff are refused and a staff fact is ignored on read', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const staff = w.device('bar', 'staff');
    expect(staff.venue.choosePlaylist('lFriday')).toMatchObject({
      ok: false,
      error: 'not-allowed',
    });
    expect(admin.venue.choosePlaylist('not a playlist id!')).toMatchObject({
      ok: false,
      error: 'invalid',
    });
    must(staff.venue.setSetting('volume', 40));
    const h = (storedFacts(staff.peer.doc, 'bar-w')[1] as { h: string }).h;
    appendRaw(staff.peer.doc, 'bar-w', { k: 'r:pl:lFriday', v: true, h });
    w.net.flush();
    expect(admin.venue.snapshot().playlists).toEqual([]);
    expect(admin.venue.snapshot().problems.map((p) => p.what)).toContain(
      'register pl:lFriday not allowed for staff',
    );
  });
});
