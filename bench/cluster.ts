/**
 * `npm run bench:cluster` (issue 11): the many-venues evening of `bench:relay` on one embedded relay
 * (on disk) and on clusters of 1, 2 and 3 nodes sharing Redis and PostgreSQL, in the same run on
 * the same machine. On two or more nodes it runs twice: with each venue's clients on one node, as
 * the proxy of relay/README.md places them (`venue`), and with them spread so that every write
 * crosses nodes (`spread`, the worst case: client k of venue v on node (v + k) mod n).
 * Reports p50/p99 latency from a write to each other client of the venue seeing it, lost updates,
 * relay CPU per write and per delivered write (each node), and Redis and PostgreSQL CPU per write.
 * PostgreSQL runs with `fsync = on` (RP40's promise); Redis without persistence (it holds nothing
 * that PostgreSQL does not).
 *
 * Usage: npm run bench:cluster [-- --venues 1000 --clients 3 --seconds 30 --interval 2000
 *   --nodes 1,2,3 --placement venue,spread --client-processes 4]
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { findBinaries, startPostgres, startRedis } from '../tests/cluster/servers';
import { manyVenues, round, type ManyVenuesResult, type ManyVenuesShape } from './relay-scenarios';
import { cpuMicros, freePort, startServer, type BenchServer } from './relay-servers';

const { values: args } = parseArgs({
  options: {
    venues: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '30' },
    interval: { type: 'string', default: '2000' },
    'client-processes': { type: 'string', default: '4' },
    nodes: { type: 'string', default: '1,2,3' },
    placement: { type: 'string', default: 'venue,spread' },
  },
});

/**
 * CPU (µs) of a process and its children (PostgreSQL's backends are children of its postmaster):
 * its own time, what its ended children used (cutime, cstime), and its living children's time.
 */
async function treeCpu(root: number): Promise<number> {
  const fields = async (pid: number | string) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
  };
  const ticks = (f: number[], from: number, to: number) =>
    f.slice(from, to + 1).reduce((sum, t) => sum + t, 0);
  let total = ticks(await fields(root), 11, 14);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = await fields(entry);
      if (f[1] === root) total += ticks(f, 11, 12);
    } catch {
      // gone meanwhile
    }
  }
  return (total * 1_000_000) / 100;
}

function report(name: string, r: ManyVenuesResult, single: ManyVenuesResult | null): void {
  const deliveredPerNode = r.deliveries / r.nodeCpu.length;
  const services = Object.values(r.services).reduce((sum, c) => sum + c, 0);
  const withServices = (r.nodeCpu.reduce((s, c) => s + c, 0) + services) / r.writes;
  console.log(
    JSON.stringify({
      run: name,
      p50Ms: round(r.p50, 1),
      p99Ms: round(r.p99, 1),
      writes: r.writes,
      deliveries: r.deliveries,
      lost: r.lost,
      relayCpuPerWriteUs: round(r.cpuPerWrite, 1),
      cpuPerDeliveredWritePerNodeUs: r.nodeCpu.map((c) => round(c / deliveredPerNode, 1)),
      ...Object.fromEntries(
        Object.entries(r.services).map(([n, c]) => [`${n}CpuPerWriteUs`, round(c / r.writes, 1)]),
      ),
      allCpuPerWriteUs: round(withServices, 1),
      ...(single
        ? {
            relayOverhead: round(r.cpuPerWrite / single.cpuPerWrite, 2),
            overheadWithServices: round(withServices / single.cpuPerWrite, 2),
          }
        : {}),
      rssPeakMiB: round(r.rssPeak / 1048576, 1),
      clientBusy: round(r.clientBusy, 2),
    }),
  );
}

async function main(): Promise<void> {
  const found = findBinaries();
  if ('missing' in found) throw new Error(`bench:cluster needs ${found.missing}`);
  const shape: ManyVenuesShape = {
    venues: Number(args.venues),
    clientsPerVenue: Number(args.clients),
    seconds: Number(args.seconds),
    intervalMs: Number(args.interval),
    clientProcesses: Number(args['client-processes']),
  };
  console.log(`many venues: ${JSON.stringify(shape)}`);
  const dirs: string[] = [];
  const dataDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'djamms-bench-cluster-'));
    dirs.push(dir);
    return dir;
  };
  const single = await startServer('djamms-disk', await freePort(), await dataDir());
  const alone = await manyVenues(single, shape).finally(() => single.kill());
  report('single relay (disk)', alone, null);

  const [postgres, redis] = await Promise.all([
    startPostgres(found.pgBin, { fsync: true }),
    startRedis(found.redis),
  ]);
  try {
    const runs = args.nodes
      .split(',')
      .map(Number)
      .flatMap((count) =>
        args.placement
          .split(',')
          .filter((placement) => count > 1 || placement === 'spread')
          .map((placement) => ({ count, placement: placement as 'spread' | 'venue' })),
      );
    for (const { count, placement } of runs) {
      const database = `bench_${count}_${placement}`;
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.end();
      const cluster = {
        redisUrl: redis.url,
        postgresUrl: postgres.url.replace(/\/postgres$/, `/${database}`),
      };
      const nodes: BenchServer[] = [];
      for (let i = 0; i < count; i++) {
        nodes.push(await startServer('djamms-cluster', await freePort(), await dataDir(), cluster));
      }
      const servicesCpu = async () => ({
        redis: await cpuMicros(redis.pid() as number),
        postgres: await treeCpu(postgres.pid() as number),
      });
      const result = await manyVenues(nodes, { ...shape, placement }, servicesCpu).finally(() =>
        Promise.all(nodes.map((n) => n.kill())),
      );
      const where = count === 1 ? '' : placement === 'venue' ? ', by venue' : ', spread';
      report(`cluster of ${count}${where}`, result, alone);
    }
  } finally {
    await Promise.all([postgres.dispose(), redis.dispose()]);
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
  // the bench's 3,000 clients leave reconnect timers behind (as in bench:relay): end here
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
