import { afterAll, beforeAll, describe, it } from 'vitest';
import pg from 'pg';
import { silentLogger } from 'djamms-relay';
import { createSchema, openPostgres } from '../../relay/src/cluster/postgres';
import type { ClusterConfig } from '../../relay/src/cluster/cluster-config';
import { findBinaries, startPostgres, startRedis, type TestServer } from './servers';

/** The servers a cluster suite runs against, started once for its file. */
export interface ClusterServers {
  readonly postgres: TestServer;
  readonly redis: TestServer;
}

/**
 * A describe block that needs Redis and PostgreSQL: it starts both for its file and stops them
 * after. Without the binaries it is skipped with a message saying what is missing, except under
 * CI (`CI` set), where it fails: CI must run the cluster tests (`.ci/run` installs them).
 */
export function describeCluster(name: string, body: (servers: () => ClusterServers) => void): void {
  const found = findBinaries();
  if ('missing' in found) {
    if (process.env.CI) {
      describe(name, () => {
        it('has Redis and PostgreSQL to run against', () => {
          throw new Error(`cluster tests need ${found.missing} (.ci/run installs them)`);
        });
      });
      return;
    }
    console.warn(
      `SKIPPED ${name}: cluster tests need ${found.missing} (apt-get install redis-server postgresql)`,
    );
    describe.skip(name, () =>
      body(() => {
        throw new Error('skipped');
      }),
    );
    return;
  }
  describe(name, () => {
    let servers: ClusterServers | null = null;
    beforeAll(async () => {
      const [postgres, redis] = await Promise.all([
        startPostgres(found.pgBin),
        startRedis(found.redis),
      ]);
      servers = { postgres, redis };
    });
    afterAll(async () => {
      await Promise.all([servers?.postgres.dispose(), servers?.redis.dispose()]);
    });
    body(() => {
      if (!servers) throw new Error('cluster servers not started');
      return servers;
    });
  });
}

let schemas = 0;

/**
 * A pool on a schema of its own in the test server's database, with the cluster's tables: each
 * test gets an empty cluster without creating a database.
 */
export async function freshSchema(url: string): Promise<{ pool: pg.Pool; options: string }> {
  const name = `t${process.pid}_${++schemas}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${name}`);
  await admin.end();
  const options = `-c search_path=${name}`;
  const pool = openPostgres(url, silentLogger, { options, max: 8 });
  await createSchema(pool);
  return { pool, options };
}

let clusters = 0;

/** An empty cluster on the test servers: its own schema and its own Redis keys. */
export async function freshCluster(servers: ClusterServers): Promise<ClusterConfig> {
  const { pool, options } = await freshSchema(servers.postgres.url);
  await pool.end();
  return {
    redisUrl: servers.redis.url,
    postgresUrl: servers.postgres.url,
    postgresOptions: options,
    redisPrefix: `c${process.pid}_${++clusters}:`,
  };
}
