import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { createRandom, eventually } from '@djamms/test-harness';
import { DEFAULT_LIMITS } from 'djamms-relay';
import {
  connect,
  createVenue,
  pairDevice,
  roomState,
  startTestRelay,
  synced,
  type TestRelay,
  metric,
} from './helpers';

const SEED = Number(process.env.RELAY_FUZZ_SEED ?? 20261122);

describe('seeded relay fuzzing', () => {
  let relay: TestRelay;

  beforeAll(async () => {
    relay = await startTestRelay({
      backpressure: { highBytes: 16 * 1024, lowBytes: 4 * 1024 },
      compaction: { maxFrames: 25, maxGrowth: 2 },
      // room for a client's whole offline history in one sync step 2 (a y-websocket protocol property)
      limits: {
        ...DEFAULT_LIMITS,
        maxMessageBytes: 64 * 1024 * 1024,
        messagesPerSecond: 100_000,
        messageBurst: 100_000,
      },
    });
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it(`RP3 RP4 RP12 RP16 RP5 random edits, disconnects and stalls converge; a viewer's edits never land (seed ${SEED}; replay: RELAY_FUZZ_SEED=${SEED} npx vitest run tests/relay/fuzz.test.ts)`, async () => {
    await run(SEED, true);
  });

  // Seeds that exposed a bug once (a step 2 answer dropped by backpressure was resynced from the
  // room's state vector, not the client's). Real sockets make them timing-dependent, so the
  // deterministic regression test is relay/src/sync/SyncConnection.test.ts; these stay as extra runs.
  for (const seed of [2, 7]) {
    it(`RP16 seed ${seed} (exposed the held-back answer bug once) converges`, async () => {
      await run(seed, false);
    });
  }

  /** `withViewer`: the sixth client is a viewer (regression seeds keep their original six writers). */
  async function run(seed: number, withViewer: boolean): Promise<void> {
    const venue = await createVenue(relay);
    const viewerToken = (await pairDevice(relay, venue, 'viewer')).token;
    const random = createRandom(seed);
    const sockets = new Map<WebsocketProvider, WebSocket[]>();
    const clients = Array.from({ length: 6 }, (_, i) => {
      const opened: WebSocket[] = [];
      class Tracked extends WebSocket {
        constructor(address: string | URL, protocols?: string | string[]) {
          super(address, protocols);
          opened.push(this);
        }
      }
      const token = withViewer && i === 5 ? viewerToken : venue.adminToken;
      const provider = connect(relay.wsUrl, venue.venueId, token, new Y.Doc(), {
        socketClass: Tracked as typeof WebSocket,
      });
      sockets.set(provider, opened);
      return provider;
    });
    await Promise.all(clients.map((c) => synced(c)));
    for (let step = 0; step < 400; step++) {
      const client = random.pick(clients);
      const roll = random.next();
      if (roll < 0.7) {
        const text = client.doc.getText('t');
        if (random.chance(0.25) && text.length > 0)
          text.delete(random.int(text.length), 1 + random.int(3));
        else
          text.insert(
            random.int(text.length + 1),
            'x'.repeat(random.chance(0.03) ? 300_000 : 1 + random.int(20)),
          );
      } else if (roll < 0.8) {
        client.doc.getMap('m').set(`k${random.int(10)}`, step);
      } else if (roll < 0.88) {
        if (client.shouldConnect) client.disconnect();
        else client.connect();
      } else if (roll < 0.95) {
        const ws = sockets.get(client)?.at(-1);
        if (ws?.readyState === WebSocket.OPEN) ws.pause();
      } else {
        resumeAll(sockets.get(client));
      }
      if (step % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    for (const client of clients) {
      resumeAll(sockets.get(client));
      if (!client.shouldConnect) client.connect();
    }
    const writers = withViewer ? clients.slice(0, 5) : clients;
    const viewer = clients[5] as WebsocketProvider;
    const expected = () => {
      const all = new Y.Doc();
      for (const c of writers) Y.applyUpdate(all, Y.encodeStateAsUpdate(c.doc));
      return all;
    };
    await eventually(
      async () => {
        const want = expected();
        const text = want.getText('t').toString();
        for (const c of writers) {
          expect(c.doc.getText('t').length).toBe(text.length);
          expect(c.doc.getText('t').toString() === text).toBe(true);
          expect(c.doc.getMap('m').toJSON()).toEqual(want.getMap('m').toJSON());
        }
        const stored = await roomState(relay, venue.venueId, venue.adminToken);
        expect(stored.getText('t').toString() === text).toBe(true);
        const storedVector = Y.decodeStateVector(Y.encodeStateVector(stored));
        expect(storedVector.has(viewer.doc.clientID)).toBe(
          !withViewer && storedVector.has(viewer.doc.clientID),
        );
        const viewerVector = Y.decodeStateVector(Y.encodeStateVector(viewer.doc));
        for (const [client, clock] of storedVector) expect(viewerVector.get(client)).toBe(clock);
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    clients.forEach((c) => c.destroy());
    expect(await metric(relay, 'djamms_compactions_total')).toBeGreaterThan(0);
  }
});

function resumeAll(sockets: WebSocket[] | undefined): void {
  for (const ws of sockets ?? []) if (ws.readyState === WebSocket.OPEN && ws.isPaused) ws.resume();
}
