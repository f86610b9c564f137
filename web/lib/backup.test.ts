import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { Library, SCHEMA_VERSION, Venue, createVenue } from '@djamms/venue';
import {
  BACKUP_FORMAT,
  backupFileName,
  confirmsName,
  makeBackup,
  openBackup,
  restoreLibrary,
  tracksMissingMedia,
  type VenueBackup,
} from './backup';

const ports = { now: () => Date.UTC(2026, 10, 30, 21), random: Math.random };
const SHA = (c: string) => c.repeat(64);

/** A venue with two tracks in its library and its programme, as an admin phone holds it. */
function bar() {
  const venueDoc = new Y.Doc();
  createVenue(venueDoc, {
    venueId: 'vBackupBar',
    libraryId: 'lBackupBar',
    name: 'The Backup Bar',
    created: 1,
    epoch: 'e1',
  });
  const venue = new Venue(venueDoc, { writer: 'w1', device: 'd1', role: 'admin' }, ports);
  const library = new Library(new Y.Doc(), ports);
  for (const [id, c] of [
    ['t1', 'a'],
    ['t2', 'b'],
  ] as const) {
    library.putTrack({
      id,
      title: `Song ${c}`,
      artist: 'Band',
      album: 'Live',
      durationMs: 180_000,
      explicit: false,
      media: { sha256: SHA(c), type: 'audio/mpeg' },
    });
  }
  venue.loadPlaylist(['t1', 't2']);
  return { venue, library };
}

const text = (backup: VenueBackup | null) => JSON.stringify(backup);

describe('backup files', () => {
  it("confirm a restore with the venue's name as a person types it, not character for character", () => {
    expect(confirmsName('Joe’s Bar', "Joe's Bar")).toBe(true);
    expect(confirmsName("  joe's   bar ", "Joe's Bar")).toBe(true);
    expect(confirmsName('Cafe Ole', 'Café Olé')).toBe(true);
    expect(confirmsName('Joe', "Joe's Bar")).toBe(false);
    expect(confirmsName('', "Joe's Bar")).toBe(false);
    expect(confirmsName('🎵🎵', '🎵🎵')).toBe(true);
    expect(confirmsName('', '🎵🎵')).toBe(false);
    expect(confirmsName('🎵', '🎵🎵')).toBe(false);
  });

  it('hold the venue, its library and the files they need, and open again as they were', () => {
    const { venue, library } = bar();
    const backup = makeBackup(venue, library, 'build-1', ports.now())!;
    expect(backup).toMatchObject({ format: BACKUP_FORMAT, version: 1, app: 'build-1' });
    expect(backup.venue).toEqual({
      venueId: 'vBackupBar',
      libraryId: 'lBackupBar',
      name: 'The Backup Bar',
      created: 1,
    });
    expect(backup.media).toEqual([SHA('a'), SHA('b')]);
    expect(backupFileName(backup)).toBe('the-backup-bar-2026-11-30.djamms-backup');
    const opened = openBackup(text(backup));
    if (!opened.ok) throw new Error(opened.problem);
    const copy = new Venue(
      opened.value.venueDoc,
      { writer: 'r', device: 'r', role: 'viewer' },
      ports,
    );
    expect(copy.snapshot().programme.entries.map((e) => e.track)).toEqual(['t1', 't2']);
    expect(opened.value.library.tracks.map((t) => t.title)).toEqual(['Song a', 'Song b']);
    expect(tracksMissingMedia(opened.value, new Set([SHA('b')])).map((t) => t.id)).toEqual(['t2']);
  });

  it('that are not backups, cut short, altered or from a newer DJAMMS are refused', () => {
    const { venue, library } = bar();
    const backup = makeBackup(venue, library, 'build-1', ports.now())!;
    const good = text(backup);
    const problem = (t: string) => {
      const r = openBackup(t);
      return r.ok ? 'opened' : r.problem;
    };
    expect(problem('')).toBe('not-a-backup');
    expect(problem('hello')).toBe('not-a-backup');
    expect(problem('{"format":"something-else","version":1}')).toBe('not-a-backup');
    expect(problem('[1,2]')).toBe('not-a-backup');
    expect(problem(good.slice(0, good.length / 2))).toBe('damaged');
    expect(problem(text({ ...backup, version: 2 }))).toBe('newer');
    expect(problem(text({ ...backup, version: 0 }))).toBe('damaged');
    expect(problem(text({ ...backup, media: ['not-a-sha'] }))).toBe('damaged');
    expect(problem(text({ ...backup, venueState: 'bm90IGEgeWpzIHVwZGF0ZQ==' }))).toBe('damaged');
    const state = backup.venueState;
    expect(problem(text({ ...backup, venueState: state.slice(0, state.length / 2) }))).toBe(
      'damaged',
    );
    expect(problem(text({ ...backup, venue: { ...backup.venue, venueId: 'vOther' } }))).toBe(
      'damaged',
    );
    venue.doc.getMap('meta').set('schemaVersion', SCHEMA_VERSION + 1);
    expect(problem(text(makeBackup(venue, library, 'build-2', ports.now())))).toBe('newer');
  });

  it('restore a library by putting back the tracks it lost and keeping those added since', () => {
    const { venue, library } = bar();
    const opened = openBackup(text(makeBackup(venue, library, 'b', ports.now())));
    if (!opened.ok) throw new Error(opened.problem);
    library.removeTrack('t1');
    library.putTrack({
      id: 't3',
      title: 'Song c',
      artist: 'Band',
      album: 'Live',
      durationMs: 1,
      explicit: false,
      media: { sha256: SHA('c'), type: 'audio/mpeg' },
    });
    expect(restoreLibrary(library, opened.value)).toBe(1);
    expect(library.snapshot().tracks.map((t) => t.id)).toEqual(['t1', 't2', 't3']);
  });

  it('restore over a venue brings back its playlists as the backup held them: deleted since, edited since, made since (VM36)', () => {
    const { venue, library } = bar();
    const ids = ['A', 'B', 'C'].map((name) => {
      const id = library.createPlaylist(name);
      if (!id.ok) throw new Error(id.message);
      library.addToPlaylist(id.value, ['t1', 't2']);
      venue.choosePlaylist(id.value);
      return id.value;
    });
    const opened = openBackup(text(makeBackup(venue, library, 'b', ports.now())));
    if (!opened.ok) throw new Error(opened.problem);
    const before = library.snapshot().playlists;
    library.deletePlaylist(ids[2]!);
    library.renamePlaylist(ids[0]!, 'A renamed');
    library.removeFromPlaylist(ids[1]!, library.playlistItems(ids[1]!)[0]!.id);
    const since = library.createPlaylist('D');
    if (!since.ok) throw new Error(since.message);
    venue.choosePlaylist(since.value);
    venue.restore(opened.value.venueDoc, opened.value.file.created);
    restoreLibrary(library, opened.value);
    const shown = library
      .snapshot()
      .playlists.filter((p) => venue.snapshot().playlists.includes(p.id));
    expect(shown).toEqual(before);
  });
});
