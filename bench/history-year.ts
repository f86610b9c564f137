/**
 * A year of play history read back for a licensing report (issue 9, RP33, RP34): a venue journal
 * holding 175,000 plays, 5,000 staff actions and 20,000 guest requests, as a year of appends leaves
 * it, opened by a real relay and exported through `GET /history` a page at a time. Prints one JSON
 * line: file size, time and heap to open the journal (its index), time and peak heap to page through
 * the year, and one append's time on top of it.
 *
 * Usage: npm run bench:history [-- --plays 175000]   (run with --expose-gc for heap figures)
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { CreateVenueResponse, HistoryPage } from '@djamms/protocol';
import { defaultConfig, silentLogger, startRelay } from 'djamms-relay';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PLAYS = arg('plays', 175_000);
const ACTIONS = arg('actions', 5_000);
const REQUESTS = arg('requests', 20_000);
const YEAR_MS = 365 * 86_400_000;
const END = Date.now();
const START = END - YEAR_MS;
const gc = (globalThis as { gc?: () => void }).gc;
const heapMiB = () => {
  gc?.();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
};

/** Writes the year's journal as its appends would have left it: JSON lines, seq order. */
async function writeYear(path: string, venueId: string): Promise<void> {
  const out = createWriteStream(path);
  const total = PLAYS + ACTIONS + REQUESTS;
  let seq = 0;
  for (let i = 0; i < total; i++) {
    const at = Math.round(START + (i / total) * YEAR_MS);
    // every 40th entry an action, every 10th a guest request (the defaults' shares)
    const entry =
      i % Math.round(total / ACTIONS) === 1
        ? {
            kind: 'action',
            role: 'staff',
            data: { device: 'Bar phone', what: `Skipped Song ${i}` },
          }
        : i % Math.round(total / REQUESTS) === 2
          ? { kind: 'request', role: 'guest', data: { track: `t${i % 5000}` } }
          : {
              kind: 'play',
              role: 'player',
              data: {
                track: `t${i % 5000}`,
                title: `Song number ${i % 5000}, "live"`,
                artist: 'Some Artist',
                album: 'Some Album (Deluxe)',
                isrc: 'GBAYE0601498',
                started: at,
                ended: at + 180_000,
                seconds: 180,
                endedBy: 'finished',
              },
            };
    const line = { id: `e-${venueId}-${i}`, at, by: 'd1', ...entry, seq: ++seq };
    if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const dataDir = await mkdtemp(join(tmpdir(), 'djamms-history-'));
const relay = await startRelay(
  defaultConfig({ logger: silentLogger, port: 0, host: '127.0.0.1', dataDir }),
);
try {
  const created = await fetch(`${relay.url}/api/venues`, {
    method: 'POST',
    headers: { authorization: `Bearer ${relay.operatorKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Year Bar' }),
  });
  const venue = (await created.json()) as CreateVenueResponse;
  await mkdir(join(dataDir, 'journal'), { recursive: true });
  const file = join(dataDir, 'journal', `${venue.venueId}.jsonl`);
  await writeYear(file, venue.venueId);
  const auth = { authorization: `Bearer ${venue.adminToken}` };
  const base = `${relay.url}/api/venues/${venue.venueId}`;

  const heapBefore = heapMiB();
  let t = performance.now();
  await fetch(`${base}/journal?limit=1`, { headers: auth }).then((r) => r.json());
  const openMs = performance.now() - t;
  const heapIndex = heapMiB() - heapBefore;

  let peak = 0;
  let plays = 0;
  let pages = 0;
  let cursor: string | null = '0';
  t = performance.now();
  while (cursor !== null) {
    const res = await fetch(`${base}/history?from=${START}&to=${END + 1}&after=${cursor}`, {
      headers: auth,
    });
    const page = (await res.json()) as HistoryPage;
    plays += page.entries.length;
    pages++;
    cursor = page.cursor;
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const exportMs = performance.now() - t;

  t = performance.now();
  await fetch(`${base}/journal`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      entries: [{ id: 'one-more', kind: 'action', at: END, data: { device: '', what: 'Paused' } }],
    }),
  });
  const appendMs = performance.now() - t;

  console.log(
    JSON.stringify({
      plays,
      entries: PLAYS + ACTIONS + REQUESTS,
      fileMiB: +((await stat(file)).size / 2 ** 20).toFixed(1),
      openMs: Math.round(openMs),
      indexHeapMiB: gc ? heapIndex : 'run with --expose-gc',
      exportPages: pages,
      exportMs: Math.round(exportMs),
      exportPeakHeapMiB: Math.round(peak / 2 ** 20),
      appendMs: Math.round(appendMs),
    }),
  );
} finally {
  await relay.close();
  await rm(dataDir, { recursive: true, force: true });
}
