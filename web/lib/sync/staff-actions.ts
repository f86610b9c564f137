/**
 * Every change staff make is recorded as an `action` in the venue's journal (relay PROTOCOL RP33),
 * hooked once on the session's write path: the venue and library models of an admin or staff
 * session are wrapped so that each staff operation that succeeds is put in words and sent. No
 * button records anything itself. Words are taken before the operation runs (a removed entry's
 * title is gone after). Slider drags come as many writes: consecutive changes of one thing within
 * a moment make one action, with the last value.
 */
import type { JournalEntryInput } from '@djamms/protocol';
import {
  playableCount,
  type GalleryRotation,
  type IntentKind,
  type Library,
  type LibrarySnapshot,
  type Result,
  type Venue,
  type VenueSnapshot,
} from '@djamms/venue';
import { duration, preferences } from '../preferences.svelte';
import { words } from '../strings';

/** Changes of the same thing closer together than this are one action. */
const COALESCE_MS = 1_500;

/** What an operation's arguments say in words, and what it changes (for coalescing). */
type Describe = (...args: never[]) => { what: string; key?: string } | null;

/** The models as a staff session reads them, for titles and names. */
export interface ActionContext {
  readonly snapshot: VenueSnapshot;
  readonly library: LibrarySnapshot;
}

const w = words.records.actions;

const settingValue = (value: unknown): string =>
  isRotation(value)
    ? w.galleryEvery(value.every, value.seconds)
    : typeof value === 'boolean'
      ? value
        ? w.on
        : w.off
      : Array.isArray(value)
        ? value.join(' ')
        : String(value);

const isRotation = (value: unknown): value is GalleryRotation =>
  typeof value === 'object' && value !== null && 'every' in value && 'seconds' in value;

/** The staff operations of the venue model, in words. */
function venueWords(at: ActionContext) {
  const title = (track: string) => at.library.tracks.find((t) => t.id === track)?.title ?? track;
  /**
   * The title of the track an entry holds, wherever the entry is: a playing request has left the
   * lane, so what plays is looked at too. An entry found nowhere is left unnamed rather than named
   * by its id, which means nothing to a person reading the Log.
   */
  const entryTitle = (entry: string) => {
    const { lane, programme, nowPlaying } = at.snapshot;
    if (nowPlaying?.entry === entry) return title(nowPlaying.track);
    const found = [...lane, ...programme.entries].find((e) => e.id === entry);
    return found ? title(found.track) : '';
  };
  const playing = () => title(at.snapshot.nowPlaying?.track ?? '');
  return {
    sendIntent: (kind: IntentKind, target?: { entry?: string; positionMs?: number }) => {
      const now = target?.entry ? entryTitle(target.entry) : playing();
      const i = w.intent;
      const what =
        kind === 'pause' || kind === 'skip'
          ? i[kind](now)
          : kind === 'seek'
            ? i.seek(now, duration(target?.positionMs ?? 0))
            : i[kind];
      return { what };
    },
    setSetting: (name: string, value: unknown) => ({
      what:
        name === 'guestKey'
          ? w.newGuestLink
          : w.setting(
              w.settingNames[name] ?? name,
              name === 'timeZone' && value === ''
                ? w.eachDevicesZone
                : name === 'crossfadeSeconds' && typeof value === 'number'
                  ? w.seconds(value)
                  : settingValue(value),
            ),
      key: `setting:${name}`,
    }),
    setShuffle: (on: boolean) => ({ what: w.shuffle(on) }),
    addToProgramme: (track: string) => ({ what: w.add(title(track)) }),
    playNext: (track: string) => ({ what: w.playNext(title(track)) }),
    remove: (entry: string) => ({ what: w.remove(entryTitle(entry)) }),
    move: (entry: string) => ({ what: w.move(entryTitle(entry)), key: `move:${entry}` }),
    clearProgramme: () => ({ what: w.clearProgramme }),
    clearLane: () => ({ what: w.clearLane }),
    loadPlaylist: (tracks: string[]) => {
      const playable = playableCount(tracks, at.snapshot.bans);
      return { what: w.loadPlaylist(playable, tracks.length - playable) };
    },
    banTrack: (track: string, banned = true) => ({ what: w.ban(title(track), banned) }),
    setSlot: () => ({ what: w.schedule, key: 'schedule' }),
    removeSlot: () => ({ what: w.schedule, key: 'schedule' }),
    restore: (_backup: unknown, made: number) => ({
      what: w.restore(preferences.dateTime(made, at.snapshot.settings.timeZone)),
    }),
    revokeDevice: (device: string) => ({
      what: w.revoke(at.snapshot.players.find((p) => p.device === device)?.name || device),
    }),
  } satisfies Partial<Record<keyof Venue, Describe>>;
}

/** The library's operations, in words (admins only: staff do not write the library). */
function libraryWords(library: Library, at: ActionContext) {
  const title = (track: string) => at.library.tracks.find((t) => t.id === track)?.title ?? track;
  /**
   * A playlist's name from the document itself: the session's snapshot is taken after each
   * transaction, so a playlist made and filled in one (an import) was not in it yet, and the Log
   * read "Changed the playlist lfgnzn0la5yqw". A playlist found nowhere is left unnamed (''),
   * never named by its id.
   */
  const playlist = (id: string) =>
    library.playlistName(id) ?? at.library.playlists.find((p) => p.id === id)?.name ?? '';
  const changed = (id: string) => ({ what: w.playlist(playlist(id)), key: `playlist:${id}` });
  return {
    putTrack: (track: { title: string }) => ({ what: w.addTrack(track.title) }),
    editTrack: (id: string) => ({ what: w.editTrack(title(id)), key: `track:${id}` }),
    removeTrack: (id: string) => ({ what: w.removeTrack(title(id)) }),
    createPlaylist: (name: string) => ({ what: w.createPlaylist(name) }),
    renamePlaylist: (id: string, name: string) => ({
      what: w.renamePlaylist(playlist(id), name.trim()),
      key: `playlist:${id}`,
    }),
    starPlaylist: changed,
    deletePlaylist: (id: string) => ({ what: w.deletePlaylist(playlist(id)) }),
    movePlaylist: changed,
    addToPlaylist: changed,
    moveInPlaylist: changed,
    removeFromPlaylist: changed,
    addToGallery: (_media: unknown, caption = '') => ({ what: w.addToGallery(caption) }),
    removeFromGallery: () => ({ what: w.gallery, key: 'gallery' }),
    moveInGallery: () => ({ what: w.gallery, key: 'gallery' }),
  } satisfies Partial<Record<keyof Library, Describe>>;
}

/**
 * `model` with each operation named in `describe` recorded once it succeeded. Calls inside the
 * model (one operation using another) are not seen: only what the screen asked for is recorded.
 */
function recorded<T extends object>(
  model: T,
  describe: Record<string, Describe>,
  record: (action: { what: string; key?: string }) => void,
): T {
  return new Proxy(model, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      const words = typeof prop === 'string' ? describe[prop] : undefined;
      if (typeof value !== 'function') return value;
      if (!words) return value.bind(target);
      return (...args: never[]) => {
        const action = words(...args);
        const result = (value as (...a: never[]) => Result<unknown>).apply(target, args);
        if (action && result.ok) record(action);
        return result;
      };
    },
  });
}

/** Sends a staff session's actions, a drag's many changes as one. */
export class ActionLog {
  private pending: {
    what: string;
    key: string;
    at: number;
    timer: ReturnType<typeof setTimeout>;
  } | null = null;

  constructor(
    private readonly now: () => number,
    private readonly newId: () => string,
    private readonly send: (entry: JournalEntryInput) => void,
  ) {}

  /** The session's models, recording what staff do through them. */
  wrap(venue: Venue, library: Library, at: ActionContext): { venue: Venue; library: Library } {
    const record = (action: { what: string; key?: string }) => this.record(action.what, action.key);
    return {
      venue: recorded(venue, venueWords(at), record),
      library: recorded(library, libraryWords(library, at), record),
    };
  }

  /** Records `what` now; a `key` makes the next change of the same thing within a moment replace it. */
  record(what: string, key?: string): void {
    const at = Math.round(this.now());
    if (this.pending && this.pending.key !== key) this.flush();
    if (!key) return this.send({ id: this.newId(), kind: 'action', at, data: { what } });
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = { what, key, at, timer: setTimeout(() => this.flush(), COALESCE_MS) };
  }

  /** Sends the change waiting for more of its kind. */
  flush(): void {
    const pending = this.pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending = null;
    this.send({ id: this.newId(), kind: 'action', at: pending.at, data: { what: pending.what } });
  }
}
