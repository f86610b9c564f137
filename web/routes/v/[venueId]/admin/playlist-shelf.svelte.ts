/**
 * The Music tab's playlists (issue 9): the library's playlists as this venue uses them (venue SPEC
 * VM31: venues that share a library each choose theirs), and every change to them, each one
 * operation of the model, told in words. Importing reads a playlist file (`playlist-files.ts`),
 * matches it to the library (`playlist-match.ts`) and makes the playlist in one library
 * transaction, or nothing; exporting downloads M3U8 or JSON.
 */
import {
  LIMITS,
  playableCount,
  type LibraryPlaylist,
  type LibraryTrack,
  type Result,
} from '@djamms/venue';
import {
  exportFileName,
  formatM3u8,
  formatPlaylistJson,
  MAX_PLAYLIST_BYTES,
  parsePlaylistFile,
  type PlaylistLine,
} from '$lib/playlist-files';
import { matchPlaylist } from '$lib/playlist-match';
import { mediaUrl } from '$lib/relay-api';
import { words } from '$lib/strings';
import type { Console } from './console.svelte';

/** What the last import did: the playlist it made and the lines that matched nothing. */
export interface ImportReport {
  file: string;
  /** Why nothing was made, when nothing was. */
  refused?: string;
  name?: string;
  found?: number;
  missed: PlaylistLine[];
}

const p = words.playlists;

export class PlaylistShelf {
  /** The playlist open for editing, by id. */
  open = $state<string | null>(null);
  /** Every playlist of the library, not only this venue's. */
  showAll = $state(false);
  report = $state<ImportReport | null>(null);
  /**
   * Where focus goes once the list is back: the Open button of the playlist just closed (its id),
   * or the list's heading after a delete (`'list'`). The editor's buttons leave the page as they
   * close it, and focus would fall to the page's body.
   */
  returnTo = $state<string | null>(null);
  /** Playlists this venue chose (VM31). */
  readonly chosen: ReadonlySet<string>;
  /** The playlists the list shows, in the library's order. */
  readonly shown: LibraryPlaylist[];

  constructor(readonly admin: Console) {
    this.chosen = $derived(new Set(admin.session.snapshot.playlists));
    this.shown = $derived(
      admin.session.library.playlists.filter((l) => this.showAll || this.chosen.has(l.id)),
    );
  }

  private get library() {
    return this.admin.session.libraryModel;
  }

  /** Says how an operation went: `done`, or why not in words. */
  tell(r: { ok: true } | { ok: false; error: string }, done: string): boolean {
    this.admin.say(r.ok ? done : (p.refused[r.error] ?? words.refusedOther));
    return r.ok;
  }

  playlist(id: string): LibraryPlaylist | undefined {
    return this.admin.session.library.playlists.find((l) => l.id === id);
  }

  /** A new, empty playlist, used at this venue and opened. */
  create(name: string): boolean {
    const made = this.library.createPlaylist(name);
    this.tell(made, p.created(name.trim()));
    if (!made.ok) return false;
    this.admin.session.venue.choosePlaylist(made.value);
    this.open = made.value;
    return true;
  }

  rename(id: string, name: string) {
    return this.tell(this.library.renamePlaylist(id, name), p.renamed(name.trim()));
  }

  star(list: LibraryPlaylist) {
    this.tell(this.library.starPlaylist(list.id, !list.starred), '');
  }

  /** Uses a playlist at this venue, or puts it aside here (VM31). */
  choose(id: string, chosen: boolean) {
    this.tell(this.admin.session.venue.choosePlaylist(id, chosen), '');
  }

  /** Back to the list, focus on the closed playlist's Open button. */
  close() {
    this.returnTo = this.open;
    this.open = null;
  }

  delete(list: LibraryPlaylist) {
    if (!this.tell(this.library.deletePlaylist(list.id), p.deleted(list.name))) return;
    if (this.chosen.has(list.id)) this.admin.session.venue.choosePlaylist(list.id, false);
    this.returnTo = 'list';
    this.open = null;
  }

  /** Moves a playlist before another (null: to the end). */
  move(id: string, before: string | null) {
    return this.tell(this.library.movePlaylist(id, before), '');
  }

  /** How many of a playlist's tracks would play here: one banned at this venue does not (VM13). */
  playable(list: LibraryPlaylist): number {
    return playableCount(list.tracks, this.admin.session.snapshot.bans);
  }

  /** Makes a playlist the venue's programme: the programme it replaces is gone (VM13). */
  load(list: LibraryPlaylist) {
    if (!list.tracks.length) return this.admin.say(p.loadEmpty);
    if (list.tracks.length > LIMITS.programme) return this.admin.say(p.loadTooLong);
    const playable = this.playable(list);
    const r = this.admin.session.venue.loadPlaylist(list.tracks);
    this.admin.report(r, p.loaded(list.name, playable, list.tracks.length - playable));
  }

  /** Reads a playlist file and makes a playlist of what the library has (or says why not). */
  async import(file: File) {
    this.report = null;
    if (file.size > MAX_PLAYLIST_BYTES) return this.refuse(file.name, p.fileRefused('too-large'));
    const read = parsePlaylistFile(file.name, new Uint8Array(await file.arrayBuffer()));
    if (!read.ok) return this.refuse(file.name, p.fileRefused(read.error, read.line));
    const { tracks, missed } = matchPlaylist(read.value.lines, this.admin.session.library.tracks);
    if (!tracks.length) return this.refuse(file.name, p.noneFound(file.name), missed);
    const name = (read.value.name ?? file.name).slice(0, 200);
    const made = this.makePlaylist(name, tracks);
    if (!made.ok) return this.refuse(file.name, p.refused[made.error] ?? words.refusedOther);
    this.admin.session.venue.choosePlaylist(made.value);
    // Told in the report under the Import button, not in the console's toast as well: the toast
    // lay over the Create playlist and Import buttons until it faded.
    this.report = { file: file.name, name, found: tracks.length, missed };
  }

  private refuse(file: string, why: string, missed: PlaylistLine[] = []) {
    this.report = { file, refused: why, missed };
  }

  /** A playlist with its tracks in one transaction: all of it, or nothing. */
  private makePlaylist(name: string, tracks: string[]): Result<string> {
    const library = this.library;
    return library.doc.transact(() => {
      const made = library.createPlaylist(name);
      if (!made.ok) return made;
      const added = library.addToPlaylist(made.value, tracks);
      if (added.ok) return made;
      library.deletePlaylist(made.value);
      return added;
    });
  }

  /** Downloads a playlist as M3U8 or DJAMMS JSON. */
  export(list: LibraryPlaylist, format: 'm3u8' | 'json') {
    const tracks = list.tracks
      .map((id) => this.admin.tracks.get(id))
      .filter((t): t is LibraryTrack => !!t);
    const relay = this.admin.session.credential.relay;
    const locate = (t: LibraryTrack) => mediaUrl(relay, t.media);
    const text =
      format === 'm3u8'
        ? formatM3u8(list.name, tracks, locate)
        : formatPlaylistJson(list.name, tracks, locate);
    const type = format === 'm3u8' ? 'audio/x-mpegurl' : 'application/json';
    const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
    const link = document.createElement('a');
    link.href = url;
    link.download = exportFileName(list.name, format);
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
