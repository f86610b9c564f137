/** A token-bucket rate: `perSecond` sustained, `burst` at once. */
export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

/** Counters shared between relay nodes (cluster mode, RP45). */
export interface RateShare {
  /** Shares `limiter`'s counters with the limiter of the same name on every other node. */
  share(name: string, limiter: RateLimiter): void;
  close(): Promise<void>;
}

/**
 * The share of a second's rate a key must have taken on a node before other nodes hear of it at
 * once (RP45); less waits for the next full account.
 */
export const SHARE_AT_ONCE = 1 / 20;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-key token buckets (RP14, RP30). Keys are device ids, guest links, or, only on the routes
 * anyone may call, client addresses with allowances a whole venue behind one router stays within
 * (RP25).
 */
export class RateLimiter {
  readonly #rate: Rate;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  /** What was taken per key since {@link drainTaken} last ran, when other nodes share the rate. */
  #taken: Map<string, number> | null = null;

  constructor(rate: Rate, now: () => number = Date.now) {
    this.#rate = rate;
    this.#now = now;
  }

  /** Takes `cost` tokens for `key`; false when the key is over its rate. */
  take(key: string, cost = 1): boolean {
    return this.takeOrWait(key, cost) === 0;
  }

  /** Takes `cost` tokens for `key`: 0, or (taking nothing) the whole seconds until it could. */
  takeOrWait(key: string, cost = 1): number {
    const wait = this.waitMs(key, cost);
    if (wait > 0) return Math.ceil(wait / 1000);
    (this.#buckets.get(key) as Bucket).tokens -= cost;
    if (this.#taken) this.#taken.set(key, (this.#taken.get(key) ?? 0) + cost);
    return 0;
  }

  /**
   * Shared counters (cluster mode, RP45): from now on this limiter notes what it takes, for
   * {@link drainTaken} to tell other nodes, which {@link takenElsewhere} what they took.
   */
  shareTaken(): void {
    this.#taken ??= new Map();
  }

  /**
   * What was taken per key and not yet drained (empty unless {@link shareTaken}): every key when
   * `all`, otherwise only the keys that took at least {@link SHARE_AT_ONCE} of a second's rate. The
   * rest wait for a later call, so a trickle of requests costs other nodes nothing until it adds
   * up (RP45).
   */
  drainTaken(all: boolean): Map<string, number> {
    const taken = this.#taken;
    if (!taken) return new Map();
    if (all) {
      this.#taken = new Map();
      return taken;
    }
    const worth = this.#rate.perSecond * SHARE_AT_ONCE;
    const drained = new Map<string, number>();
    for (const [key, cost] of taken) {
      if (cost < worth) continue;
      drained.set(key, cost);
      taken.delete(key);
    }
    return drained;
  }

  /** Another node took `cost` for `key`: the key's bucket here has that much less. */
  takenElsewhere(key: string, cost: number): void {
    const bucket = this.#refill(key);
    bucket.tokens = Math.max(0, bucket.tokens - cost);
  }

  /** The tokens `key` had left when it last took or was checked, not refilled since. */
  tokensLeft(key: string): number {
    return this.#buckets.get(key)?.tokens ?? this.#rate.burst;
  }

  /**
   * Milliseconds until `key` has `cost` tokens, taking none: 0 when it has them now, Infinity when
   * `cost` is more than a burst. Lets a caller check several buckets before taking from any.
   */
  waitMs(key: string, cost = 1): number {
    if (cost > this.#rate.burst) return Infinity;
    const missing = cost - this.#refill(key).tokens;
    return missing <= 0 ? 0 : Math.ceil((missing / this.#rate.perSecond) * 1000);
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
