/**
 * A year of a venue open 24/7, simulated in one process (issue: venue model benchmark).
 *
 * The DJAMMS model: ≈175,000 plays by the active player (with heartbeats between them), 20,000 guest
 * requests from 50 guest devices (applied by the player from the relay journal), 5,000 admin edits
 * from two phones that are sometimes offline, a 200-entry programme. Then the same plays with a
 * naive model (now-playing as five keys written per play, the programme rotated by delete + push),
 * run for a slice of the year and extrapolated, because the naive rotation slows to seconds per
 * thousand plays. Prints one JSON line.
 *
 * Usage: npm run bench:venue [-- --plays 175000 --naive-plays 20000]
 */
import * as Y from 'yjs';
import { createRandom } from '@djamms/test-harness';
import { createVenue, Venue } from '@djamms/venue';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PLAYS = arg('plays', 175_000);
const REQUESTS = arg('requests', 20_000);
const ADMIN_EDITS = arg('admin-edits', 5_000);
const NAIVE_PLAYS = arg('naive-plays', 20_000);
const YEAR_MS = 365 * 24 * 3600_000;

/** Peers that forward updates while online and catch up by state-vector diff on reconnect. */
class Link {
  online = true;
  constructor(
    readonly a: Y.Doc,
    readonly b: Y.Doc,
  ) {
    a.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== this && this.online) Y.applyUpdate(b, u, this);
    });
    b.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== this && this.online) Y.applyUpdate(a, u, this);
    });
  }
  reconnect() {
    this.online = true;
    Y.applyUpdate(this.b, Y.encodeStateAsUpdate(this.a, Y.encodeStateVector(this.b)), this);
    Y.applyUpdate(this.a, Y.encodeStateAsUpdate(this.b, Y.encodeStateVector(this.a)), this);
  }
}

function must<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function djamms() {
  const random = createRandom(2026);
  let now = Date.UTC(2026, 0, 1);
  const ports = { now: () => now, random: () => random.next() };
  const tvDoc = new Y.Doc();
  createVenue(tvDoc, {
    venueId: 'vBench',
    libraryId: 'lBench',
    name: 'Bench Bar',
    created: now,
    epoch: 'e1',
  });
  const phones = [new Y.Doc(), new Y.Doc()];
  const links = phones.map((doc) => new Link(tvDoc, doc));
  links.forEach((l) => l.reconnect());
  const tv = new Venue(tvDoc, { writer: 'tv', device: 'tv', role: 'player', name: 'TV' }, ports);
  const admins = phones.map(
    (doc, i) => new Venue(doc, { writer: `ph${i}`, device: `ph${i}`, role: 'admin' }, ports),
  );
  const tracks = Array.from({ length: 2_000 }, (_, i) => `t${i}`);
  must(admins[0]!.loadPlaylist(tracks.slice(0, 200)));
  must(tv.claimLease());
  must(tv.advance(null));

  const step = YEAR_MS / PLAYS;
  const requestEvery = PLAYS / REQUESTS;
  const editEvery = PLAYS / ADMIN_EDITS;
  let ops = 0;
  let journal = 0;
  const started = performance.now();
  for (let play = 0; play < PLAYS; play++) {
    now += step / 3;
    must(tv.heartbeat());
    now += step / 3;
    must(tv.heartbeat());
    ops += 2;
    if (play % requestEvery < 1) {
      journal++;
      tv.applyGuestEntries(
        [
          {
            id: `j${journal}`,
            kind: 'request',
            guest: `g${random.int(50)}`,
            track: { id: random.pick(tracks), explicit: false },
          },
        ],
        String(journal),
      );
      ops++;
    }
    if (play % editEvery < 1) {
      const phone = random.int(2);
      const link = links[phone]!;
      if (link.online && random.chance(0.05)) link.online = false;
      else if (!link.online && random.chance(0.2)) link.reconnect();
      adminEdit(admins[phone]!, random, tracks);
      ops++;
    }
    now += step / 3;
    const playing = tv.snapshot().nowPlaying;
    must(tv.advance(playing?.entry ?? null));
    must(tv.applyIntents());
    ops += 2;
  }
  links.forEach((l) => l.reconnect());
  const elapsed = performance.now() - started;
  return { doc: tvDoc, ops, elapsed, now };
}

function adminEdit(venue: Venue, random: ReturnType<typeof createRandom>, tracks: string[]) {
  const view = venue.snapshot();
  const entries = view.programme.entries;
  const roll = random.next();
  if (roll < 0.3) venue.setSetting('volume', random.int(101));
  else if (roll < 0.4) venue.sendIntent(random.pick(['skip', 'pause', 'play'] as const));
  else if (roll < 0.55 && entries.length > 1)
    venue.move(random.pick(entries).id, random.pick(entries).id);
  else if (roll < 0.65 && entries.length > 150) venue.remove(random.pick(entries).id);
  else if (roll < 0.8) venue.addToProgramme(random.pick(tracks));
  else if (roll < 0.9) venue.playNext(random.pick(tracks));
  else if (roll < 0.995) venue.setSetting('crossfadeSeconds', random.int(13));
  else
    venue.loadPlaylist(
      tracks.slice(random.int(1_800), 0).concat(tracks.slice(0, 200)).slice(0, 200),
    );
}

function coldLoad(update: Uint8Array, open: (doc: Y.Doc) => unknown) {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const doc = new Y.Doc();
    Y.applyUpdate(doc, update);
    open(doc);
    runs.push(performance.now() - t);
  }
  return runs.sort((a, b) => a - b)[2]!;
}

/** The naive model: now-playing as five keys per play, the programme rotated by delete + push. */
function naive(plays: number) {
  const doc = new Y.Doc();
  const nowPlaying = doc.getMap('nowPlaying');
  const queue = doc.getArray<string>('queue');
  queue.push(Array.from({ length: 200 }, (_, i) => `t${i}`));
  const started = performance.now();
  for (let i = 0; i < plays; i++) {
    doc.transact(() => {
      const track = queue.get(0);
      queue.delete(0, 1);
      queue.push([track]);
      nowPlaying.set('track', track);
      nowPlaying.set('startedAt', i);
      nowPlaying.set('state', 'playing');
      nowPlaying.set('position', 0);
      nowPlaying.set('updatedAt', i);
    });
  }
  const elapsed = performance.now() - started;
  const update = Y.encodeStateAsUpdate(doc);
  return {
    plays,
    docBytes: update.length,
    bytesPerPlay: Math.round(update.length / plays),
    coldLoadMs: coldLoad(update, (d) => d.getMap('nowPlaying').toJSON()),
    opsPerSecond: Math.round(plays / (elapsed / 1000)),
  };
}

const run = djamms();
const update = Y.encodeStateAsUpdate(run.doc);
const ports = { now: () => run.now, random: () => 0.5 };
const result = {
  plays: PLAYS,
  guestRequests: REQUESTS,
  adminEdits: ADMIN_EDITS,
  docBytes: update.length,
  coldLoadMs: Number(
    coldLoad(update, (doc) =>
      new Venue(doc, { writer: 'x', device: 'x', role: 'viewer' }, ports).snapshot(),
    ).toFixed(2),
  ),
  opsPerSecond: Math.round(run.ops / (run.elapsed / 1000)),
  naive: naive(NAIVE_PLAYS),
};
const extrapolated = result.naive.bytesPerPlay * PLAYS;
console.log(
  JSON.stringify({
    ...result,
    naiveYearBytesExtrapolated: extrapolated,
    sizeRatio: Number((extrapolated / result.docBytes).toFixed(1)),
    targets: { docBytes: result.docBytes <= 64 * 1024, coldLoadMs: result.coldLoadMs <= 20 },
  }),
);
