/**
 * A player's open play, kept on the device so a crash, a frozen TV stick or a power cut mid-song
 * does not lose it from the play history (relay PROTOCOL RP33, issue 9's licensing records).
 *
 * Each player tab keeps its open play in localStorage under a key of its own and holds a Web Lock
 * of the same name for its life (the browser releases it when the tab dies, however it dies). A
 * player starting up records every kept play of its venue whose lock nobody holds: that tab died
 * with the play open. The record says `stopped` at the last moment the play was known to sound
 * (kept every few seconds of sound, `KEEP_EVERY_MS`). A tab that closes normally ends its play itself (pagehide)
 * and removes it. Without Web Locks nothing is recovered, as before.
 */
import type { JournalEntryInput } from '@djamms/protocol';
import { keptPlayEntry, type KeptPlay } from './PlayLog';

const PREFIX = 'djamms-open-play:';

const hasLocks = () => typeof navigator !== 'undefined' && 'locks' in navigator;

/** This tab's place for its open play of `venueId`. */
export class PlayKeeper {
  readonly #key: string;

  constructor(venueId: string) {
    this.#key = `${PREFIX}${venueId}:${crypto.randomUUID()}`;
    // Held until the tab goes: the promise never settles.
    if (hasLocks())
      void navigator.locks.request(this.#key, () => new Promise<void>(() => undefined));
  }

  /** Keeps `play`, or forgets the kept one when null. Storage that refuses loses only the copy. */
  save(play: KeptPlay | null): void {
    try {
      if (play) localStorage.setItem(this.#key, JSON.stringify(play));
      else localStorage.removeItem(this.#key);
    } catch {
      // full or disabled storage: the play is still recorded when it ends normally
    }
  }
}

/**
 * The records of plays that player tabs of `venueId` on this device left open when they died, each
 * forgotten once read (its entry id makes a second recovery append nothing twice, RP18).
 */
export async function orphanedPlays(venueId: string): Promise<JournalEntryInput[]> {
  if (!hasLocks()) return [];
  const prefix = `${PREFIX}${venueId}:`;
  const keys = Object.keys(localStorage).filter((k) => k.startsWith(prefix));
  if (keys.length === 0) return [];
  const { held = [] } = await navigator.locks.query();
  const alive = new Set(held.map((lock) => lock.name));
  const entries: JournalEntryInput[] = [];
  for (const key of keys) {
    if (alive.has(key)) continue;
    const kept = readKept(localStorage.getItem(key));
    localStorage.removeItem(key);
    if (kept) entries.push(keptPlayEntry(kept));
  }
  return entries;
}

/** A kept play as stored, or null for anything else (another version's, or damaged). */
function readKept(text: string | null): KeptPlay | null {
  try {
    const p = JSON.parse(text ?? '') as Partial<KeptPlay> | null;
    const numbers = [p?.started, p?.playedMs, p?.savedAt];
    if (
      typeof p?.id !== 'string' ||
      typeof p.entry !== 'string' ||
      typeof p.track?.id !== 'string' ||
      !numbers.every((n) => typeof n === 'number' && Number.isFinite(n))
    )
      return null;
    return p as KeptPlay;
  } catch {
    return null;
  }
}
