/**
 * One client process of the many-venues run (`manyVenues` in relay-scenarios.ts forks several):
 * the stock y-websocket clients of its share of the venues, every client of a venue in this process
 * so that a write and its arrivals are timed on one clock. Spreading 3,000 clients over processes
 * keeps the bench's own event loop and garbage collector out of the relay's latency.
 *
 * Messages from the parent: `open` (the venues), then `write` (start the evening). Replies:
 * `synced` once every client is in sync, then `done` with the samples.
 */
import { performance } from 'node:perf_hooks';
import { eventually } from '@djamms/test-harness';
import type { WebsocketProvider } from 'y-websocket';
import {
  allSynced,
  client,
  type ClientVenue,
  type FromClients,
  type ToClients,
} from './relay-scenarios';

process.setMaxListeners(0); // every y-websocket provider adds a process 'exit' listener
const send = (message: FromClients) => process.send!(message);
const groups: WebsocketProvider[][] = [];

async function open(venues: readonly ClientVenue[]): Promise<void> {
  for (let i = 0; i < venues.length; i += 50) {
    const batch = venues
      .slice(i, i + 50)
      .map((venue) => venue.urls.map((url) => client({ wsUrl: url }, venue)));
    await allSynced(batch.flat(), 120_000);
    groups.push(...batch);
  }
  send({ type: 'synced' });
}

async function evening(intervalMs: number, seconds: number): Promise<void> {
  const samples: number[] = [];
  let deliveries = 0;
  let writes = 0;
  for (const group of groups) {
    for (const p of group) {
      p.doc.getMap('w').observe((event) => {
        if (event.transaction.local) return;
        const now = performance.now();
        for (const key of event.keysChanged) {
          samples.push(now - (p.doc.getMap('w').get(key) as number));
          deliveries++;
        }
      });
    }
  }
  const startLoop = performance.eventLoopUtilization();
  const timers: NodeJS.Timeout[] = [];
  for (const group of groups) {
    for (const [i, p] of group.entries()) {
      let n = 0;
      const write = () => {
        p.doc.getMap('w').set(`${i}-${n++}`, performance.now());
        writes++;
      };
      timers.push(
        setTimeout(() => {
          write();
          timers.push(setInterval(write, intervalMs));
        }, Math.random() * intervalMs),
      );
    }
  }
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  timers.forEach((t) => clearTimeout(t));
  const busy = performance.eventLoopUtilization(startLoop).utilization;
  const expected = writes * ((groups[0]?.length ?? 1) - 1);
  await eventually(
    () => {
      if (deliveries < expected) throw new Error(`${expected - deliveries} not delivered`);
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  ).catch(() => undefined);
  send({ type: 'done', samples: Float64Array.from(samples), writes, deliveries, expected, busy });
}

process.on('message', (message: ToClients) => {
  const run =
    message.type === 'open' ? open(message.venues) : evening(message.intervalMs, message.seconds);
  run.catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
