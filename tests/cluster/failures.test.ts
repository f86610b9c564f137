import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import type { CreateVenueResponse } from '@djamms/protocol';
import { eventually } from '@djamms/test-harness';
import { connect, createVenue, roomState, synced } from '../relay/helpers';
import { freePort, killChild, startChildRelay, type ChildRelay } from '../relay/child-relay';
import { describeCluster } from './services';

/** A client writing one item at a time into the venue's `log`, told by `saved` what is stored. */
interface Writer {
  readonly doc: Y.Doc;
  provider: WebsocketProvider;
  /** How many of its items the relay acknowledged as stored (RP8, RP40). */
  saved: number;
  written: number;
}

function writer(wsUrl: string, venue: CreateVenueResponse, doc = new Y.Doc()): Writer {
  const w: Writer = { doc, provider: null as unknown as WebsocketProvider, saved: 0, written: 0 };
  attach(w, wsUrl, venue);
  return w;
}

/** Connects a writer's document to a node (again, after its node died). */
function attach(w: Writer, wsUrl: string, venue: CreateVenueResponse): void {
  w.provider = connect(wsUrl, venue.venueId, venue.adminToken, w.doc, { ack: true });
  w.provider.messageHandlers[100] = (_encoder, decoder) => {
    decoding.readVarUint(decoder);
    decoding.readVarUint(decoder);
    const vector = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    w.saved = Math.max(w.saved, vector.get(w.doc.clientID) ?? 0);
  };
}

/** Writes an item into every writer's `log` every few milliseconds until stopped. */
function writeLoad(writers: readonly Writer[]): () => void {
  const timer = setInterval(() => {
    for (const [i, w] of writers.entries()) {
      w.doc.getArray('log').push([`${i}:${w.written++}`]);
    }
  }, 4);
  return () => clearInterval(timer);
}

/** How many items of `w` a stored state holds (its clock there: one item a clock tick). */
const storedOf = (state: Y.Doc, w: Writer) =>
  Y.decodeStateVector(Y.encodeStateVector(state)).get(w.doc.clientID) ?? 0;

describeCluster('a cluster losing a node, Redis or PostgreSQL under write load', (servers) => {
  const nodes: ChildRelay[] = [];
  const dirs: string[] = [];
  const clients: WebsocketProvider[] = [];
  let venue: CreateVenueResponse;
  const ws = (node: ChildRelay) => `ws://127.0.0.1:${node.port}/sync`;

  beforeAll(async () => {
    const { redis, postgres } = servers();
    for (let i = 0; i < 3; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'djamms-node-'));
      dirs.push(dir);
      const args = ['--port', String(await freePort()), '--data', dir];
      nodes.push(
        await startChildRelay([...args, '--redis', redis.url, '--postgres', postgres.url]),
      );
    }
    const operatorKey = (await readFile(join(dirs[0] as string, 'operator-key'), 'utf8')).trim();
    venue = await createVenue({ url: (nodes[0] as ChildRelay).url, operatorKey });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all(nodes.map((n) => killChild(n, 'SIGTERM')));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('RP40 SIGKILL of a node under write load loses nothing acknowledged; its clients go on through another node', async () => {
    const [a, b, c] = nodes as [ChildRelay, ChildRelay, ChildRelay];
    const writers = [writer(ws(a), venue), writer(ws(a), venue), writer(ws(b), venue)];
    clients.push(...writers.map((w) => w.provider));
    await Promise.all(writers.map((w) => synced(w.provider)));
    const stop = writeLoad(writers);
    await eventually(() => expect(writers.every((w) => w.saved > 30)).toBe(true));
    await killChild(a);
    const acked = writers.map((w) => w.saved);
    // what node A acknowledged is in node B's open room (the bus held it before A sent `saved`,
    // RP40) within about a second (RP48), before A's clients send anything again
    await eventually(
      async () => {
        const stored = await roomState(b, venue.venueId, venue.adminToken);
        writers.forEach((w, i) => expect(storedOf(stored, w)).toBeGreaterThanOrEqual(acked[i]!));
      },
      { timeoutMs: 2_000, intervalMs: 50 },
    );
    // node A's clients move to node C and keep writing
    for (const w of writers.slice(0, 2)) {
      w.provider.destroy();
      attach(w, ws(c), venue);
      clients.push(w.provider);
    }
    await eventually(() => expect(writers.every((w, i) => w.saved > acked[i]! + 20)).toBe(true));
    stop();
    await eventually(() => expect(writers.every((w) => w.saved === w.written)).toBe(true));
    // node C has everything: the writer on node B was acknowledged once PostgreSQL held its last
    // writes (RP40), which reach node C's open room through Redis a read window later (RP43)
    await eventually(async () => {
      const after = await roomState(c, venue.venueId, venue.adminToken);
      for (const w of writers) expect(storedOf(after, w)).toBe(w.written);
    });
    for (const w of writers) w.provider.destroy();
  });

  it('RP43 T26 Redis restarted empty under write load: nothing acknowledged is lost and every node catches up', async () => {
    const [, b, c] = nodes as [ChildRelay, ChildRelay, ChildRelay];
    const writers = [writer(ws(b), venue), writer(ws(c), venue)];
    const reader = connect(ws(c), venue.venueId, venue.adminToken);
    clients.push(reader, ...writers.map((w) => w.provider));
    await Promise.all([reader, ...writers.map((w) => w.provider)].map((p) => synced(p)));
    const stop = writeLoad(writers);
    await eventually(() => expect(writers.every((w) => w.saved > 20)).toBe(true));
    await servers().redis.stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await servers().redis.start();
    // writes made after Redis came back are acknowledged (however many a commit's spacing keeps
    // in flight, RP40)
    const restarted = writers.map((w) => w.written);
    await eventually(() => expect(writers.every((w, i) => w.saved > restarted[i]!)).toBe(true));
    stop();
    // the reader on node C, connected throughout, has every item written on node B
    await eventually(() => expect(storedOf(reader.doc, writers[0]!)).toBe(writers[0]!.written), {
      timeoutMs: 10_000,
    });
    // node B, whose sockets may have heard nothing from node C while C's own connection to Redis
    // was still coming back, catches up once C can publish again (RP48)
    await eventually(
      async () => {
        const stored = await roomState(b, venue.venueId, venue.adminToken);
        for (const w of writers) expect(storedOf(stored, w)).toBe(w.written);
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    for (const p of [reader, ...writers.map((w) => w.provider)]) p.destroy();
  });

  it('RP40 T26 PostgreSQL unavailable: writes are not acknowledged, nothing is lost, the cluster recovers', async () => {
    const [, b, c] = nodes as [ChildRelay, ChildRelay, ChildRelay];
    const writers = [writer(ws(b), venue), writer(ws(c), venue)];
    clients.push(...writers.map((w) => w.provider));
    await Promise.all(writers.map((w) => synced(w.provider)));
    const stop = writeLoad(writers);
    await eventually(() => expect(writers.every((w) => w.saved > 20)).toBe(true));
    const health = async () => {
      const res = await fetch(`${b.url}/healthz`);
      return { status: res.status, ...((await res.json()) as object) };
    };
    expect(await health()).toMatchObject({ status: 200, ok: true, postgres: true, redis: true });
    await servers().postgres.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const savedWhileDown = writers.map((w) => w.saved);
    const writtenWhileDown = writers.map((w) => w.written);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(writers.map((w) => w.saved)).toEqual(savedWhileDown);
    writers.forEach((w, i) => expect(w.written).toBeGreaterThan(writtenWhileDown[i]!));
    // the node says it cannot save (RP21): a monitor or a proxy's health check sees the outage
    await eventually(
      async () => expect(await health()).toMatchObject({ status: 503, ok: false, postgres: false }),
      { timeoutMs: 5_000, intervalMs: 250 },
    );
    await servers().postgres.start();
    stop();
    await eventually(() => expect(writers.every((w) => w.saved === w.written)).toBe(true), {
      timeoutMs: 20_000,
    });
    // and node B's open room holds node C's writes within about a second (RP48)
    await eventually(
      async () => {
        const stored = await roomState(b, venue.venueId, venue.adminToken);
        for (const w of writers) expect(storedOf(stored, w)).toBe(w.written);
      },
      { timeoutMs: 3_000, intervalMs: 50 },
    );
    await eventually(async () => expect(await health()).toMatchObject({ status: 200, ok: true }), {
      timeoutMs: 5_000,
      intervalMs: 250,
    });
    for (const w of writers) w.provider.destroy();
  });
});
