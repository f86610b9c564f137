/**
 * What the player played, for the venue's play history (relay PROTOCOL RP33): one open play at a
 * time, from the moment its sound starts to the moment it ends, with the seconds of sound it made
 * (pauses and buffering left out) and how it ended. The engine says when those things happen; the
 * play's record goes out through `send` when it ends, with the track's words as the library had
 * them then. While it is open, the play is handed to `keep` when it starts, every few seconds of
 * sound and when it ends (as null), so a player that dies mid-song leaves it behind to be recorded
 * (see kept-play.ts).
 */
import type { JournalEntryInput, PlayEnding, PlayRecord } from '@djamms/protocol';
import type { LibraryTrack } from '@djamms/venue';

/** Longest gap between two ticks still counted as sound: a longer one is a stall or a sleep. */
const MAX_TICK_MS = 1_500;
/** How often an open play is kept while it sounds: what a crash can cost, at most. */
export const KEEP_EVERY_MS = 5_000;

interface OpenPlay {
  readonly id: string;
  readonly entry: string;
  readonly track: LibraryTrack;
  readonly started: number;
  playedMs: number;
  lastTick: number | null;
}

/** An open play as kept on the device: `savedAt` is the last time it was known to sound. */
export interface KeptPlay {
  readonly id: string;
  readonly entry: string;
  readonly track: LibraryTrack;
  readonly started: number;
  readonly playedMs: number;
  readonly savedAt: number;
}

/** The journal entry of a play (RP33) that ended at `ended`, and how. */
function playEntry(
  open: Pick<OpenPlay, 'id' | 'track' | 'started' | 'playedMs'>,
  ended: number,
  how: PlayEnding,
): JournalEntryInput {
  ended = Math.max(open.started, ended);
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
  return { id: open.id, kind: 'play', at: open.started, data };
}

/**
 * The record of a play a player left open when it died (a crash, a power cut): stopped at the
 * last moment it was known to sound, with the seconds counted until then.
 */
export const keptPlayEntry = (kept: KeptPlay): JournalEntryInput =>
  playEntry(kept, kept.savedAt, 'stopped');

export class PlayLog {
  private open: OpenPlay | null = null;
  /** When the open play was last kept. */
  private keptAt = 0;

  private readonly now: () => number;

  constructor(
    clock: () => number,
    private readonly newId: () => string,
    private readonly send: (entry: JournalEntryInput) => void,
    private readonly keep: (play: KeptPlay | null) => void = () => undefined,
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
    this.keepOpen();
  }

  private keepOpen(): void {
    const { id, entry, track, started, playedMs } = this.open!;
    this.keptAt = this.now();
    this.keep({ id, entry, track, started, playedMs, savedAt: this.keptAt });
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
    if (playing && now - this.keptAt >= KEEP_EVERY_MS) this.keepOpen();
  }

  /** The open play ended, and how; a play of `entry` only when given (a stale end is ignored). */
  end(how: PlayEnding, entry?: string): void {
    const open = this.open;
    if (!open || (entry !== undefined && open.entry !== entry)) return;
    this.open = null;
    this.send(playEntry(open, this.now(), how));
    this.keep(null);
  }

  /** A track that failed before any sound: a play of no seconds that failed. */
  failedToStart(entry: string, track: LibraryTrack): void {
    if (this.open?.entry === entry) return this.end('failed');
    this.started(entry, track);
    this.end('failed');
  }
}
