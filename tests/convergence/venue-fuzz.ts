/**
 * The seeded convergence fuzzer for the venue model (SPEC VM19 and the rules it checks below).
 *
 * A player, a standby player, two admin phones, a kiosk and a dozen guest devices are simulated peers
 * on a controlled network. Guests never write the document: their requests and votes go to a journal
 * (as they do through the relay) that the active player drains. Each schedule runs random operations,
 * random partitions, long offline stretches and merges; after every full merge every rule below is
 * checked on every peer, and at the end all peers hold identical state.
 */
import * as Y from 'yjs';
import { createRandom, SimNetwork, type SeededRandom, type SimPeer } from '@djamms/test-harness';
import { createVenue, TIMING, Venue, type GuestEntry, type Role } from '@djamms/venue';

interface Device {
  name: string;
  role: Role;
  peer: SimPeer;
  venue: Venue;
}

/** What the fuzzer remembers of successful operations, to check rules against. */
interface Ledger {
  removed: Set<string>;
  adminAdds: Map<string, { lane: 'priority' | 'programme'; programme: string; at: number }>;
  /** Lane entries each player started. */
  startedLane: Map<string, Set<string>>;
  /** Intents each player decided. */
  decidedIntents: Map<string, Set<string>>;
  journal: GuestEntry[];
  /** Full merges so far: a write in generation g has seen every write of earlier generations. */
  generation: number;
  volumeWrites: { device: string; value: number; gen: number; at: number; seq: number }[];
}

const TRACKS = Array.from({ length: 40 }, (_, i) => `t${i}`);

/** A failure with the seed that reproduces it. */
export class FuzzFailure extends Error {
  constructor(
    readonly seed: number,
    readonly step: number,
    message: string,
  ) {
    super(`seed ${seed}, step ${step}: ${message}`);
  }
}

/** Runs one schedule of `steps` random steps from `seed`. Throws a {@link FuzzFailure}. */
export function runSchedule(seed: number, steps = 60): void {
  const random = createRandom(seed);
  const net = new SimNetwork();
  let time = Date.UTC(2026, 10, 22, 18);
  const devices: Device[] = [];
  const add = (name: string, role: Role) => {
    const peer = net.addPeer(name);
    const skew = random.int(4001) - 2000;
    if (devices.length === 0) {
      createVenue(peer.doc, {
        venueId: 'vFuzz',
        libraryId: 'lFuzz',
        name: 'Fuzz',
        created: time,
        epoch: 'fz',
      });
    }
    const ports = { now: () => time + skew, random: () => random.next() };
    const venue = new Venue(peer.doc, { writer: `${name}-w`, device: name, role, name }, ports);
    devices.push({ name, role, peer, venue });
  };
  add('admin1', 'admin');
  add('admin2', 'admin');
  add('tv', 'player');
  add('spare', 'player');
  add('kiosk', 'kiosk');
  for (let i = 0; i < 12; i++) add(`guest${i}`, 'viewer');
  net.flush();
  const [admin1, , tv] = devices as [Device, Device, Device];
  admin1.venue.loadPlaylist(random.chance(0.5) ? TRACKS.slice(0, 8) : []);
  net.flush();
  tv.venue.claimLease();
  net.flush();

  const memory: Ledger = {
    removed: new Set(),
    adminAdds: new Map(),
    startedLane: new Map(),
    decidedIntents: new Map(),
    journal: [],
    generation: 0,
    volumeWrites: [],
  };
  let step = 0;
  const fail = (message: string): never => {
    throw new FuzzFailure(seed, step, message);
  };
  for (step = 0; step < steps; step++) {
    const roll = random.next();
    if (roll < 0.35) staffStep(random, devices, memory, time);
    else if (roll < 0.5) guestStep(random, devices, memory);
    else if (roll < 0.72) playerStep(random, devices, memory, fail);
    else if (roll < 0.85) networkStep(random, net, devices);
    else if (roll < 0.95) net.deliverSome(random, 1 + random.int(20));
    else time += random.chance(0.8) ? random.int(30_000) : random.int(3 * 3600_000);
    if (random.chance(0.1)) {
      net.heal();
      net.flush();
      checkRules(devices, memory, fail);
      memory.generation++;
    }
  }
  net.heal();
  net.flush();
  checkRules(devices, memory, fail);
}

function staffStep(random: SeededRandom, devices: Device[], memory: Ledger, time: number) {
  const admin = random.pick(devices.filter((d) => d.role === 'admin'));
  const view = admin.venue.snapshot();
  const entries = [...view.programme.entries, ...view.lane];
  const any = () => (entries.length ? random.pick(entries).id : 'none');
  const roll = random.next();
  if (roll < 0.2) {
    const r = admin.venue.addToProgramme(random.pick(TRACKS), random.chance(0.3) ? any() : null);
    if (r.ok)
      memory.adminAdds.set(r.value, {
        lane: 'programme',
        programme: view.programme.id,
        at: view.at,
      });
  } else if (roll < 0.35) {
    const r = admin.venue.playNext(random.pick(TRACKS));
    if (r.ok) memory.adminAdds.set(r.value, { lane: 'priority', programme: '', at: view.at });
  } else if (roll < 0.5) {
    const id = any();
    if (admin.venue.remove(id).ok) memory.removed.add(id);
  } else if (roll < 0.65) admin.venue.move(any(), random.chance(0.2) ? null : any());
  else if (roll < 0.72) {
    const value = random.int(101);
    if (admin.venue.setSetting('volume', value).ok) {
      const w = memory.volumeWrites;
      w.push({ device: admin.name, value, gen: memory.generation, at: time, seq: w.length });
    }
  } else if (roll < 0.75) admin.venue.setSetting('volumeCap', 40 + random.int(61));
  else if (roll < 0.78) admin.venue.setShuffle(random.chance(0.5));
  else if (roll < 0.8)
    admin.venue.setSetting('repeat', random.pick(['none', 'one', 'all'] as const));
  else if (roll < 0.82) admin.venue.loadPlaylist(TRACKS.slice(random.int(30), 30 + random.int(10)));
  else if (roll < 0.84) {
    for (const entry of view.lane) memory.removed.add(entry.id);
    admin.venue.clearLane();
  } else if (roll < 0.86) admin.venue.banTrack(random.pick(TRACKS), random.chance(0.7));
  else
    admin.venue.sendIntent(
      random.pick([
        'play',
        'pause',
        'skip',
        'previous',
        'emergency-stop',
        'fade-out-stop',
      ] as const),
    );
}

function guestStep(random: SeededRandom, devices: Device[], memory: Ledger) {
  const guest = `g${random.int(12)}`;
  const kiosk = devices.find((d) => d.role === 'kiosk')!;
  const lane = kiosk.venue.snapshot().lane;
  const roll = random.next();
  if (roll < 0.3) {
    kiosk.venue.guestRequest(guest, { id: random.pick(TRACKS), explicit: random.chance(0.1) });
  } else if (roll < 0.5 && lane.length) {
    memory.journal.push({
      id: `j${memory.journal.length}`,
      kind: 'vote',
      guest,
      entry: random.pick(lane).id,
    });
  } else {
    memory.journal.push({
      id: `j${memory.journal.length}`,
      kind: 'request',
      guest,
      track: { id: random.pick(TRACKS), explicit: false },
    });
  }
}

function playerStep(
  random: SeededRandom,
  devices: Device[],
  memory: Ledger,
  fail: (m: string) => never,
) {
  const player = random.chance(0.85)
    ? devices.find((d) => d.name === 'tv')!
    : devices.find((d) => d.name === 'spare')!;
  const venue = player.venue;
  const roll = random.next();
  const before = venue.snapshot().nowPlaying;
  if (roll < 0.35) venue.advance(before?.entry ?? null);
  else if (roll < 0.6) {
    const r = venue.applyIntents();
    if (r.ok) {
      const decided = once(memory.decidedIntents, player.name);
      for (const id of Object.keys(r.value)) {
        if (decided.has(id)) fail(`VM2 ${player.name} decided intent ${id} twice`);
        decided.add(id);
      }
    }
  } else if (roll < 0.75) venue.heartbeat();
  else if (roll < 0.85) {
    const cursor = Number(venue.snapshot().journalCursor ?? 0);
    venue.applyGuestEntries(memory.journal.slice(cursor), String(memory.journal.length));
  } else if (roll < 0.95) venue.claimLease(random.chance(0.1));
  else
    venue.reportState(
      random.pick(['playing', 'paused', 'buffering'] as const),
      random.int(200_000),
    );
  const now = venue.snapshot().nowPlaying;
  if (
    now?.lane === 'priority' &&
    now.entry !== before?.entry &&
    now.changedAt !== before?.changedAt
  ) {
    const started = once(memory.startedLane, player.name);
    if (started.has(now.entry)) fail(`VM4 ${player.name} started lane entry ${now.entry} twice`);
    started.add(now.entry);
  }
}

function once(map: Map<string, Set<string>>, name: string): Set<string> {
  let set = map.get(name);
  if (!set) map.set(name, (set = new Set()));
  return set;
}

function networkStep(random: SeededRandom, net: SimNetwork, devices: Device[]) {
  const roll = random.next();
  const someone = random.pick(devices).peer;
  if (roll < 0.4) net.disconnect(someone);
  else if (roll < 0.7) net.reconnect(someone);
  else if (roll < 0.85) {
    const groups: SimPeer[][] = [[], []];
    for (const d of devices) groups[random.int(2)]!.push(d.peer);
    net.partition(groups);
  } else net.heal();
}

/** Every rule that must hold after a full merge, on every peer. */
export function checkRules(devices: Device[], memory: Ledger, fail: (m: string) => never) {
  const reference = devices[0]!;
  const now = reference.venue.snapshot().at;
  const view = reference.venue.snapshot(now);
  const sv = Y.encodeStateVector(reference.peer.doc);
  for (const d of devices) {
    const other = d.venue.snapshot(now);
    if (JSON.stringify(other) !== JSON.stringify(view))
      fail(`VM19 ${d.name} shows a different venue`);
    if (!equalBytes(Y.encodeStateVector(d.peer.doc), sv))
      fail(`VM19 ${d.name} holds different updates`);
  }
  const ids = [...view.programme.entries, ...view.lane].map((e) => e.id);
  if (new Set(ids).size !== ids.length) fail('VM9 an entry shows twice');
  for (const id of ids) if (memory.removed.has(id)) fail(`VM10 removed entry ${id} is back`);
  if (view.volume > view.settings.volumeCap) fail('VM6 volume above the cap');
  const playing = view.nowPlaying?.entry;
  const started = new Set([...memory.startedLane.values()].flatMap((set) => [...set]));
  for (const id of playedInDocument(reference.venue)) started.add(id);
  for (const entry of view.lane) {
    if (started.has(entry.id)) fail(`VM4 played request ${entry.id} is back in the lane`);
  }
  for (const [id, add] of memory.adminAdds) {
    if (memory.removed.has(id) || id === playing || started.has(id)) continue;
    const entry = ids.includes(id);
    const expected =
      add.lane === 'programme'
        ? add.programme === view.programme.id && !view.bans.some((b) => isTrackOf(view, id, b))
        : now < add.at + TIMING.laneTtl - 5_000;
    if (expected && !entry && !bannedOrGone(reference.venue, id)) {
      fail(
        `VM14 add ${id} was lost: ${JSON.stringify({ add, where: whereIs(reference.venue, id), view: view.programme.id })}`,
      );
    }
  }
  checkNewestWins(view.settings.volume, memory, fail);
  const guests = new Map<string, number>();
  for (const e of view.lane) if (e.guest) guests.set(e.guest, (guests.get(e.guest) ?? 0) + 1);
  for (const [guest, count] of guests)
    if (count > 3) fail(`VM11 guest ${guest} has ${count} requests`);
}

function isTrackOf(view: ReturnType<Venue['snapshot']>, id: string, track: string) {
  return view.programme.entries.some((e) => e.id === id && e.track === track);
}

/** True when the add's track is banned (banned entries are hidden, not lost). */
function bannedOrGone(venue: Venue, id: string) {
  const view = venue.snapshot();
  for (const ledger of venue.doc.getMap('ledgers').values() as IterableIterator<{
    adds?: Record<string, { track: string }>;
  }>) {
    const add = ledger.adds?.[id];
    if (add && view.bans.includes(add.track)) return true;
  }
  return false;
}

/**
 * VM5 oracle: the winning volume comes from the last generation that wrote one, is not followed by
 * a later write of the same device, and is not beaten by a write more than the clock skew later.
 */
function checkNewestWins(volume: number, memory: Ledger, fail: (m: string) => never) {
  const writes = memory.volumeWrites;
  if (writes.length === 0) return;
  const last = Math.max(...writes.map((w) => w.gen));
  const possible = writes.filter(
    (w) =>
      w.gen === last &&
      !writes.some((o) => o.device === w.device && o.seq > w.seq) &&
      !writes.some((o) => o.gen === last && o.at > w.at + 4_500),
  );
  if (!possible.some((w) => w.value === volume)) {
    fail(`VM5 volume ${volume} is not the newest write (${JSON.stringify(possible)})`);
  }
}

/** Lane entries some player started (a batch of intents can start several in one operation). */
function playedInDocument(venue: Venue): string[] {
  const ids: string[] = [];
  venue.doc.getMap('ledgers').forEach((ledger) => {
    ids.push(...Object.keys((ledger as { player?: { played?: object } }).player?.played ?? {}));
  });
  return ids;
}

/** Where an entry's facts are, for failure messages. */
function whereIs(venue: Venue, id: string) {
  const found: Record<string, unknown> = {};
  venue.doc.getMap('ledgers').forEach((ledger, key) => {
    const l = ledger as {
      adds?: Record<string, unknown>;
      regs?: Record<string, unknown>;
      player?: { played?: Record<string, unknown> };
    };
    if (l.adds?.[id]) found[`${key}.add`] = l.adds[id];
    for (const prefix of ['rm:', 'pos:'])
      if (l.regs?.[prefix + id]) found[`${key}.${prefix}`] = l.regs[prefix + id];
    if (l.player?.played?.[id]) found[`${key}.played`] = l.player.played[id];
  });
  return found;
}

function equalBytes(a: Uint8Array, b: Uint8Array) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
