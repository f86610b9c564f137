import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Bench instrumentation loaded into both servers alike: SIGUSR2 runs a full garbage collection, so
 * memory is compared after collection instead of at whatever point V8 last collected.
 */
const GC_HOOK = [
  '--expose-gc',
  '--import',
  "data:text/javascript,process.on('SIGUSR2',()=>globalThis.gc())",
];

/** Runs a full GC in the server (see GC_HOOK) and lets the allocator settle. */
export async function collectGarbage(server: BenchServer): Promise<void> {
  server.child.kill('SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 300));
  server.child.kill('SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 300));
}

/** Which server a measurement ran against. */
export type ServerKind = 'djamms' | 'djamms-disk' | 'djamms-cluster' | 'reference';

/** A relay under test, running as a child process. */
export interface BenchServer {
  readonly kind: ServerKind;
  readonly port: number;
  readonly wsUrl: string;
  readonly httpUrl: string;
  readonly child: ChildProcess;
  /** Operator key of this relay (null for the reference, which has no auth). */
  readonly operatorKey: string | null;
  /** Stops the child (SIGKILL) and waits for it. */
  kill(): Promise<void>;
}

/** A port free a moment ago, so a restarted server can come back on it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

/**
 * Starts this relay (in-memory `--ephemeral`, on disk in `dataDir`, or a cluster node with
 * `cluster`'s Redis and PostgreSQL) or the stock `@y/websocket-server` 0.1.1 (in memory: no
 * YPERSISTENCE) on `port`.
 */
export async function startServer(
  kind: ServerKind,
  port: number,
  dataDir?: string,
  cluster?: { readonly redisUrl: string; readonly postgresUrl: string },
): Promise<BenchServer> {
  const args =
    kind === 'reference'
      ? [`${ROOT}/node_modules/@y/websocket-server/src/server.js`]
      : [
          `${ROOT}/relay/bin/djamms-relay.js`,
          '--quiet',
          '--port',
          String(port),
          // every bench client shares one admin token: lift the per-token limits a real device never hits
          '--message-rate',
          '1000000',
          '--http-rate',
          '100000',
          ...(kind === 'djamms' ? ['--ephemeral'] : ['--data', dataDir ?? 'bench-data']),
          ...(cluster ? ['--redis', cluster.redisUrl, '--postgres', cluster.postgresUrl] : []),
        ];
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...GC_HOOK, ...extra, ...args], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/DJAMMS relay on|running at/.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${kind} exited (${code}): ${output}`)));
  });
  const keyMatch =
    /Operator key \(ephemeral\): (\S+)/.exec(output) ?? /Operator key: (\S+)/.exec(output);
  let operatorKey: string | null = null;
  if (kind === 'djamms' && keyMatch?.[1]) operatorKey = keyMatch[1];
  if (kind !== 'djamms' && kind !== 'reference' && keyMatch?.[1])
    operatorKey = (await readFile(keyMatch[1], 'utf8')).trim();
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    kind,
    port,
    wsUrl: `ws://127.0.0.1:${port}${kind === 'reference' ? '' : '/sync'}`,
    httpUrl: `http://127.0.0.1:${port}`,
    child,
    operatorKey,
    kill,
  };
}

/** User + system CPU time of a process in microseconds, from /proc (same method for both). */
export async function cpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / 100;
}

/** Resident set size of a process in bytes, from /proc. */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return Number(match?.[1] ?? 0) * 1024;
}
