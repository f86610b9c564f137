import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { silentLogger } from 'djamms-relay';
import { createSchema, openPostgres } from '../../relay/src/cluster/postgres';
import type { ClusterConfig } from '../../relay/src/cluster/cluster-config';
import { freePort } from '../relay/child-relay';

/**
 * Real Redis and PostgreSQL servers for the cluster tests (issue 11), each in a temporary directory
 * on a free 127.0.0.1 port, as `.ci/run` provides them: Debian's `redis-server` and PostgreSQL
 * (`/usr/lib/postgresql/<n>/bin`, or on the PATH). Nothing here is a stand-in: the cluster code
 * talks to the servers its operators run.
 */

/** Where the binaries are, or why the cluster tests cannot run. */
export function findBinaries():
  { readonly redis: string; readonly pgBin: string } | { readonly missing: string } {
  const onPath = (name: string) => {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    return found.status === 0 ? found.stdout.trim() : null;
  };
  const redis = onPath('redis-server');
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    : [];
  const pgBin =
    versions
      .map((v) => `/usr/lib/postgresql/${v}/bin`)
      .find((dir) => existsSync(`${dir}/initdb`)) ??
    onPath('initdb')?.replace(/\/initdb$/, '') ??
    null;
  if (!redis || !pgBin) {
    return {
      missing: [redis ? null : 'redis-server', pgBin ? null : 'PostgreSQL (initdb, postgres)']
        .filter(Boolean)
        .join(' and '),
    };
  }
  return { redis, pgBin };
}

/** A server the test controls: stop it (as a crash or a shutdown) and start it again. */
export interface TestServer {
  readonly url: string;
  /** SIGKILL (a crash) or SIGTERM (a clean stop); resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
  return { uid: id('-u'), gid: id('-g') };
}

/** Spawns `command` and resolves once `ready` answers; rejects if it exits first. */
async function launch(
  command: string,
  args: readonly string[],
  ready: () => Promise<void>,
  owner: { uid: number; gid: number } | null,
): Promise<ChildProcess> {
  const child = spawn(command, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(owner ?? {}),
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`${command} exited: ${output}`);
    try {
      await ready();
      return child;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${command} did not start: ${String(error)} ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function stopChild(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await gone;
}

/**
 * A PostgreSQL server in a fresh cluster (`initdb`, trust authentication on 127.0.0.1 only).
 * `fsync` is off, as for any test database: the tests crash relay nodes and stop PostgreSQL
 * cleanly, never the machine, and relay/README.md says what a production server needs.
 */
export async function startPostgres(pgBin: string): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'djamms-pg-'));
  const owner = postgresUser();
  if (owner) await chown(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const init = spawnSync(
    `${pgBin}/initdb`,
    ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'],
    { encoding: 'utf8', ...(owner ?? {}) },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | null = null;
  const ping = async () => {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const start = async () => {
    child = await launch(
      `${pgBin}/postgres`,
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'max_connections=300',
        '-c',
        'shared_buffers=32MB',
      ],
      ping,
      owner,
    );
  };
  await start();
  // SIGKILL would leave shared memory that blocks a restart: a crash is SIGQUIT (immediate stop)
  const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
    stopChild(child, signal === 'SIGKILL' ? 'SIGQUIT' : 'SIGINT');
  return {
    url,
    stop,
    start,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis server without persistence (the relay's durability does not rest on Redis). */
export async function startRedis(redisBin: string): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'djamms-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const ping = async () => {
    const client = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  };
  const start = async () => {
    child = await launch(
      redisBin,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      ping,
      null,
    );
  };
  await start();
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => stopChild(child, signal);
  return {
    url,
    stop,
    start,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

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
