/**
 * The player device's duties (venue SPEC, player operations): hold the active-player lease and
 * heartbeat, apply intents when the document changes, apply guest entries from the journal, keep
 * the upcoming media on the device, and play what the venue says is playing through one long-lived
 * <audio> element fed with blob URLs from the media cache. Advances name the entry they finish.
 */
import { TIMING, type EntryView, type LibraryTrack } from '@djamms/venue';
import { MediaCache, type MediaCacheState } from '../media/MediaCache';
import { pwa } from '../pwa.svelte';
import { mediaUrl, readJournal } from '../relay-api';
import type { VenueSession } from '../sync/venue-session.svelte';
import { guestEntries } from './journal';

const JOURNAL_POLL_MS = 3_000;

export class PlayerEngine {
  /** Sound unlocked by a tap (one per boot). */
  unlocked = $state(false);
  active = $state(false);
  leaseMessage = $state('');
  media = $state.raw<MediaCacheState>({ items: [], bytes: 0, hits: 0, misses: 0 });
  /** What the <audio> element holds. */
  loadedEntry = $state<string | null>(null);
  waitingFor = $state<string | null>(null);
  /** Tracks this player has played to the end since it started. */
  finished = $state(0);

  private readonly cache: MediaCache;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private blobUrl: string | null = null;
  private loading: string | null = null;
  private polling = false;

  constructor(
    private readonly session: VenueSession,
    private readonly audio: HTMLAudioElement,
  ) {
    this.cache = new MediaCache((state) => {
      this.media = state;
      if (this.waitingFor && state.items.some((i) => i.status === 'cached')) this.follow();
    });
    audio.addEventListener('ended', this.onEnded);
    this.claim(false);
    this.timers.push(setInterval(() => this.beat(), TIMING.heartbeat));
    this.timers.push(setInterval(() => void this.pollJournal(), JOURNAL_POLL_MS));
    void this.pollJournal();
  }

  private get tracks(): Map<string, LibraryTrack> {
    return new Map(this.session.library.tracks.map((t) => [t.id, t]));
  }

  claim(force: boolean) {
    const venue = this.session.venue;
    venue.heartbeat();
    const r = venue.claimLease(force);
    this.active = r.ok;
    this.leaseMessage = r.ok ? '' : r.message;
  }

  private beat() {
    this.session.venue.heartbeat();
    this.active = this.session.snapshot.activePlayer === this.session.writer;
  }

  /** Called whenever the venue snapshot changes. */
  update() {
    const snap = this.session.snapshot;
    this.active = snap.activePlayer === this.session.writer;
    // A new device's venue arrives from the relay after start: claim once it has, if nobody holds it.
    if (!this.active && snap.meta.venueId && snap.activePlayer === null) this.claim(false);
    if (!this.active) return;
    if (snap.intents.some((i) => i.status === 'pending')) this.session.venue.applyIntents();
    this.want();
    this.follow();
  }

  /** What should be on this device: playing now, the lane, the next programme entries. */
  private want() {
    const snap = this.session.snapshot;
    const tracks = this.tracks;
    const upcoming: EntryView[] = this.session.venue.upNext(Math.max(1, snap.settings.prefetch));
    const ids = [
      snap.nowPlaying?.track,
      ...snap.lane.map((e) => e.track),
      ...upcoming.map((e) => e.track),
    ];
    const urls = ids
      .map((id) => (id ? tracks.get(id) : undefined))
      .filter((t): t is LibraryTrack => !!t)
      .map((t) => mediaUrl(this.session.credential.relay, t.media));
    this.cache.want(urls);
  }

  /** Makes the audio element follow the venue's now-playing. */
  private follow() {
    const now = this.session.snapshot.nowPlaying;
    const audio = this.audio;
    this.session.playing = now?.state === 'playing';
    audio.volume = this.session.snapshot.settings.muted ? 0 : this.session.snapshot.volume / 100;
    if (!this.unlocked) return;
    if (!now || now.state === 'stopped') {
      if (!audio.paused) audio.pause();
      return;
    }
    if (now.entry !== this.loadedEntry) {
      void this.load(now.entry, now.track, now.positionMs);
      return;
    }
    if (now.state === 'paused' && !audio.paused) audio.pause();
    if (now.state !== 'playing') return;
    // Follow the venue's position when it is far from ours: a seek, or the same entry started
    // again (a one-entry programme on repeat).
    const drift = Math.abs(audio.currentTime * 1000 - now.positionMs);
    const restarted = audio.ended && now.positionMs < audio.duration * 1000 - 500;
    if (drift > 3000 || restarted) audio.currentTime = now.positionMs / 1000;
    if (audio.paused && (!audio.ended || restarted)) void audio.play().catch(() => undefined);
  }

  private async load(entry: string, trackId: string, positionMs: number) {
    if (this.loading === entry) return;
    const track = this.tracks.get(trackId);
    if (!track) return;
    this.loading = entry;
    try {
      const src = await this.cache.playable(mediaUrl(this.session.credential.relay, track.media));
      if (!src) {
        this.waitingFor = entry;
        return;
      }
      this.waitingFor = null;
      if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
      this.blobUrl = src;
      this.audio.src = src;
      this.audio.currentTime = positionMs / 1000;
      this.loadedEntry = entry;
      if (this.session.snapshot.nowPlaying?.state === 'playing') await this.audio.play();
    } catch (e) {
      this.leaseMessage = e instanceof Error ? e.message : String(e);
    } finally {
      this.loading = null;
    }
  }

  /** The one tap that unlocks sound; starts the queue if nothing is playing. */
  async start() {
    this.unlocked = true;
    // Unlock the element inside the gesture, then let the venue say what to play.
    this.audio.muted = false;
    const snap = this.session.snapshot;
    if (!this.active) this.claim(false);
    if (!snap.nowPlaying || snap.nowPlaying.state === 'stopped') {
      this.session.venue.advance(snap.nowPlaying?.entry ?? null);
    }
    this.follow();
  }

  private onEnded = () => {
    this.finished += 1;
    const finished = this.loadedEntry;
    this.session.venue.advance(finished);
    // A waiting new version is applied only here, between tracks.
    if (pwa.updateReady) void pwa.applyUpdate();
  };

  private async pollJournal() {
    if (this.polling || !this.active || !navigator.onLine) return;
    this.polling = true;
    try {
      const { credential, snapshot, venue } = this.session;
      const after = snapshot.journalCursor;
      const page = await readJournal(credential.relay, credential.token, credential.venueId, after);
      if (page.cursor !== null && String(page.cursor) !== after && page.entries.length) {
        venue.applyGuestEntries(guestEntries(page.entries, this.tracks), String(page.cursor));
      }
    } catch {
      // The relay is away; the next poll tries again.
    } finally {
      this.polling = false;
    }
  }

  destroy() {
    this.timers.forEach(clearInterval);
    this.audio.removeEventListener('ended', this.onEnded);
    this.cache.destroy();
    if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
    if (this.active) this.session.venue.releaseLease();
  }
}
