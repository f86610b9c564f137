import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { createRandom, SimNetwork } from '@djamms/test-harness';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GALLERY_LIMIT, Library, normalIsrc } from './Library';
import { must } from './test-support';

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

/** A track whose media is the file named `file` (its title by default): one file, one hash. */
const track = (title: string, file = title) => ({
  title,
  artist: 'Artist',
  album: 'Album',
  durationMs: 180_000,
  media: { sha256: createHash('sha256').update(file).digest('hex'), type: 'audio/mpeg' },
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

const cover = { sha256: 'b'.repeat(64), type: 'image/jpeg' };

describe('library track tags', () => {
  it('VM28 track number, ISRC and artwork round-trip; a track without them reads as before', () => {
    const { a } = libraries();
    const tagged = a.lib.putTrack({
      ...track('Tagged'),
      trackNumber: 7,
      isrc: 'GBAYE2500001',
      artwork: cover,
    });
    const plain = a.lib.putTrack(track('Plain'));
    if (!tagged.ok || !plain.ok) throw new Error('setup');
    const view = a.lib.snapshot();
    expect(view.tracks.find((t) => t.id === tagged.value)).toMatchObject({
      trackNumber: 7,
      isrc: 'GBAYE2500001',
      artwork: cover,
    });
    const bare = view.tracks.find((t) => t.id === plain.value)!;
    expect(Object.keys(bare).sort()).toEqual(
      ['added', 'album', 'artist', 'durationMs', 'explicit', 'id', 'media', 'title'].sort(),
    );
    expect(view.problems).toEqual([]);
  });

  it('VM30 a track keeps the name of the file it came from; a malformed one is left out', () => {
    const { a } = libraries();
    const named = must(a.lib.putTrack({ ...track('Named'), file: 'Friday/01 Named.mp3' }));
    expect(a.lib.snapshot().tracks[0]).toMatchObject({ id: named, file: 'Friday/01 Named.mp3' });
    for (const file of ['', 'a\nb', 'x'.repeat(501), 7]) {
      expect(a.lib.putTrack({ ...track('Bad'), file } as never)).toMatchObject({
        ok: false,
        error: 'invalid',
      });
    }
    a.peer.doc.getMap('tracks').set('odd', { ...track('Odd'), file: 'tab\there' });
    const view = a.lib.snapshot();
    expect(view.tracks.find((t) => t.id === 'odd')).toEqual({ id: 'odd', ...track('Odd') });
    expect(view.problems).toEqual([{ where: 'tracks.odd.file', what: 'malformed, left out' }]);
  });

  it('VM28 a malformed tag is left out and reported; the track still plays', () => {
    const { a } = libraries();
    a.peer.doc.getMap('tracks').set('odd', {
      ...track('Odd'),
      trackNumber: 0,
      isrc: 'not an isrc',
      artwork: { sha256: 'b'.repeat(64), type: 'image/svg+xml' },
    });
    const view = a.lib.snapshot();
    expect(view.tracks).toEqual([{ id: 'odd', ...track('Odd') }]);
    expect(view.problems.map((p) => p.where)).toEqual([
      'tracks.odd.trackNumber',
      'tracks.odd.isrc',
      'tracks.odd.artwork',
    ]);
  });

  it('VM28 a put with a malformed tag is refused and writes nothing', () => {
    const { a } = libraries();
    for (const bad of [
      { trackNumber: 1.5 },
      { trackNumber: 10_000 },
      { isrc: 'GB-AYE-25-00001' },
      { artwork: { sha256: 'b'.repeat(64), type: 'text/html' } },
      { artwork: { sha256: 'nope', type: 'image/png' } },
    ]) {
      expect(a.lib.putTrack({ ...track('Bad'), ...bad }), JSON.stringify(bad)).toMatchObject({
        ok: false,
        error: 'invalid',
      });
    }
    expect(a.peer.doc.getMap('tracks').size).toBe(0);
  });

  it('VM28 tags write ISRCs with hyphens or in lower case: the library keeps one form', () => {
    expect(normalIsrc('gb-aye-25-00001')).toBe('GBAYE2500001');
    expect(normalIsrc(' USRC1 7607839 ')).toBe('USRC17607839');
    expect(normalIsrc('GBAYE25000012')).toBeNull();
    expect(normalIsrc('')).toBeNull();
  });

  it('VM28 an edit changes what it names, keeps the rest (fields it does not know too); undefined removes a tag', () => {
    const { a } = libraries();
    const put = a.lib.putTrack({ ...track('Draft'), trackNumber: 3, artwork: cover });
    if (!put.ok) throw new Error('setup');
    const stored = a.peer.doc.getMap('tracks');
    stored.set(put.value, { ...(stored.get(put.value) as object), mood: 'late night' });
    expect(
      a.lib.editTrack(put.value, {
        title: 'Final',
        artist: 'Band',
        explicit: true,
        artwork: undefined,
      }),
    ).toEqual({ ok: true, value: undefined });
    expect(stored.get(put.value)).toEqual({
      ...track('Final', 'Draft'),
      artist: 'Band',
      explicit: true,
      trackNumber: 3,
      mood: 'late night',
      added: 0,
    });
    expect(a.lib.editTrack(put.value, { title: '' })).toMatchObject({ error: 'invalid' });
    expect(a.lib.editTrack('gone', { title: 'x' })).toMatchObject({ error: 'not-found' });
    // Nothing changes, nothing is written (VM22).
    let updates = 0;
    a.peer.doc.on('update', () => (updates += 1));
    expect(a.lib.editTrack(put.value, { title: 'Final' }).ok).toBe(true);
    expect(updates).toBe(0);
  });

  it('VM15 VM28 the frozen library fixture, written before tags, opens with everything it held', () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, readFileSync(new URL('../fixtures/library-v2.bin', import.meta.url)));
    const lib = new Library(doc, { now: () => 0, random: Math.random });
    const view = lib.snapshot();
    expect(view.problems).toEqual([]);
    expect(view.tracks).toEqual([
      {
        id: 'fixture-two',
        title: 'Happy Hour',
        artist: '',
        album: '',
        durationMs: 0,
        media: { url: 'https://example.org/happy.ogg', type: 'audio/ogg' },
        explicit: true,
      },
      {
        id: 'fixture-one',
        title: 'Last Orders',
        artist: 'The Regulars',
        album: 'Closing Time',
        durationMs: 184_000,
        media: { sha256: 'c'.repeat(64), type: 'audio/mpeg' },
        explicit: false,
      },
    ]);
    expect(view.playlists).toMatchObject([
      { name: 'Friday', tracks: ['fixture-two', 'fixture-one'] },
    ]);
    // An old track takes tags by an edit.
    expect(lib.editTrack('fixture-one', { isrc: 'GBAYE2500001', trackNumber: 2 }).ok).toBe(true);
    expect(lib.snapshot().tracks[1]).toMatchObject({ isrc: 'GBAYE2500001', trackNumber: 2 });
  });
});

describe('one file, one track', () => {
  it('VM29 the same media again is refused as a duplicate; trackWithMedia finds the track it is', () => {
    const { a } = libraries();
    const first = a.lib.putTrack(track('First', 'song.mp3'));
    if (!first.ok) throw new Error('setup');
    expect(a.lib.putTrack(track('Again', 'song.mp3'))).toMatchObject({
      ok: false,
      error: 'duplicate',
    });
    const { media } = track('', 'song.mp3');
    expect(a.lib.trackWithMedia({ ...media, type: 'audio/wav' })?.id).toBe(first.value);
    expect(a.lib.trackWithMedia({ sha256: 'e'.repeat(64), type: 'audio/mpeg' })).toBeNull();
    // A put of the same track (its own id) replaces it; another track may not take its file.
    expect(a.lib.putTrack({ ...track('Renamed', 'song.mp3'), id: first.value }).ok).toBe(true);
    const other = a.lib.putTrack({
      ...track('Other'),
      media: { url: 'https://x.test/a.mp3', type: 'audio/mpeg' },
    });
    if (!other.ok) throw new Error('setup');
    expect(a.lib.putTrack({ ...track('Other', 'song.mp3'), id: other.value })).toMatchObject({
      error: 'duplicate',
    });
    expect(a.lib.snapshot().tracks.map((t) => t.title)).toEqual(['Other', 'Renamed']);
    // Removing the track frees its file.
    a.lib.removeTrack(first.value);
    expect(a.lib.trackWithMedia(media)).toBeNull();
    expect(a.lib.putTrack(track('Back', 'song.mp3')).ok).toBe(true);
  });

  it('VM29 two devices that added one file while apart keep both tracks, and agree which one a lookup answers', () => {
    const { net, a, b } = libraries();
    net.disconnect(a.peer);
    const ta = a.lib.putTrack(track('From A', 'song.mp3'));
    const tb = b.lib.putTrack(track('From B', 'song.mp3'));
    if (!ta.ok || !tb.ok) throw new Error('setup');
    net.heal();
    net.flush();
    expect(a.lib.snapshot().tracks).toHaveLength(2);
    const { media } = track('', 'song.mp3');
    expect(a.lib.trackWithMedia(media)?.id).toBe([ta.value, tb.value].sort()[0]);
    expect(b.lib.trackWithMedia(media)?.id).toBe(a.lib.trackWithMedia(media)?.id);
  });
});

describe('gallery', () => {
  const file = (name: string, type: string) => ({
    sha256: createHash('sha256').update(name).digest('hex'),
    type,
  });

  it('VM37 pictures and videos join the gallery in order; other files, twins and malformed items are kept out', () => {
    const { a } = libraries();
    const logo = a.lib.addToGallery(file('logo', 'image/png'), 'Our logo');
    const promo = a.lib.addToGallery(file('promo', 'video/mp4'));
    expect(a.lib.addToGallery(file('song', 'audio/mpeg'))).toMatchObject({ error: 'invalid' });
    expect(a.lib.addToGallery(file('page', 'image/svg+xml'))).toMatchObject({ error: 'invalid' });
    expect(a.lib.addToGallery(file('logo', 'image/png'))).toMatchObject({ error: 'duplicate' });
    if (!logo.ok || !promo.ok) throw new Error('setup');
    a.peer.doc.getMap('gallery').set('bad', { media: { sha256: 'nope', type: 'image/png' } });
    const { gallery, problems } = a.lib.snapshot();
    expect(gallery.map((i) => [i.caption, i.kind])).toEqual([
      ['Our logo', 'image'],
      ['', 'video'],
    ]);
    expect(problems).toContainEqual({ where: 'gallery.bad', what: 'malformed, skipped' });
    a.lib.moveInGallery(promo.value, logo.value);
    a.lib.removeFromGallery(logo.value);
    expect(a.lib.snapshot().gallery.map((i) => i.id)).toEqual([promo.value]);
  });

  it('VM37 a move concurrent with a removal does not bring the item back, and replicas agree', () => {
    const { net, a, b } = libraries();
    const ids = ['one', 'two', 'three'].map((n) => a.lib.addToGallery(file(n, 'image/jpeg')));
    net.flush();
    const [one, two, three] = ids.map((r) => (r.ok ? r.value : '')) as [string, string, string];
    net.disconnect(a.peer);
    a.lib.removeFromGallery(two);
    b.lib.moveInGallery(two, one);
    b.lib.moveInGallery(three, one);
    net.heal();
    net.flush();
    expect(a.lib.snapshot().gallery.map((i) => i.id)).toEqual([three, one]);
    expect(b.lib.snapshot().gallery).toEqual(a.lib.snapshot().gallery);
  });

  it('VM37 the gallery holds at most GALLERY_LIMIT items', () => {
    const { a } = libraries();
    for (let i = 0; i < GALLERY_LIMIT; i++) {
      expect(a.lib.addToGallery(file(`p${i}`, 'image/webp')).ok).toBe(true);
    }
    expect(a.lib.addToGallery(file('one more', 'image/webp'))).toMatchObject({ error: 'limit' });
  });
});

describe('date added', () => {
  it('VM38 a new track is dated when it joins; a replaced or edited one keeps its date; a bad date is left out', () => {
    const random = createRandom(9);
    let now = 1_000;
    const lib = new Library(new Y.Doc(), { now: () => now, random: () => random.next() });
    const first = lib.putTrack(track('First'));
    now = 2_000;
    const second = lib.putTrack({ ...track('Second'), added: 500 });
    if (!first.ok || !second.ok) throw new Error('setup');
    now = 3_000;
    lib.editTrack(first.value, { title: 'First, renamed' });
    lib.putTrack({ ...track('First again', 'First'), id: first.value });
    const added = (id: string) => lib.snapshot().tracks.find((t) => t.id === id)?.added;
    expect([added(first.value), added(second.value)]).toEqual([1_000, 500]);
    lib.doc.getMap('tracks').set('old', { ...track('Old'), added: -5 });
    const { tracks, problems } = lib.snapshot();
    expect(tracks.find((t) => t.id === 'old')?.added).toBeUndefined();
    expect(problems).toContainEqual({ where: 'tracks.old.added', what: 'malformed, left out' });
  });

  it('VM36 a restore puts back the backup’s playlists under their ids as it held them, and leaves newer ones alone', () => {
    const { a } = libraries();
    const t = must(a.lib.putTrack(track('One')));
    const [kept, edited, deleted] = ['Kept', 'Edited', 'Deleted'].map((name) => {
      const id = must(a.lib.createPlaylist(name));
      must(a.lib.addToPlaylist(id, [t, t]));
      return id;
    });
    const backup = new Library(new Y.Doc(), { now: () => 0, random: Math.random });
    Y.applyUpdate(backup.doc, Y.encodeStateAsUpdate(a.lib.doc));
    const before = a.lib.snapshot().playlists;
    must(a.lib.deletePlaylist(deleted!));
    must(a.lib.renamePlaylist(edited!, 'Renamed'));
    must(a.lib.removeFromPlaylist(edited!, a.lib.playlistItems(edited!)[0]!.id));
    const newer = must(a.lib.createPlaylist('Newer'));
    expect(a.lib.restorePlaylists(backup)).toBe(2);
    const after = a.lib.snapshot().playlists;
    expect(after.filter((p) => p.id !== newer)).toEqual(before);
    expect(before.map((p) => p.id)).toEqual([kept, edited, deleted]);
    expect(after.map((p) => p.id)).toContain(newer);
    // Put back once: a second restore of the same backup changes nothing.
    expect(a.lib.restorePlaylists(backup)).toBe(0);
  });
});
