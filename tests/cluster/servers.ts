import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
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
  /** The server's main process while it runs (its workers are its children), for CPU readings. */
  pid(): number | null;
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
 * `fsync` is off unless asked for, as for any test database: the tests crash relay nodes and stop
 * PostgreSQL cleanly, never the machine (the benchmark keeps it on, as production must).
 */
export async function startPostgres(pgBin: string, { fsync = false } = {}): Promise<TestServer> {
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
        `fsync=${fsync ? 'on' : 'off'}`,
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
  return testServer(url, dir, start, stop, () => child);
}

/** A started server as the tests handle it. */
function testServer(
  url: string,
  dir: string,
  start: () => Promise<void>,
  stop: (signal?: NodeJS.Signals) => Promise<void>,
  child: () => ChildProcess | null,
): TestServer {
  return {
    url,
    stop,
    start,
    pid: () => child()?.pid ?? null,
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
  return testServer(url, dir, start, stop, () => child);
}
