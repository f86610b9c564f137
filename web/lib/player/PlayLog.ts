/**
 * What the player played, for the venue's play history (relay PROTOCOL RP33): one open play at a
 * time, from the moment its sound starts to the moment it ends, with the seconds of sound it made
 * (pauses and buffering left out) and how it ended. The engine says when those things happen; the
 * play's record goes out through `send` when it ends, with the track's words as the library had
 * them then.
 */
import type { JournalEntryInput, PlayEnding, PlayRecord } from '@djamms/protocol';
import type { LibraryTrack } from '@djamms/venue';

/** Longest gap between two ticks still counted as sound: a longer one is a stall or a sleep. */
const MAX_TICK_MS = 1_500;

interface OpenPlay {
  readonly id: string;
  readonly entry: string;
  readonly track: LibraryTrack;
  readonly started: number;
  playedMs: number;
  lastTick: number | null;
}

export class PlayLog {
  private open: OpenPlay | null = null;

  private readonly now: () => number;

  constructor(
    clock: () => number,
    private readonly newId: () => string,
    private readonly send: (entry: JournalEntryInput) => void,
  ) {
    // Whole milliseconds: a corrected clock may carry a fraction (RP33 wants integers).
    this.now = () => Math.round(clock());
  }

  /** The entry whose play is open, if any. */
  get entry(): string | null {
    return this.open?.entry ?? null;
  }

  /** A new play started: whatever was open ended by being skipped (a person moved on from it). */
  started(entry: string, track: LibraryTrack): void {
    this.end('skipped');
    this.open = {
      id: this.newId(),
      entry,
      track,
      started: this.now(),
      playedMs: 0,
      lastTick: null,
    };
  }

  /** The media clock moved (`playing`) or stood (paused, buffering) for the open play of `entry`. */
  tick(entry: string, playing: boolean): void {
    const open = this.open;
    if (!open || open.entry !== entry) return;
    const now = this.now();
    if (playing && open.lastTick !== null) {
      open.playedMs += Math.min(MAX_TICK_MS, Math.max(0, now - open.lastTick));
    }
    open.lastTick = playing ? now : null;
  }

  /** The open play ended, and how; a play of `entry` only when given (a stale end is ignored). */
  end(how: PlayEnding, entry?: string): void {
    const open = this.open;
    if (!open || (entry !== undefined && open.entry !== entry)) return;
    this.open = null;
    const ended = Math.max(open.started, this.now());
    const data: PlayRecord = {
      track: open.track.id,
      title: open.track.title,
      artist: open.track.artist,
      album: open.track.album,
      isrc: open.track.isrc ?? '',
      started: open.started,
      ended,
      seconds: Math.min(open.playedMs, ended - open.started) / 1000,
      endedBy: how,
    };
    this.send({ id: open.id, kind: 'play', at: open.started, data });
  }

  /** A track that failed before any sound: a play of no seconds that failed. */
  failedToStart(entry: string, track: LibraryTrack): void {
    if (this.open?.entry === entry) return this.end('failed');
    this.started(entry, track);
    this.end('failed');
  }
}
