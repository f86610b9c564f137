import { Redis } from 'ioredis';
import type { Logger } from '../ops/logger';
import { appendEntry } from './redis-stream';
import type { RateLimiter, RateShare } from '../auth/rate-limit';

/** How often a node tells the others what its limiters took, of the keys that took much. */
const SHARE_MS = 200;
/** How often a node tells the others everything its limiters took (every key). */
const ACCOUNT_MS = 5_000;
/** Messages the stream keeps (about): minutes of a busy cluster's counts. */
const STREAM_LENGTH = 10_000;

/** Options for {@link RedisRateShare}. */
export interface RedisRateShareOptions {
  readonly url: string;
  readonly node: string;
  readonly logger: Logger;
  /** Prefixed to the stream's key (several clusters on one Redis, as the tests run). */
  readonly prefix?: string;
}

/**
 * Rate limits shared between nodes (RP45): every 200 ms each node adds what its limiters took, by
 * limiter and key, to one Redis stream, and takes what the other nodes took from its own buckets.
 * A key that took less than a twentieth of a second's rate waits for the full account every 5 s:
 * a thousand venues' devices each sending a message a second would otherwise make every tell
 * name them all, and every node parse it. A token, guest link or address therefore has one budget
 * across the cluster, give or take what the nodes took in the last fraction of a second and a
 * twentieth of a second's rate per node; admission stays synchronous and local. If Redis is away
 * each node goes on with its own counts (at most n times the rate for n nodes).
 */
export class RedisRateShare implements RateShare {
  readonly #opts: RedisRateShareOptions;
  readonly #key: string;
  readonly #limiters = new Map<string, RateLimiter>();
  readonly #commands: Redis;
  readonly #reader: Redis;
  readonly #timer: NodeJS.Timeout;
  #closed = false;
  #loop: Promise<void> | null = null;
  /** Tells since the last full account. */
  #tells = 0;

  constructor(opts: RedisRateShareOptions) {
    this.#opts = opts;
    this.#key = `${opts.prefix ?? 'djamms:'}rates`;
    this.#commands = new Redis(opts.url, { maxRetriesPerRequest: 1 });
    this.#reader = new Redis(opts.url, { maxRetriesPerRequest: null });
    for (const connection of [this.#commands, this.#reader]) {
      connection.on('error', () => undefined); // the room bus logs Redis trouble once
    }
    this.#timer = setInterval(() => this.#tell(), SHARE_MS);
    this.#timer.unref();
  }

  /** Shares `limiter`'s counters with the limiter of the same name on every other node. */
  share(name: string, limiter: RateLimiter): void {
    limiter.shareTaken();
    this.#limiters.set(name, limiter);
    this.#loop ??= this.#listen();
  }

  #tell(): void {
    const all = ++this.#tells >= ACCOUNT_MS / SHARE_MS;
    if (all) this.#tells = 0;
    const taken: Record<string, Record<string, number>> = {};
    let any = false;
    for (const [name, limiter] of this.#limiters) {
      const counts = limiter.drainTaken(all);
      if (counts.size === 0) continue;
      taken[name] = Object.fromEntries(counts);
      any = true;
    }
    if (!any) return;
    const counts = JSON.stringify(taken);
    appendEntry(this.#commands, this.#key, STREAM_LENGTH, this.#opts.node, 'd', counts).catch(
      () => undefined,
    );
  }

  async #listen(): Promise<void> {
    let position: string | null = null;
    while (!this.#closed) {
      if (position === null) {
        try {
          const newest = await this.#commands.xrevrange(this.#key, '+', '-', 'COUNT', 1);
          position = newest[0]?.[0] ?? '0-0';
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 250));
          continue;
        }
      }
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = (await this.#reader.xread('BLOCK', 5_000, 'STREAMS', this.#key, position)) as
          [string, [string, string[]][]][] | null;
      } catch {
        if (this.#closed) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          position = id;
          this.#takenElsewhere(fields);
        }
      }
    }
  }

  #takenElsewhere(fields: string[]): void {
    if (fields[1] === this.#opts.node) return;
    let taken: Record<string, Record<string, number>>;
    try {
      taken = JSON.parse(fields[3] ?? '{}') as Record<string, Record<string, number>>;
    } catch {
      return;
    }
    for (const [name, counts] of Object.entries(taken)) {
      const limiter = this.#limiters.get(name);
      if (!limiter) continue;
      for (const [key, cost] of Object.entries(counts)) {
        if (Number.isFinite(cost) && cost > 0) limiter.takenElsewhere(key, cost);
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#reader.disconnect();
    await this.#loop;
    if (this.#commands.status === 'ready') await this.#commands.quit().catch(() => undefined);
    this.#commands.disconnect();
  }
}
