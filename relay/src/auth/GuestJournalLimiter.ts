import { RateLimiter } from './rate-limit';

/** How fast guests may append to a venue's journal (RP30), in entries and in bytes. */
export interface GuestJournalRate {
  readonly entriesPerSecond: number;
  readonly entryBurst: number;
  /** UTF-8 bytes of the stored entries. */
  readonly bytesPerSecond: number;
  readonly byteBurst: number;
}

/**
 * Guest journal limits (RP30, THREAT_MODEL T18): one budget per venue guest link (every guest
 * token of a venue comes from its one current link, however many tokens the link mints) and one
 * per client address (one address holding many venues' links). A batch is taken from all four
 * buckets or from none.
 */
export class GuestJournalLimiter {
  readonly #entries: RateLimiter;
  readonly #bytes: RateLimiter;

  constructor(rate: GuestJournalRate, now: () => number = Date.now) {
    this.#entries = new RateLimiter(
      { perSecond: rate.entriesPerSecond, burst: rate.entryBurst },
      now,
    );
    this.#bytes = new RateLimiter({ perSecond: rate.bytesPerSecond, burst: rate.byteBurst }, now);
  }

  /**
   * Takes `entries` and `bytes` for the guests of `venueId` at `address` (null: this host, the
   * link's budget only). Returns 0 when taken, else the milliseconds until they would be
   * (Infinity: the batch is larger than a burst).
   */
  take(venueId: string, address: string | null, entries: number, bytes: number): number {
    const keys = [`link:${venueId}`, ...(address === null ? [] : [`address:${address}`])];
    let wait = 0;
    for (const key of keys) {
      wait = Math.max(wait, this.#entries.waitMs(key, entries), this.#bytes.waitMs(key, bytes));
    }
    if (wait > 0) return wait;
    for (const key of keys) {
      this.#entries.take(key, entries);
      this.#bytes.take(key, bytes);
    }
    return 0;
  }

  /** Its limiters by name, for sharing their counters between nodes (RP45). */
  limiters(): [string, RateLimiter][] {
    return [
      ['guest-journal-entries', this.#entries],
      ['guest-journal-bytes', this.#bytes],
    ];
  }

  /** Forgets buckets that are full again (keeps memory bounded). */
  sweep(): void {
    this.#entries.sweep();
    this.#bytes.sweep();
  }
}
