/**
 * The seeded convergence fuzzer for the venue model (SPEC VM19 and the rules it checks below).
 *
 * Two admin phones, a player, a standby player, a kiosk and a few guest screens are simulated peers
 * on a controlled network. Guests never write the document: their requests and votes go to a journal
 * (as they do through the relay) that the active player drains. Each schedule runs random operations,
 * runs of appends, random partitions, long offline stretches, clocks that are hours or centuries off
 * (and corrected later), counters near their maximum, sessions that end and begin again (same writer
 * or a new one), revoked devices and weeks of silence that retire writers; after every full merge
 * every rule below is checked on every peer, and at the end all peers hold identical state.
 */
import * as Y from 'yjs';
import { createRandom, SimNetwork, type SeededRandom, type SimPeer } from '@djamms/test-harness';
import {
  createVenue,
  TIMING,
  Venue,
  type GuestEntry,
  type VenueSnapshot,
  type WriterRole,
} from '@djamms/venue';
import { appendRaw } from '@djamms/venue/testing';
import { encodeHlc, MAX_COUNT } from '../../packages/venue/src/hlc';

interface Device {
  name: string;
  role: WriterRole;
  peer: SimPeer;
  venue: Venue;
  /** Sessions so far: a new session may take a new writer id. */
  sessions: number;
  writer: string;
  /** How far the device's own clock is off, and the correction it learnt from the relay (null: not yet). */
  skew: number;
  correction: number | null;
  revoked: boolean;
}

/** What the fuzzer remembers of successful operations, to check rules against. */
interface Memory {
  /** Entries removed by devices with honest clocks, and by which device and writer. */
  removed: Map<string, { by: Device; writer: string }>;
  /** Entries anyone removed (a removal by a device whose clock is wrong counts once re-dated). */
  removedAny: Set<string>;
  adminAdds: Map<
    string,
    { lane: 'priority' | 'programme'; programme: string; at: number; by: Device }
  >;
  /** Lane entries each player started. */
  startedLane: Map<string, Set<string>>;
  /** Intents each player session decided. */
  decidedIntents: Map<string, Set<string>>;
  journal: GuestEntry[];
  /** Full merges so far: a write in generation g has seen every write of earlier generations. */
  generation: number;
  volumeWrites: {
    device: string;
    value: number;
    gen: number;
    at: number;
    seq: number;
    /** Written with a clock within the honest skew. */
    honest: boolean;
  }[];
}

const TRACKS = Array.from({ length: 40 }, (_, i) => `t${i}`);
/** `FUZZ_TRACE=1` prints every operation and network event, for replaying a failing seed. */
const trace = process.env.FUZZ_TRACE ? (line: string) => console.log(line) : () => undefined;
const HOUR = 3600_000;
/** How far an honest device's clock may be off (the skew every device gets). */
const HONEST = 2_000;

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

/** How often a schedule is a long one (`FUZZ_LONG_EVERY`; `npm run test:long` runs more of them). */
const LONG_EVERY = Number(process.env.FUZZ_LONG_EVERY ?? 500);

/** The steps of schedule `seed` when it is a long one: thousands. */
export function longSteps(seed: number): number {
  return 1_500 + ((seed * 7919) % 2_500);
}

/** The number of steps of schedule `seed`: most are short, every `LONG_EVERY`th runs thousands. */
export function stepsOf(seed: number): number {
  return seed % LONG_EVERY === 0 ? longSteps(seed) : 60;
}

/** Runs one schedule of `steps` random steps from `seed`. Throws a {@link FuzzFailure}. */
export function runSchedule(seed: number, steps = stepsOf(seed)): void {
  const random = createRandom(seed);
  const net = new SimNetwork();
  let time = Date.UTC(2026, 10, 22, 18);
  const clockChaos = random.chance(0.3);
  const devices: Device[] = [];
  const open = (d: Device) => {
    const ports = {
      now: () => time + d.skew + (d.correction ?? 0),
      random: () => random.next(),
      correction: () => d.correction,
    };
    const venue = new Venue(
      d.peer.doc,
      { writer: d.writer, device: d.name, role: d.role, name: d.name },
      ports,
    );
    d.venue = traced(venue, d.writer, () => time);
  };
  const add = (name: string, role: WriterRole) => {
    const peer = net.addPeer(name);
    let skew = random.int(2 * HONEST + 1) - HONEST;
    if (clockChaos && role !== 'viewer' && random.chance(0.2)) {
      skew = random.chance(0.5) ? (random.int(10) - 5) * HOUR : 3_000 * 365 * 24 * HOUR;
    }
    if (devices.length === 0) {
      createVenue(peer.doc, {
        venueId: 'vFuzz',
        libraryId: 'lFuzz',
        name: 'Fuzz',
        created: time,
        epoch: 'fz',
      });
    }
    // An honest clock counts as corrected; a wrong one is, once the device reaches the relay.
    const correction = Math.abs(skew) <= HONEST ? 0 : null;
    const d = {
      name,
      role,
      peer,
      sessions: 1,
      writer: `${name}-w`,
      skew,
      correction,
      revoked: false,
    } as Device;
    open(d);
    devices.push(d);
  };
  add('admin1', 'admin');
  add('admin2', 'admin');
  add('tv', 'player');
  add('spare', 'player');
  add('kiosk', 'kiosk');
  for (let i = 0; i < 4; i++) add(`guest${i}`, 'viewer');
  net.flush();
  const [admin1, , tv] = devices as [Device, Device, Device];
  admin1.venue.loadPlaylist(random.chance(0.5) ? TRACKS.slice(0, 8) : []);
  net.flush();
  tv.venue.claimLease();
  net.flush();

  const memory: Memory = {
    removed: new Map(),
    removedAny: new Set(),
    adminAdds: new Map(),
    startedLane: new Map(),
    decidedIntents: new Map(),
    journal: [],
    generation: 0,
    volumeWrites: [],
  };
  const world: World = { random, net, devices, memory, now: () => time, open };
  let step = 0;
  const fail = (message: string): never => {
    throw new FuzzFailure(seed, step, message);
  };
  for (step = 0; step < steps; step++) {
    const roll = random.next();
    if (roll < 0.3) staffStep(world);
    else if (roll < 0.42) guestStep(world);
    else if (roll < 0.62) playerStep(world, fail);
    else if (roll < 0.64) appendRun(world, fail);
    else if (roll < 0.67) churnStep(world);
    else if (roll < 0.79) networkStep(world);
    else if (roll < 0.9) net.deliverSome(random, 1 + random.int(20));
    else if (random.chance(0.02)) time += TIMING.retireAfter + random.int(2 * 24 * HOUR);
    else time += random.chance(0.8) ? random.int(30_000) : random.int(3 * HOUR);
    if (random.chance(0.1)) {
      trace(`step ${step}: full merge`);
      net.heal();
      net.flush();
      checkRules(world, fail);
      memory.generation++;
    }
  }
  net.heal();
  net.flush();
  checkRules(world, fail);
}

/** The venue, printing each operation and its result when tracing. */
function traced(venue: Venue, writer: string, now: () => number): Venue {
  if (!process.env.FUZZ_TRACE) return venue;
  return new Proxy(venue, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function' || ['snapshot', 'upNext', 'meta'].includes(String(prop))) {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        trace(
          `${now()} ${writer}.${String(prop)}(${JSON.stringify(args).slice(1, -1).slice(0, 120)}) → ${String(JSON.stringify(result)).slice(0, 160)}`,
        );
        return result;
      };
    },
  });
}

interface World {
  random: SeededRandom;
  net: SimNetwork;
  devices: Device[];
  memory: Memory;
  now: () => number;
  open: (d: Device) => void;
}

const live = (devices: Device[]) => devices.filter((d) => !d.revoked);
const clockError = (d: Device) => Math.abs(d.skew + (d.correction ?? 0));

function staffStep(world: World) {
  const { random, devices, memory, now } = world;
  const admin = random.pick(live(devices).filter((d) => d.role === 'admin'));
  if (!admin) return;
  const view = admin.venue.snapshot();
  const entries = [...view.programme.entries, ...view.lane];
  const any = () => (entries.length ? random.pick(entries).id : 'none');
  const honest = clockError(admin) <= HONEST;
  const roll = random.next();
  if (roll < 0.2) {
    const r = admin.venue.addToProgramme(random.pick(TRACKS), random.chance(0.3) ? any() : null);
    if (r.ok && honest) {
      memory.adminAdds.set(r.value, {
        lane: 'programme',
        programme: view.programme.id,
        at: view.at,
        by: admin,
      });
    }
  } else if (roll < 0.35) {
    const r = admin.venue.playNext(random.pick(TRACKS));
    if (r.ok && honest) {
      memory.adminAdds.set(r.value, { lane: 'priority', programme: '', at: view.at, by: admin });
    }
  } else if (roll < 0.5) {
    const id = any();
    if (admin.venue.remove(id).ok) {
      memory.removedAny.add(id);
      if (honest) memory.removed.set(id, { by: admin, writer: admin.writer });
    }
  } else if (roll < 0.65) admin.venue.move(any(), random.chance(0.2) ? null : any());
  else if (roll < 0.72) {
    const value = random.int(101);
    if (admin.venue.setSetting('volume', value).ok) {
      const w = memory.volumeWrites;
      w.push({
        device: admin.name,
        value,
        gen: memory.generation,
        at: now(),
        seq: w.length,
        honest,
      });
    }
  } else if (roll < 0.75) admin.venue.setSetting('volumeCap', 40 + random.int(61));
  else if (roll < 0.78) admin.venue.setShuffle(random.chance(0.5));
  else if (roll < 0.8)
    admin.venue.setSetting('repeat', random.pick(['none', 'one', 'all'] as const));
  else if (roll < 0.82) admin.venue.loadPlaylist(TRACKS.slice(random.int(30), 30 + random.int(10)));
  else if (roll < 0.84) {
    for (const entry of view.lane) {
      memory.removedAny.add(entry.id);
      if (honest) memory.removed.set(entry.id, { by: admin, writer: admin.writer });
    }
    admin.venue.clearLane();
  } else if (roll < 0.86) admin.venue.banTrack(random.pick(TRACKS), random.chance(0.7));
  else if (roll < 0.87) revoke(world, admin);
  else if (roll < 0.88) counterNearMax(random, admin, now());
  else {
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
}

/** An admin revokes a kiosk, the standby player or the other admin: the relay shuts it out. */
function revoke({ random, devices, net }: World, admin: Device) {
  const targets = live(devices).filter(
    (d) => d !== admin && ['kiosk', 'spare', 'admin1', 'admin2'].includes(d.name),
  );
  const target = targets.length ? random.pick(targets) : null;
  if (!target || !admin.venue.revokeDevice(target.name).ok) return;
  target.revoked = true;
  net.ban(target.peer);
  net.exchange();
}

/** A counter that reached its maximum on some device (raw, as such a device would have written it). */
function counterNearMax(random: SeededRandom, admin: Device, now: number) {
  if (!admin.venue.settle().ok) return; // its log exists, with its writer fact
  const h = encodeHlc({
    wall: now + admin.skew + (admin.correction ?? 0),
    count: MAX_COUNT - random.int(3),
    writer: admin.writer,
  });
  appendRaw(admin.peer.doc, admin.writer, { k: 'r:set:compressor', v: random.chance(0.5), h });
}

function guestStep({ random, devices, memory }: World) {
  const guest = `g${random.int(12)}`;
  const kiosk = devices.find((d) => d.role === 'kiosk')!;
  const lane = kiosk.venue.snapshot().lane;
  const roll = random.next();
  if (roll < 0.3 && !kiosk.revoked) {
    kiosk.venue.kioskRequest({ id: random.pick(TRACKS), explicit: random.chance(0.1) });
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

function playerStep({ random, devices, memory }: World, fail: (m: string) => never) {
  const player = random.chance(0.85)
    ? devices.find((d) => d.name === 'tv')!
    : devices.find((d) => d.name === 'spare')!;
  // What a revoked device does never reaches anyone.
  if (player.revoked) return;
  const venue = player.venue;
  const roll = random.next();
  const before = venue.snapshot().nowPlaying;
  if (roll < 0.35) venue.advance(before?.entry ?? null);
  else if (roll < 0.6) {
    const r = venue.applyIntents();
    if (r.ok) {
      const decided = once(memory.decidedIntents, player.writer);
      for (const id of Object.keys(r.value)) {
        if (decided.has(id)) fail(`VM2 ${player.writer} decided intent ${id} twice`);
        decided.add(id);
      }
    }
  } else if (roll < 0.75) venue.heartbeat();
  else if (roll < 0.85) {
    const cursor = Number(venue.snapshot().journalCursor ?? 0);
    venue.applyGuestEntries(memory.journal.slice(cursor), String(memory.journal.length));
  } else if (roll < 0.93) venue.claimLease(random.chance(0.1));
  // A screen that closes hands over (VM3); its next beat or claim takes the venue back.
  else if (roll < 0.95) venue.releaseLease();
  else
    venue.reportState(
      random.pick(['playing', 'paused', 'buffering'] as const),
      random.int(200_000),
    );
  recordStart(player, before, memory, fail);
}

function recordStart(
  player: Device,
  before: VenueSnapshot['nowPlaying'],
  memory: Memory,
  fail: (m: string) => never,
) {
  const view = player.venue.snapshot();
  const now = view.nowPlaying;
  // A start happens now; a player that takes the lease over continues an older start.
  if (
    now?.lane === 'priority' &&
    now.entry !== before?.entry &&
    now.changedAt !== before?.changedAt &&
    now.changedAt === view.at
  ) {
    const started = once(memory.startedLane, player.name);
    if (started.has(now.entry)) fail(`VM4 ${player.name} started lane entry ${now.entry} twice`);
    started.add(now.entry);
  }
}

/** Many appends in a row: an admin building a programme, or a busy night of requests being played. */
function appendRun(world: World, fail: (m: string) => never) {
  const { random, devices, memory } = world;
  const count = 10 + random.int(190);
  const admin = random.pick(live(devices).filter((d) => d.role === 'admin'));
  if (random.chance(0.5) && admin) {
    const programme = admin.venue.snapshot().programme.id;
    for (let i = 0; i < count; i++) {
      const r = admin.venue.addToProgramme(random.pick(TRACKS));
      if (r.ok && clockError(admin) <= HONEST) {
        memory.adminAdds.set(r.value, { lane: 'programme', programme, at: world.now(), by: admin });
      }
    }
    return;
  }
  const tv = devices.find((d) => d.name === 'tv')!;
  for (let i = 0; i < count; i++) {
    const id = `j${memory.journal.length}`;
    memory.journal.push({
      id,
      kind: 'request',
      guest: `g${i % 40}`,
      track: { id: `t${i % 40}`, explicit: false },
    });
    if (random.chance(0.3)) {
      const cursor = Number(tv.venue.snapshot().journalCursor ?? 0);
      tv.venue.applyGuestEntries(memory.journal.slice(cursor), String(memory.journal.length));
      const before = tv.venue.snapshot().nowPlaying;
      tv.venue.advance(before?.entry ?? null);
      recordStart(tv, before, memory, fail);
    }
  }
}

/**
 * A session ends; the device opens again as the same writer (a reload, at any time) or, once what it
 * wrote has reached the others, as a new writer (a new tab).
 */
function churnStep({ random, devices, net, open }: World) {
  const candidates = live(devices).filter((x) => x.role !== 'viewer');
  if (!candidates.length) return;
  const d = random.pick(candidates);
  const newWriter = random.chance(0.3) && !net.isCut(d.peer);
  // A new writer leaves the old one behind for good, so the old session syncs before it ends.
  if (newWriter) net.flush();
  d.venue.destroy();
  d.sessions++;
  if (newWriter) d.writer = `${d.name}-w${d.sessions}`;
  trace(`${d.name} opens a new session as ${d.writer}`);
  open(d);
}

function networkStep({ random, net, devices }: World) {
  const roll = random.next();
  const someone = random.pick(devices);
  trace(`network ${roll.toFixed(2)} ${someone.name}`);
  if (roll < 0.35) net.disconnect(someone.peer);
  else if (roll < 0.6) net.reconnect(someone.peer);
  else if (roll < 0.75) {
    const groups: SimPeer[][] = [[], []];
    for (const d of devices) groups[random.int(2)]!.push(d.peer);
    net.partition(groups);
  } else if (roll < 0.9) net.heal();
  else if (!someone.revoked && someone.correction === null && someone.role !== 'viewer') {
    // The device reaches the relay and learns the time: its clock is corrected (VM25).
    someone.correction = -someone.skew;
    someone.venue.settle();
  }
}

function once(map: Map<string, Set<string>>, name: string): Set<string> {
  let set = map.get(name);
  if (!set) map.set(name, (set = new Set()));
  return set;
}

/** Every rule that must hold after a full merge, on every peer. */
export function checkRules(world: World, fail: (m: string) => never) {
  const { devices, memory } = world;
  const peers = live(devices);
  const reference = peers[0]!;
  const now = world.now();
  const view = reference.venue.snapshot(now);
  const sv = Y.encodeStateVector(reference.peer.doc);
  for (const d of peers) {
    const other = d.venue.snapshot(now);
    if (JSON.stringify(other) !== JSON.stringify(view)) {
      const key = (Object.keys(view) as (keyof VenueSnapshot)[]).find(
        (k) => JSON.stringify(view[k]) !== JSON.stringify(other[k]),
      )!;
      if (key === 'problems') {
        const mine = new Set(view.problems.map((p) => JSON.stringify(p)));
        const theirs = new Set(other.problems.map((p) => JSON.stringify(p)));
        fail(
          `VM19 ${d.name} shows different problems: only there ${JSON.stringify([...theirs].filter((p) => !mine.has(p)))}, only here ${JSON.stringify([...mine].filter((p) => !theirs.has(p)))}`,
        );
      }
      fail(
        `VM19 ${d.name} shows a different ${key}: ${JSON.stringify(other[key]).slice(0, 600)} for ${JSON.stringify(view[key]).slice(0, 600)}`,
      );
    }
    if (!equalBytes(Y.encodeStateVector(d.peer.doc), sv))
      fail(`VM19 ${d.name} holds different updates`);
  }
  const ids = [...view.programme.entries, ...view.lane].map((e) => e.id);
  if (new Set(ids).size !== ids.length) fail('VM9 an entry shows twice');
  for (const id of ids) {
    const removal = memory.removed.get(id);
    // A removal a revoked device had not sent before it was shut out never arrives.
    // Its removal arrived when a removal stamped by it is anywhere (in its log, or folded).
    const arrived = () =>
      Object.entries(whereIs(reference.venue, id)).some(
        ([k, f]) =>
          k.endsWith(`r:rm:${id}`) && (f as { h?: string }).h?.endsWith(`.${removal!.writer}`),
      );
    if (removal && (!removal.by.revoked || arrived())) {
      fail(`VM10 removed entry ${id} is back: ${JSON.stringify(whereIs(reference.venue, id))}`);
    }
  }
  if (view.volume > view.settings.volumeCap) fail('VM6 volume above the cap');
  const playing = view.nowPlaying?.entry;
  // A revoked player's starts count once they arrived (what it had not sent never does).
  const revoked = new Set(devices.filter((d) => d.revoked).map((d) => d.name));
  const started = new Set(
    [...memory.startedLane].flatMap(([player, set]) => (revoked.has(player) ? [] : [...set])),
  );
  for (const id of playedInDocument(reference.venue)) started.add(id);
  for (const entry of view.lane) {
    if (started.has(entry.id)) fail(`VM4 played request ${entry.id} is back in the lane`);
  }
  for (const [id, add] of memory.adminAdds) {
    if (memory.removedAny.has(id) || id === playing || started.has(id)) continue;
    // What a revoked device had not sent before it was shut out never arrives.
    if (add.by.revoked && Object.keys(whereIs(reference.venue, id)).length === 0) continue;
    const expected =
      add.lane === 'programme'
        ? add.programme === view.programme.id
        : now < add.at + TIMING.laneTtl - 5_000;
    if (expected && !ids.includes(id) && !isBanned(reference.venue, view, id)) {
      const { by, ...what } = add;
      fail(
        `VM14 add ${id} by ${by.writer} was lost: ${JSON.stringify({ ...what, where: whereIs(reference.venue, id), lane: view.lane.map((e) => e.id) })}`,
      );
    }
  }
  checkNewestWins(view.settings.volume, world, fail);
  const guests = new Map<string, number>();
  for (const e of view.lane) if (e.guest) guests.set(e.guest, (guests.get(e.guest) ?? 0) + 1);
  for (const [guest, count] of guests) {
    const limit =
      guest === 'kiosk' ? view.settings.requestsPerKiosk : view.settings.requestsPerGuest;
    if (count > limit) fail(`VM11 guest ${guest} has ${count} requests`);
  }
  for (const problem of view.problems) {
    if (!problem.what.includes('in the future')) fail(`VM16 ${problem.where}: ${problem.what}`);
  }
  checkStamps(world, fail);
}

/** VM25: honest devices' stamps never run ahead of true time by more than the bound. */
function checkStamps({ devices, now }: World, fail: (m: string) => never) {
  const limit = now() + HONEST + TIMING.maxAhead;
  const honest = new Set(devices.filter((d) => Math.abs(d.skew) <= HONEST).map((d) => d.name));
  devices[0]!.peer.doc.getMap('writers').forEach((log, writer) => {
    if (!honest.has(writer.replace(/-w\d*$/, ''))) return;
    for (const fact of (log as Y.Array<{ k: string; h?: string }>).toArray()) {
      // Its own stamps only: a folded fact keeps the stamp its writer gave it.
      if (fact.h?.endsWith(`.${writer}`) && parseInt(fact.h.slice(0, 9), 36) > limit) {
        fail(`VM25 ${writer} stamped ${fact.k} ahead of true time: ${fact.h}`);
      }
    }
  });
}

/** True when the entry's track is banned (banned entries are hidden, not lost). */
function isBanned(venue: Venue, view: VenueSnapshot, id: string) {
  return Object.values(whereIs(venue, id)).some((f) => f.track && view.bans.includes(f.track));
}

/**
 * VM5 oracle, over writes made with honest clocks: the winning volume comes from the last generation
 * that wrote one, is not followed by a later write of the same device, and is not beaten by a write
 * more than the clock skew later. A value written by a device whose clock was wrong may win instead
 * (once corrected, its write takes its real place, VM25), as may one from a device since revoked.
 */
function checkNewestWins(volume: number, { memory, devices }: World, fail: (m: string) => never) {
  // A revoked device's writes may or may not have left it before it was shut out.
  const revoked = new Set(devices.filter((d) => d.revoked).map((d) => d.name));
  const counted = (w: Memory['volumeWrites'][number]) => w.honest && !revoked.has(w.device);
  if (memory.volumeWrites.some((w) => !counted(w) && w.value === volume)) return;
  const writes = memory.volumeWrites.filter(counted);
  if (writes.length === 0) return;
  const last = Math.max(...writes.map((w) => w.gen));
  const possible = writes.filter(
    (w) =>
      w.gen === last &&
      !writes.some((o) => o.device === w.device && o.seq > w.seq) &&
      !writes.some((o) => o.gen === last && o.at > w.at + 2 * HONEST + 500),
  );
  if (!possible.some((w) => w.value === volume)) {
    fail(`VM5 volume ${volume} is not the newest write (${JSON.stringify(possible)})`);
  }
}

/** Lane entries some player started (a batch of intents can start several in one operation). */
function playedInDocument(venue: Venue): string[] {
  return [...factIndex(venue).keys()].filter((k) => k.startsWith('p:')).map((k) => k.slice(2));
}

/** Where an entry's facts are (its add, removal, move, start), by `<writer>.<fact key>`. */
function whereIs(venue: Venue, id: string): Record<string, { track?: string }> {
  const found: Record<string, { track?: string }> = {};
  const index = factIndex(venue);
  for (const k of [`a:${id}`, `r:rm:${id}`, `r:pos:${id}`, `p:${id}`]) {
    for (const [writer, fact] of index.get(k) ?? []) found[`${writer}.${k}`] = fact;
  }
  return found;
}

type Fact = { k: string; track?: string };
const indexes = new WeakMap<Y.Doc, { sv: string; facts: Map<string, Map<string, Fact>> }>();

/** Every fact in every log of the document: fact key → writer → fact (rebuilt when the doc changes). */
function factIndex(venue: Venue): Map<string, Map<string, Fact>> {
  const sv = Y.encodeStateVector(venue.doc).join();
  let index = indexes.get(venue.doc);
  if (index?.sv !== sv) {
    const facts = new Map<string, Map<string, Fact>>();
    venue.doc.getMap('writers').forEach((log, writer) => {
      for (const fact of (log as Y.Array<Fact>).toArray()) {
        if (!facts.has(fact.k)) facts.set(fact.k, new Map());
        facts.get(fact.k)!.set(writer, fact);
      }
    });
    indexes.set(venue.doc, (index = { sv, facts }));
  }
  return index.facts;
}

function equalBytes(a: Uint8Array, b: Uint8Array) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
