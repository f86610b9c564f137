import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { JournalEntryInput } from '@djamms/protocol';
import { Library, type LibraryTrack } from '@djamms/venue';
import { must, venueWorld } from '@djamms/venue/testing';
import { preferences } from '../preferences.svelte';
import { ActionLog } from './staff-actions';

const media = { sha256: 'a'.repeat(64), type: 'audio/mpeg' };

/** An admin phone whose writes go through the action log, as a staff session's do. */
function phone({ staleLibrary = false } = {}) {
  const world = venueWorld();
  const device = world.device('phone', 'admin');
  const library = new Library(new Y.Doc(), { now: world.now, random: Math.random });
  const sent: JournalEntryInput[] = [];
  let n = 0;
  const log = new ActionLog(
    world.now,
    () => `a-${++n}`,
    (e) => sent.push(e),
  );
  const at = {
    get snapshot() {
      return device.venue.snapshot();
    },
    // The session's snapshot is taken once a transaction ends: `staleLibrary` keeps the first.
    get library() {
      return staleLibrary ? first : library.snapshot();
    },
  };
  const first = library.snapshot();
  const models = log.wrap(device.venue, library, at);
  let files = 0;
  /** A track of its own file: one file is one track (VM29). */
  const addTrack = (title: string) =>
    must(
      models.library.putTrack({
        title,
        artist: 'A',
        album: '',
        durationMs: 1000,
        media: { ...media, sha256: (++files).toString(16).padStart(64, 'a') },
        explicit: false,
      } as Omit<LibraryTrack, 'id'>),
    );
  const what = () => sent.map((e) => (e.data as { what: string }).what);
  return { world, device, models, log, sent, addTrack, what };
}

afterEach(() => vi.useRealTimers());

describe('staff actions recorded on the session’s write path', () => {
  it('records each staff operation that succeeded, in words, with its time', () => {
    const { world, models, sent, addTrack, what } = phone();
    const blue = addTrack('Blue Monday');
    must(models.venue.addToProgramme(blue));
    const entry = models.venue.snapshot().programme.entries[0]!.id;
    must(models.venue.remove(entry));
    must(models.venue.setShuffle(true));
    must(models.venue.sendIntent('emergency-stop'));
    expect(what()).toEqual([
      'Added Blue Monday to the library',
      'Added Blue Monday to the programme',
      'Removed Blue Monday from the queue',
      'Turned shuffle on',
      'Emergency stop',
    ]);
    expect(sent.every((e) => e.kind === 'action' && e.at === world.now())).toBe(true);
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
  });

  it('records nothing for a refused operation or for reads and player duties', () => {
    const { models, sent } = phone();
    expect(models.venue.remove('no-such-entry').ok).toBe(false);
    models.venue.snapshot();
    models.venue.heartbeat();
    expect(sent).toEqual([]);
  });

  it('a drag of the volume is one action with its last value', () => {
    vi.useFakeTimers();
    const { models, what } = phone();
    for (const v of [40, 45, 52, 60]) must(models.venue.setSetting('volume', v));
    expect(what()).toEqual([]);
    vi.advanceTimersByTime(2_000);
    must(models.venue.setSetting('muted', true));
    must(models.venue.setSetting('compressor', true));
    must(models.venue.sendIntent('pause'));
    expect(what()).toEqual([
      'Set the volume to 60',
      'Set mute to on',
      'Set the compressor to on',
      'Paused',
    ]);
  });

  it('a crossfade change says its unit', () => {
    vi.useFakeTimers();
    const { models, what } = phone();
    must(models.venue.setSetting('crossfadeSeconds', 8));
    vi.advanceTimersByTime(2_000);
    must(models.venue.setSetting('crossfadeSeconds', 1));
    vi.advanceTimersByTime(2_000);
    expect(what()).toEqual(['Set the crossfade to 8 seconds', 'Set the crossfade to 1 second']);
  });

  it('a loaded playlist counts the tracks that will play, and says how many are banned here', () => {
    vi.useFakeTimers();
    const { models, addTrack, what } = phone();
    const blue = addTrack('Blue Monday');
    const ceremony = addTrack('Ceremony');
    must(models.venue.banTrack(ceremony));
    vi.advanceTimersByTime(2_000);
    must(models.venue.loadPlaylist([blue, ceremony]));
    vi.advanceTimersByTime(2_000);
    expect(what().slice(-1)).toEqual(['Loaded a playlist: 1 track; 1 banned here will not play']);
    // and the programme shows what the Log says
    expect(models.venue.snapshot().programme.entries).toHaveLength(1);
  });

  it('a time zone change reads as the zone, or as each device’s own when cleared', () => {
    vi.useFakeTimers();
    const { models, what } = phone();
    must(models.venue.setSetting('timeZone', 'Europe/London'));
    vi.advanceTimersByTime(2_000);
    must(models.venue.setSetting('timeZone', ''));
    vi.advanceTimersByTime(2_000);
    expect(what()).toEqual([
      'Set the time zone to Europe/London',
      'Set the time zone to each device’s own',
    ]);
  });

  it('names the track a transport action acts on wherever its entry is, a playing request included', () => {
    const { world, models, sent, addTrack, what } = phone();
    const blue = addTrack('Blue Monday');
    const ceremony = addTrack('Ceremony');
    must(models.venue.addToProgramme(ceremony));
    const kiosk = world.device('kiosk', 'kiosk');
    must(kiosk.venue.kioskRequest({ id: blue, explicit: false }));
    const tv = world.device('tv', 'player');
    world.net.flush();
    must(tv.venue.claimLease());
    must(tv.venue.advance(null));
    world.net.flush();
    // The kiosk's request plays, so it is no longer in the lane; the programme's entry waits.
    const playing = models.venue.snapshot().nowPlaying!;
    expect(playing.track).toBe(blue);
    const waiting = models.venue.snapshot().programme.entries[0]!.id;
    sent.length = 0;
    must(models.venue.sendIntent('pause', { entry: playing.entry }));
    must(models.venue.sendIntent('seek', { entry: playing.entry, positionMs: 30_000 }));
    must(models.venue.sendIntent('skip', { entry: playing.entry }));
    must(models.venue.sendIntent('skip', { entry: waiting }));
    // An entry found nowhere (played and tidied away) goes unnamed, never named by its id.
    must(models.venue.sendIntent('skip', { entry: 'r1h514vtxcunh' }));
    must(models.venue.sendIntent('seek', { entry: 'r1h514vtxcunh', positionMs: 5_000 }));
    expect(what()).toEqual([
      'Paused Blue Monday',
      'Moved Blue Monday to 0:30',
      'Skipped Blue Monday',
      'Skipped Ceremony',
      'Skipped',
      'Moved the track to 0:05',
    ]);
  });

  it('records a restore over the venue, with when the backup was made (VM36)', () => {
    const { world, device, models, sent, what } = phone();
    const backup = new Y.Doc();
    Y.applyUpdate(backup, Y.encodeStateAsUpdate(device.venue.doc));
    const made = world.now();
    world.tick(60_000);
    must(models.venue.restore(backup, made));
    expect(what()).toEqual([
      `Replaced the venue with the backup made ${preferences.dateTime(made, '')}`,
    ]);
    expect(sent[0]).toMatchObject({ kind: 'action', at: world.now() });
  });

  it('names a playlist by its name, even one made a moment ago, and a gone one without its id', () => {
    vi.useFakeTimers();
    const { models, addTrack, what } = phone({ staleLibrary: true });
    const blue = addTrack('Blue Monday');
    // An import: made and filled in one transaction, before any snapshot has the playlist.
    const list = models.library.doc.transact(() => {
      const made = must(models.library.createPlaylist('Friday'));
      must(models.library.addToPlaylist(made, [blue]));
      return made;
    });
    vi.advanceTimersByTime(2_000);
    must(models.library.renamePlaylist(list, 'Friday night'));
    vi.advanceTimersByTime(2_000);
    must(models.library.deletePlaylist(list));
    expect(what()).toEqual([
      'Added Blue Monday to the library',
      'Made the playlist Friday',
      'Changed the playlist Friday',
      'Renamed the playlist Friday to Friday night',
      'Deleted the playlist Friday night',
    ]);
    expect(what().join(' ')).not.toContain(list);
  });
});
