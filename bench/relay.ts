/**
 * `npm run bench:relay`: this relay against the stock @y/websocket-server 0.1.1, same clients, same
 * machine, same run. Prints one JSON line per measurement with both values and their ratio
 * (djamms / reference), plus the target. Both servers run in memory (djamms --ephemeral;
 * the reference without YPERSISTENCE); a `djamms-disk` line shows latency with fsync durability.
 * The many-venues lines (issue 10) run djamms on disk against the reference in memory.
 *
 * Usage: npm run bench:relay [-- --scenario many-venues --venues 1000 --clients 3 --seconds 60
 *   --interval 2000 --client-processes 4]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildRelay } from '../relay/scripts/build';
import { freePort, startServer, type BenchServer } from './relay-servers';
import {
  convergeAfterRestart,
  cpuPerWrite,
  fanOut,
  latency,
  manyVenues,
  memoryPerIdleRoom,
  memoryPerOpenRoom,
  mergeBytes,
  percentile,
  round,
} from './relay-scenarios';

function line(
  metric: string,
  unit: string,
  djamms: number,
  reference: number,
  target: string,
  extra = {},
): void {
  console.log(
    JSON.stringify({
      metric,
      unit,
      djamms: round(djamms),
      reference: round(reference),
      ratio: round(djamms / reference),
      target,
      ...extra,
    }),
  );
}

async function both<T>(
  measure: (server: BenchServer) => Promise<T>,
): Promise<{ djamms: T; reference: T }> {
  const out: Partial<Record<'djamms' | 'reference', T>> = {};
  for (const kind of ['reference', 'djamms'] as const) {
    const server = await startServer(kind, await freePort());
    try {
      out[kind] = await measure(server);
    } finally {
      await server.kill();
    }
  }
  return out as { djamms: T; reference: T };
}

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    venues: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '60' },
    interval: { type: 'string', default: '2000' },
    'client-processes': { type: 'string', default: '4' },
  },
});

/**
 * A thousand venues on one relay (issue 10): the reference in memory first, then this relay on disk
 * (auth, fsync before `saved`), same clients and write schedule.
 */
async function manyVenuesBoth(): Promise<void> {
  const shape = {
    venues: Number(args.venues),
    clientsPerVenue: Number(args.clients),
    seconds: Number(args.seconds),
    intervalMs: Number(args.interval),
    clientProcesses: Number(args['client-processes']),
  };
  const reference = await startServer('reference', await freePort());
  const ref = await manyVenues(reference, shape).finally(() => reference.kill());
  const dataDir = await mkdtemp(join(tmpdir(), 'djamms-bench-'));
  const disk = await startServer('djamms-disk', await freePort(), dataDir);
  const ours = await manyVenues(disk, shape).finally(() => disk.kill());
  await rm(dataDir, { recursive: true, force: true });
  const name = `many-venues-${shape.venues}x${shape.clientsPerVenue}`;
  const info = {
    shape,
    writes: { djamms: ours.writes, reference: ref.writes },
    clientBusy: { djamms: round(ours.clientBusy), reference: round(ref.clientBusy) },
  };
  line(`${name}-latency-p50`, 'ms', ours.p50, ref.p50, 'ratio <= 1', info);
  line(`${name}-latency-p99`, 'ms', ours.p99, ref.p99, 'ratio <= 1');
  line(`${name}-latency-max`, 'ms', ours.max, ref.max, 'info');
  line(`${name}-cpu`, 'share of a core', ours.cpuShare, ref.cpuShare, 'ratio <= 1');
  line(`${name}-cpu-per-write`, 'us', ours.cpuPerWrite, ref.cpuPerWrite, 'info');
  line(`${name}-rss-peak`, 'bytes', ours.rssPeak, ref.rssPeak, 'info');
  line(`${name}-lost`, 'deliveries', ours.lost, ref.lost, 'both 0', {
    deliveries: { djamms: ours.deliveries, reference: ref.deliveries },
  });
}

async function main(): Promise<void> {
  process.setMaxListeners(0); // every y-websocket provider adds a process 'exit' listener
  await buildRelay(); // measure the compiled relay that production runs, built from these sources
  if (args.scenario === 'many-venues') {
    await manyVenuesBoth();
    process.exit(0);
  }
  const lat = await both(latency);
  line('update-latency-p50', 'ms', lat.djamms.p50, lat.reference.p50, 'ratio <= 1');
  line('update-latency-p99', 'ms', lat.djamms.p99, lat.reference.p99, 'ratio <= 1');
  const dataDir = await mkdtemp(join(tmpdir(), 'djamms-bench-'));
  const disk = await startServer('djamms-disk', await freePort(), dataDir);
  const diskLat = await latency(disk).finally(() => disk.kill());
  await rm(dataDir, { recursive: true, force: true });
  line(
    'update-latency-p50-disk',
    'ms',
    diskLat.p50,
    lat.reference.p50,
    'info: djamms with fsync durability',
  );
  line(
    'update-latency-p99-disk',
    'ms',
    diskLat.p99,
    lat.reference.p99,
    'info: djamms with fsync durability',
  );
  const fan = await both(fanOut);
  line('fan-out-50-p50', 'ms', fan.djamms.p50, fan.reference.p50, 'ratio <= 1');
  line('fan-out-50-p99', 'ms', fan.djamms.p99, fan.reference.p99, 'ratio <= 1');
  const cpu = await both(cpuPerWrite);
  line('cpu-per-write', 'us', cpu.djamms.perWrite, cpu.reference.perWrite, 'ratio <= 0.5', {
    perDelivery: {
      djamms: round(cpu.djamms.perDelivery),
      reference: round(cpu.reference.perDelivery),
    },
  });
  // The same measure on servers that already ran it once: JIT compilation, about the same few
  // hundred milliseconds for both servers, is a large part of a fresh server's first 12,000 writes.
  const warm = await both(async (server) => {
    await cpuPerWrite(server);
    return cpuPerWrite(server);
  });
  line(
    'cpu-per-write-warm',
    'us',
    warm.djamms.perWrite,
    warm.reference.perWrite,
    'info: second run on the same servers',
  );
  const cpuDir = await mkdtemp(join(tmpdir(), 'djamms-bench-'));
  const cpuDisk = await startServer('djamms-disk', await freePort(), cpuDir);
  const diskCpu = await cpuPerWrite(cpuDisk).finally(() => cpuDisk.kill());
  await rm(cpuDir, { recursive: true, force: true });
  line(
    'cpu-per-write-disk',
    'us',
    diskCpu.perWrite,
    cpu.reference.perWrite,
    'info: djamms with fsync and compaction',
    {
      perDelivery: round(diskCpu.perDelivery),
    },
  );
  const idle = await both(memoryPerIdleRoom);
  line('memory-per-idle-room', 'bytes', idle.djamms, idle.reference, 'ratio <= 0.25', {
    note: 'RSS delta / 1,000 rooms that were used and left idle (no client connected)',
  });
  const open = await both(memoryPerOpenRoom);
  line('memory-per-open-room', 'bytes', open.djamms, open.reference, 'info', {
    note: 'RSS delta / 1,000 rooms each with one idle client connected (socket costs included)',
  });
  // An ephemeral relay forgets its venues and signing secret on restart (old tokens are refused by
  // design), so this one runs djamms in its default on-disk mode; the reference stays in memory.
  const convergeDir = await mkdtemp(join(tmpdir(), 'djamms-bench-'));
  const median = async (run: () => Promise<{ converge: number; boot: number }>) => {
    const runs = [await run(), await run(), await run()];
    return {
      converge: percentile(
        runs.map((r) => r.converge),
        50,
      ),
      boot: percentile(
        runs.map((r) => r.boot),
        50,
      ),
    };
  };
  const converge = {
    reference: await median(async () => convergeAfterRestart('reference', await freePort())),
    djamms: await median(async () => {
      await rm(convergeDir, { recursive: true, force: true });
      return convergeAfterRestart('djamms-disk', await freePort(), convergeDir);
    }),
  };
  await rm(convergeDir, { recursive: true, force: true });
  line(
    'converge-after-restart-20-clients',
    'ms',
    converge.djamms.converge,
    converge.reference.converge,
    'info',
    {
      note: 'median of 3: from listening again until all 20 clients hold everything (client backoff cap 100 ms); djamms on disk, reference in memory',
    },
  );
  line('process-start-to-listening', 'ms', converge.djamms.boot, converge.reference.boot, 'info', {
    note: 'djamms runs its esbuild bundle (relay/dist, one file with its packages; built before the run)',
  });
  const merge = await both(mergeBytes);
  // The minimal diff is what each side lacks: A's changes for B plus B's changes for A. The relay
  // must send exactly that to the two clients; B's upload to the relay is a second hop that any
  // relay (not peer-to-peer) topology pays once, so the total wire bytes are reported too.
  line(
    'merge-bytes-sent-by-relay',
    'bytes',
    merge.djamms.relaySent,
    merge.reference.relaySent,
    'djamms/minimal <= 1.2',
    {
      minimal: merge.djamms.minimal,
      djammsOverMinimal: round(merge.djamms.relaySent / merge.djamms.minimal),
      referenceOverMinimal: round(merge.reference.relaySent / merge.reference.minimal),
    },
  );
  line('merge-bytes-both-hops', 'bytes', merge.djamms.bytes, merge.reference.bytes, 'info', {
    minimal: merge.djamms.minimal,
    djammsOverMinimal: round(merge.djamms.bytes / merge.djamms.minimal),
    referenceOverMinimal: round(merge.reference.bytes / merge.reference.minimal),
  });
  await manyVenuesBoth();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
