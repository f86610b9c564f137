/**
 * A library document: tracks and playlists that several venues may share (VM21). Playlists are
 * created once by one writer with a random id, so no two devices ever create the same container;
 * order uses position registers so a concurrent move and remove never duplicate or resurrect.
 */
import * as Y from 'yjs';
import { MEDIA_IMAGE_TYPES } from '@djamms/protocol';
import { randomId } from './ids';
import { compareByKey, isOrderKey, keyBetween, legacyKey } from './order';
import { fail, ok, type Result } from './result';
import type { VenuePorts } from './ports';
import { isId } from './validate';
import {
  mediaKey,
  readMediaRef,
  readTrack,
  TRACK_TAGS,
  type LibraryTrack,
  type MediaRef,
  type TrackChanges,
} from './library-track';

export type { LibraryTrack, MediaRef, TrackChanges } from './library-track';
export { normalIsrc } from './library-track';

/** A playlist with its tracks in order. */
export interface LibraryPlaylist {
  id: string;
  name: string;
  starred: boolean;
  tracks: string[];
}

/**
 * A picture or a short video of the gallery (VM37): branding and announcements the player shows
 * during audio tracks.
 */
export interface GalleryItem {
  id: string;
  media: MediaRef;
  /** What it shows, for screen readers and the admin's list; may be empty. */
  caption: string;
  kind: 'image' | 'video';
}

/** A validated, plain view of a library. */
export interface LibrarySnapshot {
  tracks: LibraryTrack[];
  playlists: LibraryPlaylist[];
  /** The gallery in the order the admin set. */
  gallery: GalleryItem[];
  problems: { where: string; what: string }[];
}

const text = (v: unknown, max = 200): v is string => typeof v === 'string' && v.length <= max;

/** One device's handle on a library document. */
export class Library {
  private readonly tracks: Y.Map<unknown>;
  private readonly playlists: Y.Map<Y.Map<unknown>>;
  private readonly playlistOrder: Y.Map<unknown>;
  private readonly gallery: Y.Map<unknown>;
  private readonly galleryOrder: Y.Map<unknown>;
  private mediaIndex: Map<string, Set<string>> | null = null;

  constructor(
    readonly doc: Y.Doc,
    private readonly ports: VenuePorts,
  ) {
    this.tracks = doc.getMap('tracks');
    this.playlists = doc.getMap('playlists');
    this.playlistOrder = doc.getMap('playlistOrder');
    this.gallery = doc.getMap('gallery');
    this.galleryOrder = doc.getMap('galleryOrder');
  }

  /**
   * Adds a track, or replaces track `id`. Returns its id. Refused (`duplicate`) when another track
   * already has the same media: a file is one track (VM29); {@link trackWithMedia} finds it.
   */
  putTrack(track: Omit<LibraryTrack, 'id'> & { id?: string }): Result<string> {
    const id = track.id ?? randomId(this.ports.random, 't');
    const { id: _drop, ...given } = track;
    // A new track is dated now (VM38); a replaced one keeps the date it joined.
    const added = given.added ?? readTrack(id, this.tracks.get(id))?.added ?? this.ports.now();
    const value = definedOnly({ ...given, added });
    const bad: string[] = [];
    if (!readTrack(id, value, bad) || bad.length) return INVALID_TRACK;
    const twin = this.trackWithMedia(track.media);
    if (twin && twin.id !== id) return duplicate(twin);
    this.doc.transact(() => this.tracks.set(id, value));
    return ok(id);
  }

  /**
   * Changes some of a track's fields and keeps the rest as stored, fields this version does not
   * know included (VM28). A field set to `undefined` is removed (a tag only: the others are
   * required). Writes nothing when nothing changes.
   */
  editTrack(id: string, changes: TrackChanges): Result<void> {
    const stored = this.tracks.get(id);
    if (!readTrack(id, stored)) return fail('not-found', 'no such track');
    const value = definedOnly({ ...(stored as Record<string, unknown>), ...changes });
    const bad: string[] = [];
    if (!readTrack(id, value, bad) || bad.length) return INVALID_TRACK;
    if (JSON.stringify(value) === JSON.stringify(stored)) return ok(undefined);
    this.doc.transact(() => this.tracks.set(id, value));
    return ok(undefined);
  }

  /**
   * The track whose media is `media` (the same hash, or the same URL), if any (VM29). Two devices
   * that added the same file while apart each have a track for it: this answers the smaller id.
   */
  trackWithMedia(media: MediaRef): LibraryTrack | null {
    const ids = [...(this.byMedia().get(mediaKey(media)) ?? [])].sort();
    for (const id of ids) {
      const track = readTrack(id, this.tracks.get(id));
      if (track) return track;
    }
    return null;
  }

  /** Track ids by media, built on first use and kept current as the map changes. */
  private byMedia(): Map<string, Set<string>> {
    if (this.mediaIndex) return this.mediaIndex;
    const index = new Map<string, Set<string>>();
    const file = (value: unknown) => {
      const ref = readMediaRef((value as { media?: unknown } | null)?.media);
      return ref ? mediaKey(ref) : null;
    };
    const add = (id: string, value: unknown) => {
      const key = file(value);
      if (key) index.set(key, (index.get(key) ?? new Set()).add(id));
    };
    this.tracks.forEach((value, id) => add(id, value));
    this.tracks.observe((event) => {
      for (const [id, change] of event.changes.keys) {
        if (change.action !== 'add') index.get(file(change.oldValue) ?? '')?.delete(id);
        if (change.action !== 'delete') add(id, this.tracks.get(id));
      }
    });
    return (this.mediaIndex = index);
  }

  /** Removes a track; playlists that held it skip it from then on. */
  removeTrack(id: string): Result<void> {
    if (!this.tracks.has(id)) return fail('not-found', 'no such track');
    this.doc.transact(() => this.tracks.delete(id));
    return ok(undefined);
  }

  /** Creates an empty playlist at the end of the list. Returns its id. */
  createPlaylist(name: string): Result<string> {
    if (!name.trim() || name.length > 200) return fail('invalid', 'a playlist needs a name');
    const id = randomId(this.ports.random, 'l');
    const last = this.orderedPlaylists().at(-1);
    const key = keyBetween(last?.key ?? null, null);
    if (key === null) return FULL;
    this.doc.transact(() => {
      const playlist = new Y.Map<unknown>();
      playlist.set('name', name.trim());
      playlist.set('starred', false);
      playlist.set('items', new Y.Map());
      playlist.set('order', new Y.Map());
      this.playlists.set(id, playlist);
      this.playlistOrder.set(id, storedKey(key!));
    });
    return ok(id);
  }

  private playlist(id: string): Result<Y.Map<unknown>> {
    const playlist = this.playlists.get(id);
    return playlist instanceof Y.Map ? ok(playlist) : fail('not-found', 'no such playlist');
  }

  /** Renames a playlist. */
  renamePlaylist(id: string, name: string): Result<void> {
    const found = this.playlist(id);
    if (!found.ok) return found;
    if (!name.trim() || name.length > 200) return fail('invalid', 'a playlist needs a name');
    this.doc.transact(() => found.value.set('name', name.trim()));
    return ok(undefined);
  }

  /** Stars or unstars a playlist. */
  starPlaylist(id: string, starred: boolean): Result<void> {
    const found = this.playlist(id);
    if (!found.ok) return found;
    this.doc.transact(() => found.value.set('starred', starred));
    return ok(undefined);
  }

  /** Deletes a playlist. */
  deletePlaylist(id: string): Result<void> {
    if (!this.playlists.has(id)) return fail('not-found', 'no such playlist');
    this.doc.transact(() => {
      this.playlists.delete(id);
      this.playlistOrder.delete(id);
    });
    return ok(undefined);
  }

  /**
   * Puts back the playlists of `backup` (a library as a backup file held it) as it held them, under
   * their own ids, so a venue's choices and schedules that name them find them again (VM36): one
   * deleted since comes back, one edited since is as it was then. Playlists made since are left
   * alone (the library may be shared; the venue's restored choices put them aside). Returns how many
   * playlists were put back or changed.
   */
  restorePlaylists(backup: Library): number {
    const ours = this.snapshot().playlists;
    const same = (a: LibraryPlaylist, b: LibraryPlaylist | undefined) =>
      !!b && a.name === b.name && a.starred === b.starred && sameItems(a.id, backup, this);
    const put = backup.snapshot().playlists.filter(
      (p) =>
        !same(
          p,
          ours.find((o) => o.id === p.id),
        ),
    );
    if (!put.length) return 0;
    this.doc.transact(() => {
      for (const p of put) {
        const playlist = new Y.Map<unknown>();
        const items = new Y.Map<unknown>();
        const order = new Y.Map<unknown>();
        for (const item of itemsInOrder(backup.playlists.get(p.id)!)) {
          items.set(item.id, item.track);
          order.set(item.id, storedKey(item.key));
        }
        playlist.set('name', p.name);
        playlist.set('starred', p.starred);
        playlist.set('items', items);
        playlist.set('order', order);
        this.playlists.set(p.id, playlist);
        const key = backup.playlistOrder.get(p.id);
        this.playlistOrder.set(p.id, typeof key === 'string' ? key : storedKey(LAST));
      }
    });
    return put.length;
  }

  /** Moves a playlist before another one, or to the end. */
  movePlaylist(id: string, before: string | null): Result<void> {
    if (!this.playlists.has(id)) return fail('not-found', 'no such playlist');
    const key = placeBefore(
      this.orderedPlaylists().filter((p) => p.id !== id),
      before,
    );
    if (!key.ok) return key;
    this.doc.transact(() => this.playlistOrder.set(id, storedKey(key.value)));
    return ok(undefined);
  }

  /** Appends tracks to a playlist. Returns the new item ids. */
  addToPlaylist(id: string, tracks: string[]): Result<string[]> {
    const found = this.playlist(id);
    if (!found.ok) return found;
    const items = found.value.get('items') as Y.Map<unknown>;
    const order = found.value.get('order') as Y.Map<unknown>;
    let last = lastKey(order);
    const keys: string[] = [];
    for (const track of tracks) {
      if (!isId(track)) return fail('invalid', 'track id is malformed');
      last = keyBetween(last, null);
      if (last === null) return FULL;
      keys.push(last);
    }
    const added = keys.map(() => randomId(this.ports.random, 'i'));
    this.doc.transact(() => {
      added.forEach((item, i) => {
        items.set(item, tracks[i]);
        order.set(item, storedKey(keys[i]!));
      });
    });
    return ok(added);
  }

  /** Moves a playlist item before another item, or to the end. */
  moveInPlaylist(id: string, item: string, before: string | null): Result<void> {
    const found = this.playlist(id);
    if (!found.ok) return found;
    const list = itemsInOrder(found.value).filter((i) => i.id !== item);
    if (!(found.value.get('items') as Y.Map<unknown>).has(item))
      return fail('not-found', 'no such item');
    const key = placeBefore(list, before);
    if (!key.ok) return key;
    this.doc.transact(() =>
      (found.value.get('order') as Y.Map<unknown>).set(item, storedKey(key.value)),
    );
    return ok(undefined);
  }

  /** Removes an item from a playlist. */
  removeFromPlaylist(id: string, item: string): Result<void> {
    const found = this.playlist(id);
    if (!found.ok) return found;
    this.doc.transact(() => {
      (found.value.get('items') as Y.Map<unknown>).delete(item);
      (found.value.get('order') as Y.Map<unknown>).delete(item);
    });
    return ok(undefined);
  }

  /** The items of a playlist with their ids, in order (for editing). */
  playlistItems(id: string): { id: string; track: string }[] {
    const found = this.playlist(id);
    return found.ok
      ? itemsInOrder(found.value).map(({ id: item, track }) => ({ id: item, track }))
      : [];
  }

  /**
   * A playlist's name as this document holds it now, or null when there is no such playlist. Read
   * from the document, not a snapshot: inside a transaction it sees a playlist made a moment ago.
   */
  playlistName(id: string): string | null {
    const found = this.playlist(id);
    const name = found.ok ? found.value.get('name') : null;
    return text(name) ? name : null;
  }

  private orderedPlaylists(): { id: string; key: string }[] {
    return [...this.playlists.keys()]
      .map((id) => ({ id, key: readKey(this.playlistOrder.get(id)) }))
      .sort(compareByKey);
  }

  /**
   * Adds a picture or a short video at the end of the gallery (VM37). Refused when the file is
   * neither (`invalid`), is in the gallery already (`duplicate`) or the gallery is full (`limit`).
   */
  addToGallery(media: MediaRef, caption = ''): Result<string> {
    const ref = readMediaRef(media);
    if (!ref || !galleryKind(ref.type) || !text(caption)) {
      return fail('invalid', 'the gallery shows pictures (JPEG, PNG, GIF, WebP, AVIF) and videos');
    }
    const items = this.galleryItems();
    if (items.some((i) => mediaKey(i.media) === mediaKey(ref))) {
      return fail('duplicate', 'that file is in the gallery already');
    }
    if (items.length >= GALLERY_LIMIT) {
      return fail('limit', `the gallery holds ${GALLERY_LIMIT} pictures and videos`);
    }
    const key = keyBetween(lastKey(this.galleryOrder), null);
    if (key === null) return FULL;
    const id = randomId(this.ports.random, 'g');
    this.doc.transact(() => {
      this.gallery.set(id, { media: ref, caption: caption.trim() });
      this.galleryOrder.set(id, storedKey(key));
    });
    return ok(id);
  }

  /** Takes an item out of the gallery. */
  removeFromGallery(id: string): Result<void> {
    if (!this.gallery.has(id)) return fail('not-found', 'no such picture or video');
    this.doc.transact(() => {
      this.gallery.delete(id);
      this.galleryOrder.delete(id);
    });
    return ok(undefined);
  }

  /** Moves a gallery item before another one, or to the end. */
  moveInGallery(id: string, before: string | null): Result<void> {
    if (!this.gallery.has(id)) return fail('not-found', 'no such picture or video');
    const key = placeBefore(
      this.galleryItems().filter((i) => i.id !== id),
      before,
    );
    if (!key.ok) return key;
    this.doc.transact(() => this.galleryOrder.set(id, storedKey(key.value)));
    return ok(undefined);
  }

  /** The gallery in order, with the order keys; malformed items reported to `problems`. */
  private galleryItems(problems?: LibrarySnapshot['problems']): (GalleryItem & { key: string })[] {
    const out: (GalleryItem & { key: string })[] = [];
    this.gallery.forEach((value, id) => {
      const item = value as { media?: unknown; caption?: unknown } | null;
      const media = readMediaRef(item?.media);
      const kind = media && galleryKind(media.type);
      const caption = item?.caption ?? '';
      if (!media || !kind || !text(caption) || !isId(id)) {
        problems?.push({ where: `gallery.${id}`, what: 'malformed, skipped' });
        return;
      }
      out.push({ id, media, caption, kind, key: readKey(this.galleryOrder.get(id)) });
    });
    return out.sort(compareByKey);
  }

  /** A validated snapshot; malformed tracks, playlists and gallery items are skipped and reported. */
  snapshot(): LibrarySnapshot {
    const problems: LibrarySnapshot['problems'] = [];
    const tracks: LibraryTrack[] = [];
    this.tracks.forEach((value, id) => {
      const bad: string[] = [];
      const track = readTrack(id, value, bad);
      if (track) tracks.push(track);
      else problems.push({ where: `tracks.${id}`, what: 'malformed, skipped' });
      for (const tag of bad)
        problems.push({ where: `tracks.${id}.${tag}`, what: 'malformed, left out' });
    });
    const known = new Set(tracks.map((t) => t.id));
    const playlists: LibraryPlaylist[] = [];
    for (const { id } of this.orderedPlaylists()) {
      const p = this.playlists.get(id);
      const name = p instanceof Y.Map ? p.get('name') : undefined;
      if (!(p instanceof Y.Map) || !text(name) || !(p.get('items') instanceof Y.Map)) {
        problems.push({ where: `playlists.${id}`, what: 'malformed, skipped' });
        continue;
      }
      const ordered = itemsInOrder(p)
        .map((i) => i.track)
        .filter((t) => known.has(t));
      playlists.push({ id, name, starred: p.get('starred') === true, tracks: ordered });
    }
    tracks.sort((a, b) => a.title.localeCompare(b.title) || (a.id < b.id ? -1 : 1));
    const gallery = this.galleryItems(problems).map(({ key: _key, ...item }) => item);
    return { tracks, playlists, gallery, problems };
  }
}

/** The greatest order key of a playlist, without sorting it (appending is the common edit). */
function lastKey(order: Y.Map<unknown>): string | null {
  let last: string | null = null;
  for (const stored of order.values()) {
    const key = readKey(stored);
    if (key !== LAST && (last === null || key > last)) last = key;
  }
  return last;
}

/** Whether playlist `id` holds the same items, by id, track and order, in two libraries. */
function sameItems(id: string, a: Library, b: Library): boolean {
  const [x, y] = [a.playlistItems(id), b.playlistItems(id)];
  return (
    x.length === y.length &&
    x.every((item, i) => item.id === y[i]!.id && item.track === y[i]!.track)
  );
}

/** Items of a playlist in order: only items that still exist, each once (position registers). */
function itemsInOrder(playlist: Y.Map<unknown>): { id: string; track: string; key: string }[] {
  const items = playlist.get('items');
  const order = playlist.get('order');
  if (!(items instanceof Y.Map) || !(order instanceof Y.Map)) return [];
  const out: { id: string; track: string; key: string }[] = [];
  items.forEach((track, id) => {
    const key = order.get(id);
    if (typeof track === 'string' && isId(track)) out.push({ id, track, key: readKey(key) });
  });
  return out.sort(compareByKey);
}

function placeBefore(list: { id: string; key: string }[], before: string | null): Result<string> {
  let key: string | null;
  if (before === null) key = keyBetween(list.at(-1)?.key ?? null, null);
  else {
    const index = list.findIndex((i) => i.id === before);
    if (index < 0) return fail('not-found', 'the target position is gone');
    const anchor = list[index]!;
    const previous = list
      .slice(0, index)
      .filter((i) => i.key < anchor.key)
      .at(-1);
    key = keyBetween(previous?.key ?? null, anchor.key);
  }
  return key === null ? FULL : ok(key);
}

const INVALID_TRACK = fail<never>(
  'invalid',
  `a track needs a title, artist, album, duration and media; its ${TRACK_TAGS.join(', ')} must be well-formed`,
);

const duplicate = (twin: LibraryTrack) =>
  fail<never>('duplicate', `that file is already in the library as ${twin.title}`);

/** A copy of `value` without its undefined fields (an absent tag is not stored at all). */
function definedOnly(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** How many pictures and videos a gallery holds (VM37). */
export const GALLERY_LIMIT = 100;

/** What the gallery shows a file as, from its type: raster images and videos only (VM37). */
function galleryKind(type: string): GalleryItem['kind'] | null {
  if ((MEDIA_IMAGE_TYPES as readonly string[]).includes(type)) return 'image';
  return type.startsWith('video/') ? 'video' : null;
}

const FULL = fail<never>('limit', 'too many items were placed at this spot: move some elsewhere');

/**
 * Order keys as the library stores them. Schema 1 wrote bare base-62 fractions into the same maps,
 * so today's keys carry a `~` mark; a bare key is read as schema 1's (VM21).
 */
function readKey(stored: unknown): string {
  if (typeof stored !== 'string') return LAST;
  const key = stored.startsWith('~') ? stored.slice(1) : legacyKey(stored);
  return key !== null && isOrderKey(key) ? key : LAST;
}

const storedKey = (key: string) => `~${key}`;
/** Where an item with an unreadable key sorts: after every key a list really uses. */
const LAST = `y${'z'.repeat(25)}`;
