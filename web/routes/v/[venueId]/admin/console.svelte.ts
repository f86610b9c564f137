/**
 * The admin console's state, shared by its tabs: what this device may do, the last message, the
 * library by id, the queue's undo history, the files being added to the library and the
 * phone-only preview player. Handlers stay thin:
 * every change goes through the model (`session.venue`), which enforces the rights again on read.
 */
import {
  type EntryView,
  type LibraryTrack,
  mayChangeSetting,
  maySendIntents,
  type Result,
  type SettingName,
  type VenueSettings,
  type WriterRole,
} from '@djamms/venue';
import { refusal, words } from '$lib/strings';
import { preferences } from '$lib/preferences.svelte';
import { mediaUrl } from '$lib/relay-api';
import type { VenueSession } from '$lib/sync/venue-session.svelte';
import { QueueEdits } from './queue-edits.svelte';
import { Uploads } from './uploads.svelte';

/** Slider changes reach the venue at most this often while a finger drags. */
const SLIDE_EVERY_MS = 150;

export class Console {
  message = $state('');
  /** The track this phone previews, if any. */
  previewing = $state<string | null>(null);
  readonly edits: QueueEdits;
  /** Files on their way into the library: an admin device's only (they go on after a reload). */
  readonly uploads: Uploads | null;
  private previewAudio: HTMLAudioElement | null = null;
  private messageTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly sliding = new Map<
    string,
    { timer: ReturnType<typeof setTimeout>; value: unknown }
  >();

  /** The library by track id. */
  readonly tracks: Map<string, LibraryTrack>;

  constructor(readonly session: VenueSession) {
    this.tracks = $derived(new Map(session.library.tracks.map((t) => [t.id, t])));
    this.edits = new QueueEdits(
      () => session.venue,
      (id) => this.title(id),
      words.admin.edits,
    );
    this.uploads = session.credential.role === 'admin' ? new Uploads(session) : null;
  }

  /** This device's role as the model sees it (a viewer for read-only links). */
  get role(): WriterRole {
    const role = this.session.credential.role;
    return role === 'guest' ? 'viewer' : role;
  }

  get readOnly(): boolean {
    return this.session.sync.readOnly || this.role === 'viewer';
  }

  get isAdmin(): boolean {
    return this.role === 'admin' && !this.readOnly;
  }

  get mayCommand(): boolean {
    return !this.readOnly && maySendIntents(this.role);
  }

  mayChange(name: SettingName): boolean {
    return !this.readOnly && mayChangeSetting(this.role, name);
  }

  /**
   * A wall-clock time as this device shows times, in the venue's time zone (VM32): the log, the
   * schedule and the play history export all tell the venue's time, wherever staff look from.
   */
  clock(t: number): string {
    return preferences.clock(t, this.session.snapshot.settings.timeZone);
  }

  /** A date and a time as this device shows times, in the venue's time zone (as `clock`). */
  dateTime(t: number): string {
    return preferences.dateTime(t, this.session.snapshot.settings.timeZone);
  }

  /**
   * True for an entry this device added that the relay has not stored yet (its changes are
   * pending and it was added after the last exchange with the relay).
   */
  unsynced(entry: EntryView): boolean {
    const { pending, lastSynced } = this.session.sync;
    return entry.by === this.session.writer && pending > 0 && entry.addedAt > (lastSynced ?? 0);
  }

  title(track: string): string {
    return this.tracks.get(track)?.title ?? words.admin.trackGone;
  }

  /** Shows a result: `done` when it went through, the reason in words when not. */
  report<T>(r: Result<T>, done = ''): Result<T> {
    this.say(r.ok ? done : (words.refusals[r.error] ?? r.message ?? refusal(r.error)));
    return r;
  }

  say(text: string) {
    this.message = text;
    if (this.messageTimer) clearTimeout(this.messageTimer);
    this.messageTimer = setTimeout(() => (this.message = ''), 5_000);
  }

  /** Sets a setting now. */
  set<K extends SettingName>(name: K, value: VenueSettings[K]) {
    this.report(this.session.venue.setSetting(name, value));
  }

  /** Sets a setting from a slider: the last value wins, at most every {@link SLIDE_EVERY_MS}. */
  slide<K extends SettingName>(name: K, value: VenueSettings[K]) {
    const pending = this.sliding.get(name);
    if (pending) {
      pending.value = value;
      return;
    }
    this.set(name, value);
    const entry = {
      value: value as unknown,
      timer: setTimeout(() => {
        this.sliding.delete(name);
        if (entry.value !== value) this.set(name, entry.value as VenueSettings[K]);
      }, SLIDE_EVERY_MS),
    };
    this.sliding.set(name, entry);
  }

  /** Plays a track on this phone only (the venue's playback is not touched); again to stop. */
  preview(track: string) {
    this.previewAudio?.pause();
    if (this.previewing === track) {
      this.previewing = null;
      return;
    }
    const t = this.tracks.get(track);
    if (!t) return;
    const audio = (this.previewAudio ??= new Audio());
    audio.src = mediaUrl(this.session.credential.relay, t.media);
    audio.onended = () => (this.previewing = null);
    this.previewing = track;
    void audio.play().catch((e: unknown) => {
      this.previewing = null;
      this.say(e instanceof Error ? e.message : String(e));
    });
  }

  destroy() {
    this.uploads?.destroy();
    this.previewAudio?.pause();
    for (const { timer } of this.sliding.values()) clearTimeout(timer);
    if (this.messageTimer) clearTimeout(this.messageTimer);
  }
}
