/**
 * `npm run bench:uploads`: an admin adds 100 songs to a venue's library, the way the app does it
 * (its upload queue: one file at a time, `HEAD /media/<sha256>` to skip a file the relay has, then
 * `POST /api/venues/<id>/media`), against the compiled relay on disk. The files are generated WAVs
 * of 3–8 MB (seeded noise, so none is a duplicate). Prints one JSON line: total time, throughput,
 * and the relay's RSS before, at its peak and after (both after a full GC).
 *
 * Usage: npm run bench:uploads [-- --files 100 --min-mb 3 --max-mb 8]
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRandom } from '@djamms/test-harness';
import { buildRelay } from '../relay/scripts/build';
import { collectGarbage, freePort, rssBytes, startServer } from './relay-servers';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '100' },
    'min-mb': { type: 'string', default: '3' },
    'max-mb': { type: 'string', default: '8' },
  },
});
const FILES = Number(values.files);
const MIN = Number(values['min-mb']) * 1e6;
const MAX = Number(values['max-mb']) * 1e6;

/** A 16-bit stereo 44.1 kHz WAV of `bytes` bytes in all, its samples noise. */
function wav(bytes: number): Buffer {
  const data = bytes - 44;
  const out = Buffer.alloc(44);
  out.write('RIFF', 0);
  out.writeUInt32LE(36 + data, 4);
  out.write('WAVEfmt ', 8);
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(2, 22);
  out.writeUInt32LE(44_100, 24);
  out.writeUInt32LE(44_100 * 4, 28);
  out.writeUInt16LE(4, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36);
  out.writeUInt32LE(data, 40);
  return Buffer.concat([out, randomBytes(data)]);
}

const MB = 1024 * 1024;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main() {
  await buildRelay(); // the compiled relay that production runs, built from these sources
  const dataDir = await mkdtemp(join(tmpdir(), 'djamms-bench-uploads-'));
  const relay = await startServer('djamms-disk', await freePort(), dataDir);
  try {
    const created = await fetch(`${relay.httpUrl}/api/venues`, {
      method: 'POST',
      headers: { authorization: `Bearer ${relay.operatorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Upload Bench' }),
    });
    const venue = (await created.json()) as { venueId: string; adminToken: string };
    const random = createRandom(7);
    const sizes = Array.from({ length: FILES }, () =>
      Math.round(MIN + random.next() * (MAX - MIN)),
    );
    const pid = relay.child.pid!;
    await collectGarbage(relay);
    const before = await rssBytes(pid);
    let peak = before;
    const sampler = setInterval(() => {
      void rssBytes(pid).then((rss) => (peak = Math.max(peak, rss)));
    }, 25);
    let uploadMs = 0;
    let sent = 0;
    for (const size of sizes) {
      const file = wav(size); // generated before the clock starts: a phone reads its file from disk
      const started = performance.now();
      const sha256 = createHash('sha256').update(file).digest('hex');
      const head = await fetch(`${relay.httpUrl}/media/${sha256}`, { method: 'HEAD' });
      if (head.status !== 404) throw new Error(`HEAD answered ${head.status} for a new file`);
      const res = await fetch(`${relay.httpUrl}/api/venues/${venue.venueId}/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${venue.adminToken}`, 'content-type': 'audio/wav' },
        body: file,
      });
      const body = (await res.json()) as { sha256?: string };
      if (res.status !== 201 || body.sha256 !== sha256) {
        throw new Error(`upload refused: ${res.status} ${JSON.stringify(body)}`);
      }
      uploadMs += performance.now() - started;
      sent += size;
    }
    clearInterval(sampler);
    peak = Math.max(peak, await rssBytes(pid));
    await collectGarbage(relay);
    const after = await rssBytes(pid);
    console.log(
      JSON.stringify({
        metric: 'uploads',
        files: FILES,
        megabytes: round(sent / MB),
        seconds: round(uploadMs / 1000, 2),
        mbPerSecond: round(sent / MB / (uploadMs / 1000)),
        rssBeforeMb: round(before / MB),
        rssPeakMb: round(peak / MB),
        rssAfterMb: round(after / MB),
        storedMb: round((await storedBytes(dataDir)) / MB),
      }),
    );
  } finally {
    await relay.kill();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Bytes of media the relay stored (sanity check: every byte sent is on disk). */
async function storedBytes(dataDir: string): Promise<number> {
  const dir = join(dataDir, 'media');
  let total = 0;
  for (const f of await readdir(dir)) {
    if (/^[0-9a-f]{64}$/.test(f)) total += (await stat(join(dir, f))).size;
  }
  return total;
}

await main();
