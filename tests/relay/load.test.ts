import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { eventually } from '@djamms/test-harness';
import type { CreateVenueResponse } from '@djamms/protocol';
import { DEFAULT_LIMITS } from 'djamms-relay';
import {
  api,
  awarenessFor,
  connect,
  createVenue,
  pairDevice,
  rawSocket,
  startTestRelay,
  synced,
  type TestRelay,
  metric,
} from './helpers';

describe('load: slow consumers, many rooms, presence', () => {
  let relay: TestRelay;
  let venue: CreateVenueResponse;

  beforeAll(async () => {
    relay = await startTestRelay({
      backpressure: { highBytes: 256 * 1024, lowBytes: 32 * 1024 },
      limits: {
        ...DEFAULT_LIMITS,
        maxMessageBytes: 8 * 1024 * 1024,
        maxMediaBytes: 1024,
        messagesPerSecond: 100_000,
        messageBurst: 100_000,
        httpPerSecond: 100_000,
        httpBurst: 100_000,
      },
    });
    venue = await createVenue(relay);
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('RP16 a slow consumer is marked for resync instead of buffering without bound, and loses nothing', async () => {
    const sockets: WebSocket[] = [];
    class PausedSocket extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols);
        sockets.push(this);
      }
    }
    const slow = connect(relay.wsUrl, venue.venueId, venue.adminToken, new Y.Doc(), {
      socketClass: PausedSocket as typeof WebSocket,
    });
    const writer = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await Promise.all([synced(slow), synced(writer)]);
    sockets.forEach((s) => s.pause());
    const chunk = 'z'.repeat(64 * 1024);
    const total = 200;
    for (let i = 0; i < total; i++) writer.doc.getArray('big').push([`${i}:${chunk}`]);
    await eventually(
      async () =>
        expect(await metric(relay, 'djamms_updates_stored_total')).toBeGreaterThanOrEqual(total),
      {
        timeoutMs: 15_000,
      },
    );
    sockets.forEach((s) => s.resume());
    await eventually(() => expect(slow.doc.getArray('big').length).toBe(total), {
      timeoutMs: 15_000,
    });
    expect(await metric(relay, 'djamms_resyncs_total')).toBeGreaterThanOrEqual(1);
    expect(await metric(relay, 'djamms_bytes_sent_total')).toBeLessThan(total * chunk.length * 2);
    slow.destroy();
    writer.destroy();
  });

  it('RP12 1,000 rooms open, sync and unload again', async () => {
    const venues: CreateVenueResponse[] = [];
    for (let i = 0; i < 500; i++) venues.push(await createVenue(relay, `Venue ${i}`));
    const rooms = venues.flatMap((v) => [
      { room: v.venueId, token: v.adminToken },
      { room: v.libraryId, token: v.adminToken },
    ]);
    const sockets = await Promise.all(
      rooms.map(
        ({ room, token }) =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`${relay.wsUrl}/${room}?token=${token}`);
            ws.once('message', () => resolve(ws));
            ws.once('error', reject);
          }),
      ),
    );
    expect(await metric(relay, 'djamms_rooms_open')).toBeGreaterThanOrEqual(1000);
    const health = await api<{ rooms: number }>(relay.url, 'GET', '/healthz');
    expect(health.body.rooms).toBeGreaterThanOrEqual(1000);
    sockets.forEach((ws) => ws.close());
    await eventually(async () => expect(await metric(relay, 'djamms_rooms_open')).toBe(0), {
      timeoutMs: 10_000,
    });
  });

  it('RP9 awareness is relayed, limited to the ids a device introduced, and cleared on close', async () => {
    const player = await pairDevice(relay, venue, 'player');
    const kiosk = await pairDevice(relay, venue, 'kiosk');
    const a = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    const b = connect(relay.wsUrl, venue.venueId, player.token);
    const c = connect(relay.wsUrl, venue.venueId, kiosk.token);
    await Promise.all([synced(a), synced(b), synced(c)]);
    a.awareness.setLocalStateField('user', 'alice');
    await eventually(() =>
      expect(c.awareness.getStates().get(a.doc.clientID)).toEqual({ user: 'alice' }),
    );
    // b (another device) pretends to be a: dropped
    b.ws?.send(awarenessFor(a.doc.clientID, 1000, { user: 'mallory' }));
    b.awareness.setLocalStateField('user', 'bob');
    await eventually(() =>
      expect(c.awareness.getStates().get(b.doc.clientID)).toEqual({ user: 'bob' }),
    );
    expect(c.awareness.getStates().get(a.doc.clientID)).toEqual({ user: 'alice' });
    // a new socket of a's own device (a reconnect the relay has not noticed yet) may take over
    const again = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${venue.adminToken}`);
    again.send(awarenessFor(a.doc.clientID, 2000, { user: 'alice-again' }));
    await eventually(() =>
      expect(c.awareness.getStates().get(a.doc.clientID)).toEqual({ user: 'alice-again' }),
    );
    // its close clears the id, and the live client a re-asserts its own state (y-protocols rule)
    again.close();
    await eventually(() => expect(c.awareness.getStates().has(a.doc.clientID)).toBe(true));
    a.destroy();
    await eventually(() => expect(c.awareness.getStates().has(a.doc.clientID)).toBe(false));
    b.destroy();
    await eventually(() => expect(c.awareness.getStates().has(b.doc.clientID)).toBe(false));
    c.destroy();
  });
});
