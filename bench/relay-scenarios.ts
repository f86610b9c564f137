/**
 * The measurements of `npm run bench:relay`, each run the same way against either server: stock
 * y-websocket clients in this process (the many-venues run's in client processes,
 * bench/venue-clients.ts), the server in a child process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { createRandom, eventually } from '@djamms/test-harness';
import { MAX_VENUES_PER_REQUEST, type CreateVenuesResponse } from '@djamms/protocol';
import {
  collectGarbage,
  cpuMicros,
  rssBytes,
  startServer,
  type BenchServer,
  type ServerKind,
} from './relay-servers';

interface Counter {
  sent: number;
  received: number;
}

function socketClass(counter: Counter): typeof WebSocket {
  return class CountingSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols);
      this.on('message', (data: Buffer) => (counter.received += data.byteLength));
    }

    override send(data: Parameters<WebSocket['send']>[0], ...rest: unknown[]): void {
      counter.sent += (data as Uint8Array).byteLength;
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  } as typeof WebSocket;
}

/** Rooms on a server: djamms needs a venue per room pair and a token; the reference takes any name. */
class Rooms {
  #venues: { venueId: string; libraryId: string; adminToken: string }[] = [];
  constructor(readonly server: BenchServer) {}

  async names(count: number): Promise<{ room: string; token: string }[]> {
    if (this.server.kind === 'reference') {
      return Array.from({ length: count }, (_, i) => ({
        room: `room-${i}-${Math.random()}`,
        token: 'none',
      }));
    }
    // Two rooms per venue, the venues made a batch per request (RP28).
    const out: { room: string; token: string }[] = [];
    while (out.length < count) {
      const wanted = Math.min(MAX_VENUES_PER_REQUEST, Math.ceil((count - out.length) / 2));
      const res = await fetch(`${this.server.httpUrl}/api/venues`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.server.operatorKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ venues: Array(wanted).fill({ name: 'bench' }) }),
      });
      const { venues } = (await res.json()) as CreateVenuesResponse;
      for (const venue of venues) {
        this.#venues.push(venue);
        out.push({ room: venue.venueId, token: venue.adminToken });
        if (out.length < count) out.push({ room: venue.libraryId, token: venue.adminToken });
      }
    }
    return out;
  }

  /** `count` venue rooms (no library rooms), each with its admin token. */
  async venues(count: number): Promise<{ room: string; token: string }[]> {
    const pairs = await this.names(count * 2);
    return pairs.filter((_, i) => i % 2 === 0);
  }
}

/** A stock y-websocket client of `room` on a server (any object with its `wsUrl`). */
export function client(
  server: Pick<BenchServer, 'wsUrl'>,
  room: { room: string; token: string },
  doc = new Y.Doc(),
  counter?: Counter,
  maxBackoffTime = 1000,
): WebsocketProvider {
  return new WebsocketProvider(server.wsUrl, room.room, doc, {
    params: { token: room.token },
    WebSocketPolyfill: (counter
      ? socketClass(counter)
      : WebSocket) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime,
  });
}

/** Resolves once every provider has synced, or rejects after `timeoutMs`. */
export async function allSynced(providers: WebsocketProvider[], timeoutMs = 60_000): Promise<void> {
  await eventually(
    () => {
      if (!providers.every((p) => p.synced)) throw new Error('not synced');
    },
    { timeoutMs, intervalMs: 10 },
  );
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Rounds for printing. */
export const round = (n: number, digits = 3) => Number(n.toFixed(digits));

/** Update latency between two clients, sequential round trips. */
export async function latency(server: BenchServer): Promise<{ p50: number; p99: number }> {
  const [room] = await new Rooms(server).names(1);
  const a = client(server, room!);
  const b = client(server, room!);
  await allSynced([a, b]);
  const samples: number[] = [];
  let received: (() => void) | null = null;
  b.doc.on('update', () => received?.());
  for (let i = 0; i < 1100; i++) {
    const got = new Promise<void>((resolve) => (received = resolve));
    const started = performance.now();
    a.doc.getMap('m').set('k', i);
    await got;
    if (i >= 100) samples.push(performance.now() - started);
  }
  a.destroy();
  b.destroy();
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** One writer, 50 readers: time from write to each reader's receipt. */
export async function fanOut(server: BenchServer): Promise<{ p50: number; p99: number }> {
  const [room] = await new Rooms(server).names(1);
  const writer = client(server, room!);
  const readers = Array.from({ length: 50 }, () => client(server, room!));
  await allSynced([writer, ...readers]);
  const samples: number[] = [];
  let started = 0;
  let pending = 0;
  let done: (() => void) | null = null;
  for (const r of readers) {
    r.doc.on('update', () => {
      samples.push(performance.now() - started);
      if (--pending === 0) done?.();
    });
  }
  for (let i = 0; i < 220; i++) {
    pending = readers.length;
    const all = new Promise<void>((resolve) => (done = resolve));
    started = performance.now();
    writer.doc.getMap('m').set('k', i);
    await all;
    if (i === 19) samples.length = 0;
  }
  writer.destroy();
  readers.forEach((r) => r.destroy());
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Relay CPU per write: 4 rooms × 10 clients, every client writes each round. */
export async function cpuPerWrite(
  server: BenchServer,
): Promise<{ perWrite: number; perDelivery: number }> {
  const rooms = await new Rooms(server).names(4);
  const groups = rooms.map((room) => Array.from({ length: 10 }, () => client(server, room)));
  const all = groups.flat();
  await allSynced(all);
  const rounds = 300;
  let writes = 0;
  const startCpu = await cpuMicros(server.child.pid!);
  for (let r = 0; r < rounds; r++) {
    for (const [i, p] of all.entries()) {
      p.doc.getMap('m').set(`c${i}`, r);
      writes++;
    }
    await eventually(
      () => {
        for (const group of groups) {
          for (const p of group)
            if (p.doc.getMap('m').get(`c${all.indexOf(group[0]!)}`) !== r) throw new Error('lag');
        }
      },
      { timeoutMs: 30_000, intervalMs: 1 },
    );
  }
  await eventually(
    () => {
      for (const group of groups) {
        const want = Buffer.from(Y.encodeStateVector(group[0]!.doc)).toString('hex');
        for (const p of group) {
          if (Buffer.from(Y.encodeStateVector(p.doc)).toString('hex') !== want)
            throw new Error('lag');
        }
      }
    },
    { timeoutMs: 30_000 },
  );
  // count deferred work too (this relay merges a room's updates after 250 ms of quiet)
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpu = (await cpuMicros(server.child.pid!)) - startCpu;
  all.forEach((p) => p.destroy());
  return { perWrite: cpu / writes, perDelivery: cpu / (writes * 9) };
}

function smallDoc(i: number): Y.Doc {
  const doc = new Y.Doc();
  const m = doc.getMap('venue');
  for (let k = 0; k < 5; k++) m.set(`key${k}`, `value ${i}-${k}`);
  return doc;
}

/**
 * Warm-up shared by both memory measurements and both servers: 1,000 rooms used and left, so the
 * runtime's heap and socket pools have grown to working size before the baseline is taken.
 */
async function warmUp(server: BenchServer): Promise<void> {
  const rooms = await new Rooms(server).names(1000);
  for (let i = 0; i < rooms.length; i += 100) {
    const batch = rooms.slice(i, i + 100).map((room, j) => client(server, room, smallDoc(i + j)));
    await allSynced(batch);
    batch.forEach((p) => p.destroy());
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

/** RSS delta per room with 1,000 rooms each holding a small document and one idle client. */
export async function memoryPerOpenRoom(server: BenchServer): Promise<number> {
  await warmUp(server);
  const rooms = await new Rooms(server).names(1000);
  await collectGarbage(server);
  const before = await rssBytes(server.child.pid!);
  const providers = rooms.map((room, i) => client(server, room, smallDoc(i)));
  await allSynced(providers);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await collectGarbage(server);
  const after = await rssBytes(server.child.pid!);
  providers.forEach((p) => p.destroy());
  return (after - before) / rooms.length;
}

/**
 * RSS delta per idle room: 1,000 rooms each used by a client (50 at a time) that wrote a small
 * document and left. The reference keeps every such room's Y.Doc in memory when it has no
 * persistence; this relay unloads a room once its last client left and its writes are flushed.
 */
export async function memoryPerIdleRoom(server: BenchServer): Promise<number> {
  await warmUp(server);
  const rooms = await new Rooms(server).names(1000);
  await collectGarbage(server);
  const before = await rssBytes(server.child.pid!);
  for (let i = 0; i < rooms.length; i += 50) {
    const batch = rooms.slice(i, i + 50).map((room, j) => client(server, room, smallDoc(i + j)));
    await allSynced(batch);
    await new Promise((resolve) => setTimeout(resolve, 20));
    batch.forEach((p) => p.destroy());
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await collectGarbage(server);
  const after = await rssBytes(server.child.pid!);
  return (after - before) / rooms.length;
}

/** Kill the server, 20 clients edit offline, restart: time from restart until every client holds everything. */
export async function convergeAfterRestart(
  kind: ServerKind,
  port: number,
  dataDir?: string,
): Promise<{ converge: number; boot: number }> {
  let server = await startServer(kind, port, dataDir);
  const [room] = await new Rooms(server).names(1);
  const clients = Array.from({ length: 20 }, () =>
    client(server, room!, new Y.Doc(), undefined, 100),
  );
  await allSynced(clients);
  clients[0]!.doc.getArray('base').push(Array.from({ length: 100 }, (_, i) => i));
  await eventually(() => {
    if (!clients.every((c) => c.doc.getArray('base').length === 100)) throw new Error('lag');
  });
  await server.kill();
  for (const [i, c] of clients.entries()) {
    for (let k = 0; k < 50; k++) c.doc.getArray('offline').push([`${i}:${k}`]);
  }
  const spawned = performance.now();
  server = await startServer(kind, port, dataDir);
  const restarted = performance.now();
  await eventually(
    () => {
      for (const c of clients) {
        if (c.doc.getArray('offline').length !== 1000 || c.doc.getArray('base').length !== 100) {
          throw new Error('not converged');
        }
      }
    },
    { timeoutMs: 60_000, intervalMs: 2 },
  );
  const elapsed = performance.now() - restarted;
  clients.forEach((c) => c.destroy());
  await server.kill();
  return { converge: elapsed, boot: restarted - spawned };
}

/** Bytes on the wire (both clients, both directions) to merge two divergent 10,000-op histories. */
export async function mergeBytes(
  server: BenchServer,
): Promise<{ bytes: number; relaySent: number; minimal: number }> {
  const [room] = await new Rooms(server).names(1);
  const random = createRandom(42);
  const base = new Y.Doc();
  for (let i = 0; i < 1000; i++)
    base.getText('t').insert(random.int(base.getText('t').length + 1), 'b');
  const fork = () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
    for (let i = 0; i < 10_000; i++) {
      const text = doc.getText('t');
      if (i % 5 === 4 && text.length > 0) text.delete(random.int(text.length), 1);
      else text.insert(random.int(text.length + 1), String.fromCharCode(97 + random.int(26)));
    }
    return doc;
  };
  const docA = fork();
  const docB = fork();
  const minimal =
    Y.diffUpdate(Y.encodeStateAsUpdate(docA), Y.encodeStateVector(docB)).byteLength +
    Y.diffUpdate(Y.encodeStateAsUpdate(docB), Y.encodeStateVector(docA)).byteLength;
  const counter: Counter = { sent: 0, received: 0 };
  const a = client(server, room!, docA);
  a.awareness.setLocalState(null);
  await allSynced([a]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const b = client(server, room!, docB, counter);
  b.awareness.setLocalState(null);
  const aCounter: Counter = { sent: 0, received: 0 };
  const aSocket = a.ws as unknown as WebSocket;
  const onA = (data: Buffer) => (aCounter.received += data.byteLength);
  aSocket.on('message', onA);
  const aSend = aSocket.send.bind(aSocket);
  aSocket.send = ((data: Uint8Array, ...rest: unknown[]) => {
    aCounter.sent += data.byteLength;
    (aSend as (...args: unknown[]) => void)(data, ...rest);
  }) as typeof aSocket.send;
  await eventually(
    () => {
      if (docA.getText('t').toString() !== docB.getText('t').toString())
        throw new Error('diverged');
    },
    { timeoutMs: 60_000 },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  a.destroy();
  b.destroy();
  return {
    bytes: counter.sent + counter.received + aCounter.sent + aCounter.received,
    relaySent: counter.received + aCounter.received,
    minimal,
  };
}

/** Shape of the many-venues run (`--venues`, `--clients`, `--seconds`, `--interval`, `--client-processes`). */
export interface ManyVenuesShape {
  readonly venues: number;
  readonly clientsPerVenue: number;
  readonly seconds: number;
  /** Mean milliseconds between one client's writes (each client starts at a random phase). */
  readonly intervalMs: number;
  /** Processes the clients are spread over, whole venues to each (bench/venue-clients.ts). */
  readonly clientProcesses: number;
  /**
   * How a cluster's nodes get a venue's clients: `spread`, each on another node (client k of venue
   * v on node (v + k) mod n, so every write crosses nodes), or `venue`, all on one (node v mod n),
   * as a proxy hashing the room of `/sync/<room>` places them (relay/README.md). Default `spread`.
   */
  readonly placement?: 'spread' | 'venue';
}

/** What the many-venues run measured on one server or the nodes of a cluster. */
export interface ManyVenuesResult {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly writes: number;
  readonly deliveries: number;
  /** Deliveries expected (writes × other clients of the room) that never arrived. */
  readonly lost: number;
  /** Relay CPU over the write phase (all nodes), as a share of one core. */
  readonly cpuShare: number;
  /** Relay CPU per write (all nodes), microseconds. */
  readonly cpuPerWrite: number;
  /** Each node's CPU over the write phase, microseconds. */
  readonly nodeCpu: readonly number[];
  /** The CPU of each service the relay used over the write phase, microseconds. */
  readonly services: Readonly<Record<string, number>>;
  /** The write phase, until every delivery arrived (or gave up), milliseconds. */
  readonly elapsedMs: number;
  /** The largest resident set of any node. */
  readonly rssPeak: number;
  /** The busiest client process's event-loop utilisation over the writes (0–1). */
  readonly clientBusy: number;
}

/** A venue for one client process (bench/venue-clients.ts): its room, token, and the relay address of each of its clients. */
export interface ClientVenue {
  readonly room: string;
  readonly token: string;
  readonly urls: readonly string[];
}

/** What `manyVenues` sends a client process. */
export type ToClients =
  | { readonly type: 'open'; readonly venues: readonly ClientVenue[] }
  | { readonly type: 'write'; readonly intervalMs: number; readonly seconds: number };

/** What a client process answers. */
export type FromClients =
  | { readonly type: 'synced' }
  | {
      readonly type: 'done';
      readonly samples: Float64Array;
      readonly writes: number;
      readonly deliveries: number;
      readonly expected: number;
      /** The process's event-loop utilisation over the write phase (0–1). */
      readonly busy: number;
    };

/** A forked client process and the next message it sends. */
function clientProcess(): { child: ChildProcess; next: () => Promise<FromClients> } {
  const child = fork(fileURLToPath(new URL('./venue-clients.ts', import.meta.url)), {
    serialization: 'advanced',
  });
  const inbox: FromClients[] = [];
  let waiting: ((m: FromClients) => void) | null = null;
  child.on('message', (m: FromClients) => (waiting ? waiting(m) : inbox.push(m)));
  const exited = new Promise<never>((_, reject) =>
    child.on('exit', (code) => reject(new Error(`client process exited (${code})`))),
  );
  const next = () =>
    Promise.race([
      exited,
      new Promise<FromClients>((resolve) => {
        const queued = inbox.shift();
        if (queued) return resolve(queued);
        waiting = (m) => {
          waiting = null;
          resolve(m);
        };
      }),
    ]);
  return { child, next };
}

/**
 * A chain's evening on one relay, or on the nodes of a cluster (issue 11): `venues` rooms with
 * `clientsPerVenue` stock y-websocket clients each, on the nodes as `shape.placement` says; every
 * client writes one small new key every `intervalMs`
 * (random phase) for `seconds`. Latency is from the write to each other client of the room
 * observing it, timed in the client process that holds the whole venue; nothing may be lost.
 */
export async function manyVenues(
  servers: BenchServer | readonly BenchServer[],
  shape: ManyVenuesShape,
  /** Reads the CPU (µs) of services the relay uses (a cluster's Redis, PostgreSQL) by name. */
  serviceCpu: () => Promise<Record<string, number>> = async () => ({}),
): Promise<ManyVenuesResult> {
  const nodes = Array.isArray(servers) ? servers : [servers as BenchServer];
  const first = nodes[0] as BenchServer;
  const rooms = await new Rooms(first).venues(shape.venues);
  const processes = Array.from({ length: shape.clientProcesses }, clientProcess);
  try {
    await Promise.all(
      processes.map(async ({ child, next }, p) => {
        const venues = rooms
          .map((room, v) => ({
            ...room,
            urls: Array.from(
              { length: shape.clientsPerVenue },
              (_, k) =>
                (nodes[(v + (shape.placement === 'venue' ? 0 : k)) % nodes.length] as BenchServer)
                  .wsUrl,
            ),
          }))
          .filter((_, v) => v % shape.clientProcesses === p);
        child.send({ type: 'open', venues } satisfies ToClients);
        if ((await next()).type !== 'synced') throw new Error('client process out of step');
      }),
    );
    const pids = nodes.map((node) => node.child.pid!);
    const nodesCpu = () => Promise.all(pids.map((pid) => cpuMicros(pid)));
    let rssPeak = 0;
    const sampleRss = () =>
      Promise.all(pids.map((pid) => rssBytes(pid))).then(
        (all) => (rssPeak = Math.max(rssPeak, ...all)),
      );
    await sampleRss();
    const rssTimer = setInterval(() => void sampleRss(), 500);
    const startCpu = await nodesCpu();
    const startServices = await serviceCpu();
    const started = performance.now();
    const write: ToClients = {
      type: 'write',
      intervalMs: shape.intervalMs,
      seconds: shape.seconds,
    };
    const done = await Promise.all(
      processes.map(async ({ child, next }) => {
        child.send(write);
        const reply = await next();
        if (reply.type !== 'done') throw new Error('client process out of step');
        return reply;
      }),
    );
    const elapsed = performance.now() - started;
    const nodeCpu = (await nodesCpu()).map((cpu, i) => cpu - (startCpu[i] as number));
    const cpu = nodeCpu.reduce((sum, c) => sum + c, 0);
    const services = Object.fromEntries(
      Object.entries(await serviceCpu()).map(([name, c]) => [name, c - (startServices[name] ?? 0)]),
    );
    clearInterval(rssTimer);
    const samples = done.flatMap((d) => Array.from(d.samples));
    const sum = (f: (d: (typeof done)[number]) => number) => done.reduce((s, d) => s + f(d), 0);
    const writes = sum((d) => d.writes);
    return {
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      max: percentile(samples, 100),
      writes,
      deliveries: sum((d) => d.deliveries),
      lost: sum((d) => d.expected - d.deliveries),
      cpuShare: cpu / 1000 / elapsed,
      cpuPerWrite: cpu / writes,
      nodeCpu,
      services,
      elapsedMs: elapsed,
      rssPeak,
      clientBusy: Math.max(...done.map((d) => d.busy)),
    };
  } finally {
    processes.forEach(({ child }) => child.kill());
  }
}
