/**
 * The player device's duties (venue SPEC, player operations): hold the active-player lease and
 * heartbeat, or stand by and take over by itself when the active player goes; apply intents when the
 * document changes and guest entries from the journal; keep the upcoming media on the device; and
 * play what the venue says is playing through the {@link AudioEngine}: crossfades started early by
 * advancing before the end, stops as the venue says (emergency at once, fade-out over seconds), a
 * track that fails retried once and then reported and skipped (VM27). State changes go into the
 * document; the live position goes on awareness, a few times a second, never into the document.
 */
import { TIMING, type EntryView, type LibraryTrack, type NowPlaying } from '@djamms/venue';
import { MediaCache, type MediaCacheState } from '../media/MediaCache';
import { pwa } from '../pwa.svelte';
import { mediaUrl, readGuestEntries } from '../relay-api';
import { deviceClock } from '../sync/clock';
import type { VenueSession } from '../sync/venue-session.svelte';
import { AudioEngine, FADE_OUT_SECONDS } from './AudioEngine';
import { recordId, sendRecord } from '../records/send';
import { guestEntries } from './journal';
import { orphanedPlays, PlayKeeper } from './kept-play';
import { LIVE_FIELD, type LivePosition } from './live';
import { PlayLog } from './PlayLog';
import { ScheduleRunner } from './ScheduleRunner.svelte';

const JOURNAL_POLL_MS = 3_000;
/** A skip or a previous crossfades this quickly; only a track ending gets the venue's crossfade. */
const QUICK_FADE_SECONDS = 0.3;
/** Buffering shorter than this is not worth a document write. */
const BUFFERING_REPORT_MS = 1_500;
/** How far the device may drift from the venue's position before it seeks. */
const DRIFT_MS = 3_000;
/**
 * How long a track that came up waits for the library while the library is live with the relay:
 * one still missing then was removed from the library (or never reached it), so it fails and the
 * music goes on. Before, the TV waited for it for good, silent.
 */
const MISSING_TRACK_MS = 10_000;

/** Why this player is not the one playing. */
export type Standby =
  | { why: 'loading' }
  | { why: 'other'; name: string; lastSeen: number; online: boolean }
  | { why: 'revoked' };

export class PlayerEngine {
  /** Sound is allowed in this browser (a tap, a key, or an autoplay policy that allows it). */
  unlocked = $state(false);
  active = $state(false);
  standby = $state.raw<Standby | null>({ why: 'loading' });
  /** The last thing that went wrong here, in words, or ''. */
  problem = $state('');
  media = $state.raw<MediaCacheState>({ items: [], bytes: 0, hits: 0, misses: 0 });
  /** The entry whose media is not on the device yet. */
  waitingFor = $state<string | null>(null);
  /** Position and length of what plays, in seconds (from the media element). */
  position = $state(0);
  duration = $state(0);
  /** The current track is a video: the deck is shown full screen. */
  video = $state(false);
  /** Which deck plays now (0 or 1), for showing its video. */
  deck = $state(0);
  micLive = $state(false);
  /** Tracks this player has played to the end since it started. */
  finished = $state(0);

  readonly audio: AudioEngine;
  /** What played, for the venue's play history (RP33). */
  private readonly playLog: PlayLog;
  /** The venue's schedule, run from this device's copy (VM32, VM33). */
  readonly schedule: ScheduleRunner;
  private readonly cache: MediaCache;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  /** What is on the deck: the entry, its file, and which start of it (an entry repeats). */
  private loaded: { entry: string; url: string; play: number } | null = null;
  private plays = 0;
  private loading: string | null = null;
  private blobUrls: string[] = [];
  /** The start already finished, by a crossfade before its end or by its end. */
  private advancedEarly: number | null = null;
  /** Entries retried once after failing. */
  private readonly retried = new Set<string>();
  /** The stop already carried out (entry and time), so it is done once. */
  private stopDone = '';
  private bufferingTimer: ReturnType<typeof setTimeout> | null = null;
  private reportedBuffering = false;
  private polling = false;

  constructor(
    private readonly session: VenueSession,
    decks: [HTMLVideoElement, HTMLVideoElement],
  ) {
    this.audio = new AudioEngine(decks, {
      ended: this.onEnded,
      failed: (why) => this.onFailed(why),
      time: this.onTime,
      waiting: this.onWaiting,
      playing: this.onPlaying,
    });
    const keeper = new PlayKeeper(session.credential.venueId);
    this.playLog = new PlayLog(
      deviceClock.now,
      () => recordId('play'),
      (entry) => sendRecord(session.credential, entry),
      (play) => keeper.save(play),
    );
    // What a player of this venue on this device was playing when it died goes in the history.
    void orphanedPlays(session.credential.venueId).then((plays) =>
      plays.forEach((entry) => sendRecord(session.credential, entry)),
    );
    this.schedule = new ScheduleRunner(session);
    this.cache = new MediaCache((state) => {
      this.media = state;
      if (this.waitingFor) this.follow();
    });
    this.timers.push(setInterval(() => this.beat(), TIMING.heartbeat));
    this.timers.push(setInterval(() => void this.pollJournal(), JOURNAL_POLL_MS));
    this.timers.push(setInterval(() => this.tick(), 1_000));
    addEventListener('pagehide', this.onPageHide);
    document.addEventListener('visibilitychange', this.onVisible);
    this.update();
    // A player that was playing before a reload or a reboot carries on by itself where the browser
    // allows sound without a tap (a TV set up for it, an installed app); otherwise it asks for one.
    void this.tryUnlock();
  }

  /** Library tracks by id, rebuilt only when the library changed (update runs on every write). */
  private get tracks(): Map<string, LibraryTrack> {
    const library = this.session.library;
    if (this.tracksOf !== library) {
      this.tracksOf = library;
      this.byId = new Map(library.tracks.map((t) => [t.id, t]));
    }
    return this.byId;
  }
  private tracksOf: unknown = null;
  private byId = new Map<string, LibraryTrack>();

  /**
   * Claims the lease: `force` is a person choosing this device over a live one. A refused claim
   * writes nothing, and claims by themselves are tried at most once a second, so a standby player
   * never floods the venue while it waits.
   */
  claim(force: boolean) {
    const venue = this.session.venue;
    if (!venue.meta()) return;
    this.claimedAt = Date.now();
    const r = venue.claimLease(force);
    if (!r.ok && r.error !== 'lease-held') this.problem = r.message;
    // The screen follows at once, not a frame later.
    if (r.ok) this.session.refresh();
  }

  private claimedAt = 0;

  /**
   * Once a second: a standby player checks whether the active one has gone, the position is
   * published, and a track missing from the library is given up on.
   */
  private tick() {
    if (!this.active || this.revoked()) this.update();
    this.publishPosition();
    this.giveUpOnMissing();
  }

  /** When the track now playing has been missing from the library for a while (see load). */
  private missingSince = 0;

  /**
   * A track the library still lacks {@link MISSING_TRACK_MS} after it came up, while the library's
   * link to the relay is up (so anything added elsewhere would have arrived), is reported failed
   * as a file that will not play is: a retry, then the venue moves on (VM27).
   */
  private giveUpOnMissing() {
    const now = this.session.snapshot.nowPlaying;
    if (!this.active || !now || this.waitingFor !== now.entry || this.tracks.has(now.track)) return;
    if (!this.session.libraryLink?.connected) return;
    if (performance.now() - this.missingSince < MISSING_TRACK_MS) return;
    this.onFailed('the track is no longer in the library', now);
  }

  /**
   * An admin removed this device: the venue says so, or the relay did when it closed the link (the
   * venue's own word cannot reach a device the relay no longer serves).
   */
  private revoked(): boolean {
    const { snapshot, credential, venueLink } = this.session;
    return snapshot.revoked.includes(credential.deviceId) || venueLink?.error === 'revoked';
  }

  private beat() {
    if (this.active) this.session.venue.heartbeat();
  }

  /** Called whenever the venue snapshot or the library changes. */
  update() {
    const snap = this.session.snapshot;
    const me = this.session.writer;
    this.active = snap.activePlayer === me;
    if (!snap.meta.venueId) {
      this.standby = { why: 'loading' };
      return;
    }
    if (this.revoked()) {
      // A removed TV stops: it can no longer be told to, and kept the bar's music out of reach.
      this.active = false;
      this.standby = { why: 'revoked' };
      this.silenceIfPlaying();
      return;
    }
    if (!this.active) {
      const holder = snap.players.find((p) => p.writer === snap.activePlayer);
      // Nobody holds the lease, or its holder stopped beating: take over by itself (VM3).
      if ((!holder || !holder.online) && Date.now() - this.claimedAt >= 1_000) {
        this.claim(false);
        if (this.session.snapshot.activePlayer === me) return;
      }
      this.standby = holder
        ? { why: 'other', name: holder.name, lastSeen: holder.lastSeen, online: holder.online }
        : { why: 'loading' };
      this.silenceIfPlaying();
      return;
    }
    this.standby = null;
    if (snap.intents.some((i) => i.status === 'pending')) this.session.venue.applyIntents();
    this.schedule.check();
    this.startWhenIdle();
    this.want();
    this.follow();
    this.describe();
  }

  /**
   * With sound allowed and nothing playing (never started, or the queue ran out), whatever gets
   * queued starts. A stop by staff is not idle: only play starts again after it (VM6).
   */
  private startWhenIdle() {
    const now = this.session.snapshot.nowPlaying;
    const idle = !now || (now.state === 'stopped' && now.stoppedBy === 'end');
    if (!this.unlocked || !idle || this.session.venue.upNext(1).length === 0) return;
    this.session.venue.advance(now?.entry ?? null);
  }

  /**
   * What should be on this device: playing now, the lane, the next programme entries, then the
   * gallery's pictures and videos while its rotation is on (VM37).
   */
  private want() {
    const snap = this.session.snapshot;
    const upcoming: EntryView[] = this.session.venue.upNext(Math.max(1, snap.settings.prefetch));
    const ids = [snap.nowPlaying?.track, ...upcoming.map((e) => e.track)];
    const tracks = this.tracks;
    const relay = this.session.credential.relay;
    // Each track's file, then its cover (small), so the TV shows covers offline too.
    const urls = ids
      .map((id) => (id ? tracks.get(id) : undefined))
      .filter((t): t is LibraryTrack => !!t)
      .flatMap((t) => [
        mediaUrl(relay, t.media),
        ...(t.artwork ? [mediaUrl(relay, t.artwork)] : []),
      ]);
    const gallery =
      snap.settings.gallery.every > 0
        ? this.session.library.gallery.map((item) => mediaUrl(relay, item.media))
        : [];
    this.cache.want([...urls, ...gallery]);
  }

  /** Makes the sound follow the venue: what plays, where, how loud, and its stops. */
  private follow() {
    const snap = this.session.snapshot;
    const now = snap.nowPlaying;
    this.session.playing = now?.state === 'playing';
    this.audio.setVolume(snap.volume);
    this.audio.setEq(snap.settings.eq);
    this.audio.setCompressor(snap.settings.compressor);
    if (!this.unlocked) return;
    if (!now) return;
    if (now.state === 'stopped') {
      this.stop(now);
      return;
    }
    this.stopDone = '';
    // Another entry, or the same one again after it finished (a one-entry programme on repeat).
    if (now.entry !== this.loaded?.entry || this.finishedLoaded()) {
      void this.load(now);
      return;
    }
    if (now.state === 'paused') {
      this.audio.pause();
      this.playLog.tick(now.entry, false);
      return;
    }
    // Follow the venue's position when it is far from ours: a seek, or a previous that restarted.
    const drift = Math.abs(this.audio.position() * 1000 - now.positionMs);
    if (drift > DRIFT_MS) this.audio.seek(now.positionMs / 1000);
    if (this.audio.paused) void this.play(() => this.audio.resume());
  }

  private stop(now: NowPlaying) {
    const key = `${now.entry}@${now.changedAt}`;
    if (this.stopDone === key) return;
    this.stopDone = key;
    this.playLog.end('stopped');
    if (now.stoppedBy === 'emergency') this.audio.emergencyStop();
    else if (now.stoppedBy === 'fade-out') this.audio.fadeOut(FADE_OUT_SECONDS);
    // The end of the queue: what plays finishes by itself.
    else if (!this.finishedLoaded()) this.audio.fadeOut(QUICK_FADE_SECONDS);
    this.loaded = null;
  }

  private silenceIfPlaying() {
    this.playLog.end('stopped');
    if (!this.audio.paused) this.audio.fadeOut(QUICK_FADE_SECONDS);
    this.loaded = null;
  }

  private async load(now: NowPlaying) {
    if (this.loading === now.entry) return;
    const track = this.tracks.get(now.track);
    if (!track) {
      // The library has not synced it yet, or it was removed: wait (see giveUpOnMissing).
      if (this.waitingFor !== now.entry) this.missingSince = performance.now();
      this.waitingFor = now.entry;
      return;
    }
    const url = mediaUrl(this.session.credential.relay, track.media);
    this.loading = now.entry;
    try {
      const src = await this.cache.playable(url);
      if (!src) {
        this.waitingFor = now.entry;
        const item = this.cache.item(url);
        if (item?.missing) this.onFailed(item.error ?? 'the file is missing on the relay', now);
        return;
      }
      this.waitingFor = null;
      const fade = this.finishedLoaded()
        ? this.session.snapshot.settings.crossfadeSeconds
        : QUICK_FADE_SECONDS;
      this.loaded = { entry: now.entry, url, play: ++this.plays };
      this.video = track.media.type.startsWith('video/');
      this.blobUrls.push(src);
      // Both decks' files stay until the next start: the outgoing one is still fading out.
      while (this.blobUrls.length > 2) URL.revokeObjectURL(this.blobUrls.shift()!);
      // Where the venue is now, not when the screen's snapshot was last built (up to a second
      // ago): a player restored after a reload starts within a few milliseconds of it.
      const position = this.session.venue.snapshot().nowPlaying?.positionMs ?? now.positionMs;
      const started = await this.play(() => this.audio.start(src, position / 1000, fade));
      // A new play, unless this one already counts (a restart after a failure, a reload).
      if (started && this.playLog.entry !== now.entry) this.playLog.started(now.entry, track);
      this.deck = this.audio.deck;
      if (this.session.snapshot.nowPlaying?.state !== 'playing') this.audio.pause();
    } finally {
      this.loading = null;
    }
  }

  /**
   * Runs a start or a resume, true when it sounds; a browser that wants a tap first gets the start
   * button back.
   */
  private async play(run: () => Promise<void>): Promise<boolean> {
    try {
      await run();
      this.problem = '';
      return true;
    } catch (e) {
      if (e instanceof DOMException && e.name === 'NotAllowedError') {
        this.unlocked = false;
        this.loaded = null;
      } else if (e instanceof DOMException && e.name === 'AbortError') {
        // A newer start replaced this one.
      } else {
        this.onFailed(e instanceof Error ? e.message : String(e));
      }
      return false;
    }
  }

  /** Fills the Media Session (lock screen, TV remote, headset keys) with what plays. */
  private describe() {
    if (!('mediaSession' in navigator)) return;
    const now = this.session.snapshot.nowPlaying;
    const track = now ? this.tracks.get(now.track) : undefined;
    navigator.mediaSession.playbackState =
      now?.state === 'playing' ? 'playing' : now?.state === 'paused' ? 'paused' : 'none';
    const title = track?.title ?? '';
    if (navigator.mediaSession.metadata?.title === title) return;
    navigator.mediaSession.metadata = track
      ? new MediaMetadata({
          title: track.title,
          artist: track.artist,
          album: track.album || this.session.snapshot.meta.name,
        })
      : null;
  }

  private installMediaKeys() {
    if (!('mediaSession' in navigator)) return;
    const { venue } = this.session;
    const entry = () => this.session.snapshot.nowPlaying?.entry ?? null;
    navigator.mediaSession.setActionHandler('play', () => {
      const now = this.session.snapshot.nowPlaying;
      if (now?.state === 'paused') venue.reportState('playing', now.positionMs);
    });
    navigator.mediaSession.setActionHandler('pause', () => {
      const now = this.session.snapshot.nowPlaying;
      if (now?.state === 'playing') venue.reportState('paused', this.audio.position() * 1000);
    });
    navigator.mediaSession.setActionHandler('nexttrack', () => void venue.advance(entry()));
  }

  /** The one tap or key press that allows sound; starts the queue if nothing is playing. */
  async start() {
    await this.audio.unlock();
    this.unlocked = true;
    this.installMediaKeys();
    void this.keepAwake();
    if (!this.active) this.claim(false);
    this.update();
  }

  /** Starts by itself when the browser allows sound without a tap. */
  private async tryUnlock() {
    if (await this.audio.tryUnlock()) await this.start();
  }

  private wakeLock: WakeLockSentinel | null = null;

  /** Keeps the screen on while this is the venue's player (re-acquired when visible again). */
  private async keepAwake() {
    if (!('wakeLock' in navigator) || this.wakeLock) return;
    try {
      this.wakeLock = await navigator.wakeLock.request('screen');
      this.wakeLock.addEventListener('release', () => (this.wakeLock = null));
    } catch {
      // Not allowed (battery saver, not visible): the screen may sleep, the music does not stop.
    }
  }

  private onVisible = () => {
    if (document.visibilityState === 'visible' && this.unlocked) void this.keepAwake();
  };

  /** The venue's microphone for announcements: on ducks the music, off brings it back. */
  async toggleMic() {
    try {
      if (this.audio.micLive) this.audio.micOff();
      else await this.audio.micOn();
    } catch (e) {
      this.problem = `The microphone could not be used: ${e instanceof Error ? e.message : e}`;
    }
    this.micLive = this.audio.micLive;
  }

  private onTime = (seconds: number, duration: number) => {
    this.position = seconds;
    this.duration = duration;
    const now = this.session.snapshot.nowPlaying;
    const entry = this.loaded?.entry;
    if (entry) this.playLog.tick(entry, !this.audio.paused);
    // A deck that is still loading its file says NaN: nothing to judge yet. A track shorter than
    // two crossfades gives half of itself to each.
    if (!Number.isFinite(duration) || !(seconds > 0)) return;
    const fade = Math.min(this.session.snapshot.settings.crossfadeSeconds, duration / 2);
    if (!entry || now?.entry !== entry || now.state !== 'playing' || !(fade > 0)) return;
    // Start the next track while this one fades out: advance a crossfade before the end, if
    // there is a next track (the last one plays to its end).
    if (duration - seconds > fade || this.finishedLoaded()) return;
    if (this.session.venue.upNext(1).length === 0) return;
    this.advancedEarly = this.loaded!.play;
    this.finish(entry);
  };

  private onEnded = () => {
    if (!this.loaded || this.finishedLoaded()) return;
    this.advancedEarly = this.loaded.play;
    this.finish(this.loaded.entry);
  };

  /** The start on the deck has been finished (its crossfade began, or it ended). */
  private finishedLoaded() {
    return this.loaded !== null && this.advancedEarly === this.loaded.play;
  }

  private finish(entry: string | null) {
    this.finished += 1;
    if (entry) this.playLog.end('finished', entry);
    this.session.venue.advance(entry);
    // A waiting new version is applied only here, between tracks.
    if (pwa.updateReady) void pwa.applyUpdate();
  }

  /** A track that fails is tried once more, then reported and skipped (VM27). */
  private onFailed(why: string, now = this.session.snapshot.nowPlaying) {
    const entry = now?.entry;
    if (!entry) return;
    this.problem = `Could not play: ${why}`;
    if (!this.retried.has(entry)) {
      this.retried.add(entry);
      this.loaded = null;
      setTimeout(() => this.follow(), 1_000);
      return;
    }
    this.loaded = null;
    const track = now && this.tracks.get(now.track);
    if (track) this.playLog.failedToStart(entry, track);
    this.session.venue.reportFailure(entry, why);
  }

  private onWaiting = () => {
    if (this.bufferingTimer) return;
    this.bufferingTimer = setTimeout(() => {
      const now = this.session.snapshot.nowPlaying;
      if (now?.state === 'playing' && this.active) {
        this.reportedBuffering = this.session.venue.reportState(
          'buffering',
          this.audio.position() * 1000,
        ).ok;
      }
    }, BUFFERING_REPORT_MS);
  };

  private onPlaying = () => {
    if (this.bufferingTimer) clearTimeout(this.bufferingTimer);
    this.bufferingTimer = null;
    if (!this.reportedBuffering) return;
    this.reportedBuffering = false;
    if (this.session.snapshot.nowPlaying?.state === 'buffering') {
      this.session.venue.reportState('playing', this.audio.position() * 1000);
    }
  };

  /** The live position, for the admin's progress bar (awareness, never the document). */
  private publishPosition() {
    const awareness = this.session.venueDoc.awareness;
    const now = this.session.snapshot.nowPlaying;
    if (!awareness || !this.active || !now || !this.loaded) return;
    const live: LivePosition = {
      entry: now.entry,
      positionMs: Math.round(this.audio.position() * 1000),
      durationMs: Math.round((this.duration || 0) * 1000),
      playing: !this.audio.paused,
      at: deviceClock.now(),
    };
    awareness.setLocalStateField(LIVE_FIELD, live);
  }

  private async pollJournal() {
    const { credential, venueLink } = this.session;
    // Only the active player applies guest entries, and only with its token read and the relay up.
    if (this.polling || !this.active || !credential.token || !venueLink?.connected) return;
    this.polling = true;
    try {
      const { snapshot, venue } = this.session;
      const after = snapshot.journalCursor;
      const page = await readGuestEntries(
        credential.relay,
        credential.token,
        credential.venueId,
        after,
      );
      if (page.entries.length && page.cursor !== after) {
        venue.applyGuestEntries(guestEntries(page.entries, this.tracks), page.cursor);
      }
    } catch {
      // The relay is away; the next poll tries again.
    } finally {
      this.polling = false;
    }
  }

  /** A closing tab hands the venue over at once instead of after the lease times out. */
  private onPageHide = () => {
    this.playLog.end('stopped');
    if (this.active) this.session.venue.releaseLease();
  };

  destroy() {
    this.playLog.end('stopped');
    this.timers.forEach(clearInterval);
    this.schedule.destroy();
    if (this.bufferingTimer) clearTimeout(this.bufferingTimer);
    removeEventListener('pagehide', this.onPageHide);
    document.removeEventListener('visibilitychange', this.onVisible);
    this.cache.destroy();
    this.audio.destroy();
    void this.wakeLock?.release();
    this.blobUrls.forEach((u) => URL.revokeObjectURL(u));
    this.session.venueDoc.awareness?.setLocalStateField(LIVE_FIELD, null);
    if (this.active) this.session.venue.releaseLease();
  }
}
