/**
 * A year of a venue open 24/7, simulated in one process (issues: venue model benchmark, model v2).
 *
 * The DJAMMS model: ≈175,000 plays by the active player (with heartbeats between them), 20,000 guest
 * requests from 50 guest devices (applied by the player from the relay journal), 5,000 admin edits
 * from two phones that are sometimes offline, a 200-entry programme reloaded now and then. Beside the
 * year, and in the same document: 1,000 writer sessions that came and went over it (a phone opened
 * once, a kiosk tab, a spare TV), and 50 devices an admin revoked. Then the write costs next to a
 * 5,000-entry programme, and the naive model for comparison (now-playing as five keys written per
 * play, the programme rotated by delete + push), run for a slice of the year and extrapolated,
 * because the naive rotation slows to seconds per thousand plays. Prints one JSON line.
 *
 * Usage: npm run bench:venue [-- --plays 175000 --sessions 1000 --naive-plays 20000]
 */
import * as Y from 'yjs';
import { createRandom, type SeededRandom } from '@djamms/test-harness';
import { createVenue, Venue, type WriterRole } from '@djamms/venue';
import { updateBytes } from '@djamms/venue/testing';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PLAYS = arg('plays', 175_000);
const REQUESTS = arg('requests', 20_000);
const ADMIN_EDITS = arg('admin-edits', 5_000);
const SESSIONS = arg('sessions', 1_000);
const REVOKED = arg('revoked', 50);
const NAIVE_PLAYS = arg('naive-plays', 20_000);
const YEAR_MS = 365 * 24 * 3600_000;
const START = Date.UTC(2026, 0, 1);

/** Peers that forward updates while online and catch up by state-vector diff on reconnect. */
class Link {
  online = true;
  private readonly toB = (u: Uint8Array, origin: unknown) => {
    if (origin !== this && this.online) Y.applyUpdate(this.b, u, this);
  };
  private readonly toA = (u: Uint8Array, origin: unknown) => {
    if (origin !== this && this.online) Y.applyUpdate(this.a, u, this);
  };
  constructor(
    readonly a: Y.Doc,
    readonly b: Y.Doc,
  ) {
    a.on('update', this.toB);
    b.on('update', this.toA);
  }
  /** The device is gone for good. */
  close() {
    this.a.off('update', this.toB);
    this.b.off('update', this.toA);
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

const tracks = Array.from({ length: 2_000 }, (_, i) => `t${i}`);

/** A venue with its TV and two admin phones, on a clock the caller moves. */
function openVenue(random: SeededRandom) {
  const clock = { now: START };
  const ports = { now: () => clock.now, random: () => random.next() };
  const tvDoc = new Y.Doc();
  createVenue(tvDoc, {
    venueId: 'vBench',
    libraryId: 'lBench',
    name: 'Bench Bar',
    created: clock.now,
    epoch: 'e1',
  });
  const phones = [new Y.Doc(), new Y.Doc()];
  const links = phones.map((doc) => new Link(tvDoc, doc));
  links.forEach((l) => l.reconnect());
  const tv = new Venue(tvDoc, { writer: 'tv', device: 'tv', role: 'player', name: 'TV' }, ports);
  const admins = phones.map(
    (doc, i) => new Venue(doc, { writer: `ph${i}`, device: `ph${i}`, role: 'admin' }, ports),
  );
  return { clock, ports, tvDoc, tv, admins, links };
}

/**
 * One writer session that comes, says a little, and goes for good: a phone opened once, a kiosk
 * tab, a spare TV. Its device is revoked afterwards when `revokedBy` is given.
 */
function passingSession(
  n: number,
  tvDoc: Y.Doc,
  ports: { now: () => number; random: () => number },
  random: SeededRandom,
  revokedBy: Venue | null,
) {
  const doc = new Y.Doc();
  const link = new Link(tvDoc, doc);
  link.reconnect();
  const role: WriterRole = (['admin', 'kiosk', 'player'] as const)[n % 3]!;
  const venue = new Venue(doc, { writer: `s${n}`, device: `d${n}`, role }, ports);
  if (role === 'admin') {
    venue.setSetting('crossfadeSeconds', random.int(13));
    venue.addToProgramme(random.pick(tracks));
  } else if (role === 'kiosk') {
    venue.kioskRequest({ id: random.pick(tracks), explicit: false });
  } else venue.heartbeat();
  venue.destroy();
  link.close();
  doc.destroy();
  if (revokedBy) revokedBy.revokeDevice(`d${n}`);
}

function djamms(sessionCount: number, revokedCount: number) {
  const random = createRandom(2026);
  const { clock, ports, tvDoc, tv, admins, links } = openVenue(random);
  must(admins[0]!.loadPlaylist(tracks.slice(0, 200)));
  must(tv.claimLease());
  must(tv.advance(null));

  const step = YEAR_MS / PLAYS;
  const requestEvery = PLAYS / REQUESTS;
  const editEvery = PLAYS / ADMIN_EDITS;
  const sessionEvery = PLAYS / Math.max(1, sessionCount);
  const revokeEvery = Math.max(1, Math.floor(sessionCount / Math.max(1, revokedCount)));
  let ops = 0;
  let journal = 0;
  let sessions = 0;
  const started = performance.now();
  for (let play = 0; play < PLAYS; play++) {
    clock.now += step / 3;
    must(tv.heartbeat());
    clock.now += step / 3;
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
      adminEdit(admins[phone]!, random);
      ops++;
    }
    if (play % sessionEvery < 1 && sessions < sessionCount) {
      const revoke = sessions % revokeEvery === 0 && sessions / revokeEvery < revokedCount;
      passingSession(sessions++, tvDoc, ports, random, revoke ? admins[0]! : null);
      ops += revoke ? 2 : 1;
    }
    clock.now += step / 3;
    const playing = tv.snapshot().nowPlaying;
    must(tv.advance(playing?.entry ?? null));
    must(tv.applyIntents());
    ops += 2;
  }
  links.forEach((l) => l.reconnect());
  // Whatever gone sessions are left are folded at the next writes, as in a venue that goes on.
  clock.now += 8 * 24 * 3600_000;
  must(tv.heartbeat());
  must(admins[0]!.setSetting('volume', 50));
  must(tv.heartbeat());
  const elapsed = performance.now() - started;
  return { doc: tvDoc, ops, elapsed, now: clock.now, sessions };
}

function adminEdit(venue: Venue, random: SeededRandom) {
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
  else {
    const from = random.int(1_800);
    venue.loadPlaylist(tracks.slice(from, from + 200));
  }
}

/** Median of five: applying the document to a fresh Y.Doc and its first snapshot. */
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

/** Median of five: the first snapshot of a document already applied. */
function firstSnapshot(update: Uint8Array, now: number) {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, update);
    const venue = new Venue(doc, { writer: 'x', device: 'x', role: 'viewer' }, viewerPorts(now));
    const t = performance.now();
    venue.snapshot();
    runs.push(performance.now() - t);
  }
  return runs.sort((a, b) => a - b)[2]!;
}

const viewerPorts = (now: number) => ({ now: () => now, random: () => 0.5 });

/**
 * What one write costs next to a 5,000-entry programme: a setting changed by the admin that loaded
 * it, an add to it, and a heartbeat of the player that holds a scheduled 5,000-entry programme.
 */
function writeCosts() {
  const random = createRandom(7);
  const { clock, tv, admins, links } = openVenue(random);
  const [admin] = admins as [Venue];
  const big = Array.from({ length: 5_000 }, (_, i) => `t${i}`);
  must(admin.loadPlaylist(big));
  must(
    admin.setSlot({
      id: 'all-day',
      days: [0, 1, 2, 3, 4, 5, 6],
      start: 0,
      end: 1440,
      playlist: 'lBig',
      volume: 40,
    }),
  );
  links.forEach((l) => l.reconnect());
  must(tv.claimLease());
  const local = { date: '2026-01-01', day: 4, minutes: 600 };
  must(tv.applySchedule(local, () => big));
  clock.now += 15_000;
  return {
    opBytes: updateBytes(admin.doc, () => must(admin.setSetting('volume', 33))),
    appendBytes: updateBytes(admin.doc, () => must(admin.addToProgramme('t1'))),
    beatBytes: updateBytes(tv.doc, () => must(tv.heartbeat())),
  };
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

const quiet = djamms(0, 0);
const run = djamms(SESSIONS, REVOKED);
const update = Y.encodeStateAsUpdate(run.doc);
const quietUpdate = Y.encodeStateAsUpdate(quiet.doc);
const viewer = (now: number) => (doc: Y.Doc) =>
  new Venue(doc, { writer: 'x', device: 'x', role: 'viewer' }, viewerPorts(now)).snapshot();
const costs = writeCosts();
const year = {
  plays: PLAYS,
  guestRequests: REQUESTS,
  adminEdits: ADMIN_EDITS,
  docBytes: quietUpdate.length,
  coldLoadMs: Number(coldLoad(quietUpdate, viewer(quiet.now)).toFixed(2)),
  sessions: run.sessions,
  revokedDevices: REVOKED,
  churnDocBytes: update.length,
  churnSnapshotMs: Number(firstSnapshot(update, run.now).toFixed(2)),
  churnColdLoadMs: Number(coldLoad(update, viewer(run.now)).toFixed(2)),
  logsLeft: run.doc.getMap('writers').size,
  opsPerSecond: Math.round(quiet.ops / (quiet.elapsed / 1000)),
};
const naiveRun = naive(NAIVE_PLAYS);
const extrapolated = naiveRun.bytesPerPlay * PLAYS;
console.log(
  JSON.stringify({
    ...year,
    ...costs,
    naive: naiveRun,
    naiveYearBytesExtrapolated: extrapolated,
    sizeRatio: Number((extrapolated / year.docBytes).toFixed(1)),
    targets: {
      docBytes: year.docBytes <= 64 * 1024,
      coldLoadMs: year.coldLoadMs <= 20,
      churnDocBytes: year.churnDocBytes <= 64 * 1024,
      churnSnapshotMs: year.churnSnapshotMs <= 5,
      opBytes: costs.opBytes <= 1_024,
      appendBytes: costs.appendBytes <= 1_024,
      beatBytes: costs.beatBytes <= 300,
    },
  }),
);
