import pg from 'pg';
import type { ClusterConfig } from './cluster-config';
import type { RelaySecrets } from '../config/relay-secrets';
import type { JournalRetention } from '../storage/JournalStore';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';
import { ClusterCompactor } from './ClusterCompactor';
import { loadClusterSecrets } from './cluster-secrets';
import { PostgresJournalStore } from './PostgresJournalStore';
import { PostgresMediaStore } from './PostgresMediaStore';
import { PostgresRegistryStore } from './PostgresRegistryStore';
import { PostgresRoomStorage } from './PostgresRoomStorage';
import { RedisRoomBus } from './RedisRoomBus';
import { RedisRateShare } from './RedisRateShare';
import { createSchema, openPostgres, postgresCheck } from './postgres';

/** A room with more rows than this is compacted by the worker holding the lease. */
const CLUSTER_MAX_ROWS = 200;
/** How often each node's compaction worker tries the lease. */
const COMPACTION_INTERVAL_MS = 5_000;

/** A cluster node's shared services, up or not (`/healthz`, RP21). */
export interface SharedServices {
  /** PostgreSQL answers: without it nothing is saved. */
  readonly postgres: boolean;
  /** Redis is connected: without it updates are saved but reach other nodes only later. */
  readonly redis: boolean;
}

/** What {@link openClusterStores} needs. */
export interface ClusterStoreOptions {
  readonly cluster: ClusterConfig;
  readonly dataDir: string;
  readonly journalRetention: JournalRetention;
  readonly logger: Logger;
}

/** A cluster node's stores, as `RelayStores` holds them. */
export interface ClusterStores {
  readonly rooms: PostgresRoomStorage;
  readonly registry: PostgresRegistryStore;
  readonly journal: PostgresJournalStore;
  readonly media: PostgresMediaStore;
  readonly bus: RedisRoomBus;
  readonly rates: RedisRateShare;
  readonly shared: () => Promise<SharedServices>;
}

/**
 * A cluster node's stores (RP40–RP46): everything durable in PostgreSQL (the first node creates
 * the tables and secrets), room updates between nodes through Redis, and this node's compaction
 * worker. `close` stops the worker, the bus and the connections.
 */
export async function openClusterStores(
  opts: ClusterStoreOptions,
  metrics: Metrics,
): Promise<{ stores: ClusterStores; secrets: RelaySecrets; close: () => Promise<void> }> {
  const { cluster, logger } = opts;
  const extra = cluster.postgresOptions ? { options: cluster.postgresOptions } : {};
  const pool = openPostgres(cluster.postgresUrl, logger, extra);
  try {
    await createSchema(pool);
  } catch (error) {
    await pool.end();
    throw new Error(`cannot set up the cluster database: ${(error as Error).message}`);
  }
  const secrets = await loadClusterSecrets(pool, opts.dataDir);
  const postgresUp = postgresCheck(pool);
  const rooms = new PostgresRoomStorage(pool);
  const registry = await PostgresRegistryStore.open({
    pool,
    logger,
    listenConnection: () => new pg.Client({ connectionString: cluster.postgresUrl, ...extra }),
  });
  const bus = new RedisRoomBus({
    url: cluster.redisUrl,
    logger,
    ...(cluster.redisPrefix ? { prefix: cluster.redisPrefix } : {}),
  });
  const rates = new RedisRateShare({
    url: cluster.redisUrl,
    node: bus.node,
    logger,
    ...(cluster.redisPrefix ? { prefix: cluster.redisPrefix } : {}),
  });
  const compactor = new ClusterCompactor({
    pool,
    rooms,
    registry,
    metrics,
    logger,
    maxRows: CLUSTER_MAX_ROWS,
    intervalMs: COMPACTION_INTERVAL_MS,
  });
  const stores: ClusterStores = {
    rooms,
    registry,
    journal: new PostgresJournalStore(pool, opts.journalRetention),
    media: new PostgresMediaStore(pool),
    bus,
    rates,
    shared: async () => ({ postgres: await postgresUp(), redis: bus.connected }),
  };
  const close = async () => {
    await compactor.close();
    await rates.close();
    await bus.close();
    await rooms.close();
    await registry.close();
    await pool.end();
  };
  return { stores, secrets, close };
}
