import { randomBytes } from 'node:crypto';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';
import { GC_MAX_BYTES, collectGarbage, logUnreadable, mergeAll } from '../sync/MergedUpdates';
import type { PostgresRoomStorage } from './PostgresRoomStorage';
import type { PostgresRegistryStore } from './PostgresRegistryStore';
import type { Postgres } from './postgres';

/** Options for {@link ClusterCompactor}. */
export interface ClusterCompactorOptions {
  readonly pool: Postgres;
  readonly rooms: PostgresRoomStorage;
  readonly registry: PostgresRegistryStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** A room is compacted once it has more rows than this. */
  readonly maxRows: number;
  /** How often a node tries to take or renew the lease and compact, ms. */
  readonly intervalMs: number;
}

/** The lease lasts three rounds: a holder that stops renewing it hands over within that. */
const LEASE_ROUNDS = 3;
/** Rooms compacted per round, so one round stays short. */
const ROOMS_PER_ROUND = 50;

/**
 * The cluster's compaction worker (RP44): every node runs one, and the one holding the lease (a
 * row in `leases` with an expiry, taken when free or expired and renewed each round) merges the
 * rows of rooms that grew past `maxRows` into one, dropping deleted content as the single relay
 * does. The merge is a transient one per room (no document stays in memory), and it is safe even
 * if two workers overlap (a lease that ran out mid-round): see
 * {@link PostgresRoomStorage.compactThrough}.
 */
export class ClusterCompactor {
  readonly #opts: ClusterCompactorOptions;
  readonly #holder = randomBytes(8).toString('hex');
  readonly #timer: NodeJS.Timeout;
  #round: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(opts: ClusterCompactorOptions) {
    this.#opts = opts;
    this.#timer = setInterval(() => {
      this.#round = this.#round.then(async () => {
        await this.runRound();
      });
    }, opts.intervalMs);
    this.#timer.unref();
  }

  /** Takes or renews the lease; true while this node holds it. */
  async #lease(): Promise<boolean> {
    const seconds = (this.#opts.intervalMs * LEASE_ROUNDS) / 1000;
    const { rowCount } = await this.#opts.pool.query(
      `INSERT INTO leases (name, holder, expires)
       VALUES ('compactor', $1, now() + make_interval(secs => $2))
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
       WHERE leases.holder = excluded.holder OR leases.expires < now()`,
      [this.#holder, seconds],
    );
    return rowCount === 1;
  }

  /** One round: with the lease, compacts the rooms that grew; errors are logged, not thrown. */
  async runRound(): Promise<number> {
    if (this.#stopped) return 0;
    const { pool, rooms, metrics, logger, maxRows, registry } = this.#opts;
    try {
      if (!(await this.#lease())) return 0;
      const due = await pool.query<{ room: string }>(
        'SELECT room FROM room_updates GROUP BY room HAVING count(*) > $1 LIMIT $2',
        [maxRows, ROOMS_PER_ROUND],
      );
      let compacted = 0;
      for (const { room } of due.rows) {
        if (this.#stopped) break;
        const rows = await rooms.rows(room);
        const last = rows[rows.length - 1];
        if (!last || rows.length <= 1) continue;
        let merged = mergeAll(
          rows.map((r) => r.update),
          logUnreadable(logger, room),
        );
        if (merged.byteLength <= GC_MAX_BYTES) merged = collectGarbage(merged);
        if (await rooms.compactThrough(room, last.id, merged)) {
          compacted++;
          metrics.compactions.inc();
        }
      }
      await registry.trimChanges();
      return compacted;
    } catch (error) {
      logger.log('warn', 'cluster-compaction-failed', { error: String(error) });
      return 0;
    }
  }

  /** Stops after the round in progress and gives the lease up for another node to take. */
  async close(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#round;
    await this.#opts.pool
      .query(`DELETE FROM leases WHERE name = 'compactor' AND holder = $1`, [this.#holder])
      .catch(() => undefined);
  }
}
