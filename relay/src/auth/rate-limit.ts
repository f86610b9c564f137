/** A token-bucket rate: `perSecond` sustained, `burst` at once. */
export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-key token buckets (RP14, RP26). Keys are device ids or guest links; an address only where a
 * venue's own patrons sharing it (behind the venue's router) stay within the limit (RP26).
 */
export class RateLimiter {
  readonly #rate: Rate;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(rate: Rate, now: () => number = Date.now) {
    this.#rate = rate;
    this.#now = now;
  }

  /** Takes `cost` tokens for `key`; false when the key is over its rate. */
  take(key: string, cost = 1): boolean {
    const bucket = this.#refill(key);
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  /**
   * Milliseconds until `key` has `cost` tokens, taking none: 0 when it has them now, Infinity when
   * `cost` is more than a burst. Lets a caller check several buckets before taking from any.
   */
  wait(key: string, cost = 1): number {
    if (cost > this.#rate.burst) return Infinity;
    const missing = cost - this.#refill(key).tokens;
    return missing <= 0 ? 0 : (missing / this.#rate.perSecond) * 1000;
  }

  #refill(key: string): Bucket {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#rate.burst, at: now };
    bucket.tokens = Math.min(
      this.#rate.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.#rate.perSecond,
    );
    bucket.at = now;
    this.#buckets.set(key, bucket);
    return bucket;
  }

  /** Forgets buckets that are full again (keeps memory bounded). */
  sweep(): void {
    const now = this.#now();
    for (const [key, bucket] of this.#buckets) {
      const refilled = bucket.tokens + ((now - bucket.at) / 1000) * this.#rate.perSecond;
      if (refilled >= this.#rate.burst) this.#buckets.delete(key);
    }
  }
}
