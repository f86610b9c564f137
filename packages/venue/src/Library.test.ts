import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { createRandom, SimNetwork } from '@djamms/test-harness';
import { Library } from './Library';

function libraries() {
  const net = new SimNetwork();
  const random = createRandom(5);
  const ports = { now: () => 0, random: () => random.next() };
  const [a, b] = [net.addPeer('a'), net.addPeer('b')].map((p) => ({
    peer: p,
    lib: new Library(p.doc, ports),
  }));
  return { net, a: a!, b: b! };
}

const track = (title: string) => ({
  title,
  artist: 'Artist',
  album: 'Album',
  durationMs: 180_000,
  media: { sha256: 'a'.repeat(64), type: 'audio/mpeg' },
  explicit: false,
});

describe('library', () => {
  it('VM21 tracks and playlists round-trip; malformed tracks are skipped and reported', () => {
    const { a } = libraries();
    const t1 = a.lib.putTrack(track('One'));
    const t2 = a.lib.putTrack(track('Two'));
    expect(a.lib.putTrack({ ...track(''), title: '' })).toMatchObject({
      ok: false,
      error: 'invalid',
    });
    const list = a.lib.createPlaylist('Friday');
    if (!t1.ok || !t2.ok || !list.ok) throw new Error('setup');
    a.lib.addToPlaylist(list.value, [t2.value, t1.value]);
    a.peer.doc.getMap('tracks').set('broken', { title: 5 });
    const view = a.lib.snapshot();
    expect(view.tracks.map((t) => t.title)).toEqual(['One', 'Two']);
    expect(view.playlists).toEqual([
      { id: list.value, name: 'Friday', starred: false, tracks: [t2.value, t1.value] },
    ]);
    expect(view.problems).toEqual([{ where: 'tracks.broken', what: 'malformed, skipped' }]);
  });

  it('VM21 concurrent moves of one item leave one copy; a move concurrent with a removal does not resurrect', () => {
    const { net, a, b } = libraries();
    const list = a.lib.createPlaylist('Mix');
    if (!list.ok) throw new Error('setup');
    const items = a.lib.addToPlaylist(list.value, ['x', 'y', 'z']);
    if (!items.ok) throw new Error('setup');
    net.flush();
    const [x, y, z] = items.value as [string, string, string];
    net.disconnect(a.peer);
    a.lib.moveInPlaylist(list.value, z, x);
    b.lib.moveInPlaylist(list.value, z, y);
    a.lib.removeFromPlaylist(list.value, y);
    b.lib.moveInPlaylist(list.value, y, null);
    net.heal();
    net.flush();
    const tracks = a.lib.playlistItems(list.value).map((i) => i.track);
    expect(tracks.filter((t) => t === 'z')).toHaveLength(1);
    expect(tracks).not.toContain('y');
    expect(b.lib.playlistItems(list.value)).toEqual(a.lib.playlistItems(list.value));
    expect(Y.encodeStateVector(a.peer.doc)).toEqual(Y.encodeStateVector(b.peer.doc));
  });

  it('VM21 playlists can be renamed, starred, reordered and deleted', () => {
    const { a } = libraries();
    const p1 = a.lib.createPlaylist('One');
    const p2 = a.lib.createPlaylist('Two');
    if (!p1.ok || !p2.ok) throw new Error('setup');
    a.lib.renamePlaylist(p1.value, 'Uno');
    a.lib.starPlaylist(p2.value, true);
    a.lib.movePlaylist(p2.value, p1.value);
    expect(a.lib.snapshot().playlists.map((p) => [p.name, p.starred])).toEqual([
      ['Two', true],
      ['Uno', false],
    ]);
    a.lib.deletePlaylist(p2.value);
    expect(a.lib.snapshot().playlists.map((p) => p.name)).toEqual(['Uno']);
    expect(a.lib.renamePlaylist(p2.value, 'x')).toMatchObject({ ok: false, error: 'not-found' });
  });
});
