import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@djamms/test-harness';
import { CloseCode, type CreateVenueResponse } from '@djamms/protocol';
import { DEFAULT_LIMITS } from 'djamms-relay';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import {
  api,
  connect,
  createVenue,
  metric,
  pairDevice,
  rawClose,
  rawSocket,
  startTestRelay,
  synced,
  type TestRelay,
} from './helpers';

/** A y-websocket sync `update` message. */
function syncUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

describe('per-token limits and liveness', () => {
  let relay: TestRelay;
  let venue: CreateVenueResponse;

  beforeAll(async () => {
    relay = await startTestRelay({
      limits: {
        ...DEFAULT_LIMITS,
        messagesPerSecond: 5,
        messageBurst: 10,
        overRateCloseMs: 2_500,
        httpPerSecond: 1,
        httpBurst: 10,
      },
      pingIntervalMs: 150,
    });
    venue = await createVenue(relay);
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('T9 RP14 a socket over its message rate is slowed, not closed: every message arrives', async () => {
    const player = await pairDevice(relay, venue, 'player');
    const noisy = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${venue.adminToken}`);
    const reader = connect(relay.wsUrl, venue.venueId, player.token);
    await synced(reader);
    let closedCode = 0;
    noisy.on('close', (code) => (closedCode = code));
    const doc = new Y.Doc();
    doc.on('update', (update: Uint8Array) => noisy.send(syncUpdate(update)));
    const limitedBefore = await metric(relay, 'djamms_rate_limited_total');
    // burst 10, then 5/s: sent every 20 ms, the last ones wait while the relay stops reading
    for (let i = 0; i < 18; i++) {
      doc.getMap('m').set(`k${i}`, i);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await eventually(() => expect(reader.doc.getMap('m').size).toBe(18), { timeoutMs: 5_000 });
    expect(await metric(relay, 'djamms_rate_limited_total')).toBeGreaterThan(limitedBefore);
    expect(closedCode).toBe(0);
    noisy.close();
    reader.destroy();
  });

  it('T9 RP14 a socket that stays over its message rate is closed with 1013 (retry later); other tokens are unaffected', async () => {
    const player = await pairDevice(relay, venue, 'player');
    const noisy = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${venue.adminToken}`);
    const calm = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${player.token}`);
    const closed = rawClose(noisy);
    const flood = setInterval(() => noisy.send(new Uint8Array([3])), 20);
    expect((await closed).code).toBe(CloseCode.retryLater);
    clearInterval(flood);
    const answers: Buffer[] = [];
    calm.on('message', (data: Buffer) => answers.push(data));
    calm.send(new Uint8Array([0, 0, 1, 0]));
    await eventually(() => expect(answers.some((a) => a[0] === 0 && a[1] === 1)).toBe(true));
    calm.close();
  });

  it('T9 RP14 a burst far over the rate is held to it, and closed with 1013 while it still waits', async () => {
    const player = await pairDevice(relay, venue, 'player');
    const noisy = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${venue.adminToken}`);
    const reader = connect(relay.wsUrl, venue.venueId, player.token);
    await synced(reader);
    const closed = rawClose(noisy);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(syncUpdate(update)));
    for (let i = 0; i < 200; i++) doc.getMap('flood').set(`k${i}`, i);
    const sentAt = Date.now();
    // sent at once, they reach the relay in a chunk or two: far more than the burst of 10
    for (const u of updates) noisy.send(u);
    expect((await closed).code).toBe(CloseCode.retryLater);
    const seconds = (Date.now() - sentAt) / 1000;
    // the burst, then 5 a second until the close (give or take one second's worth)
    expect(reader.doc.getMap('flood').size).toBeLessThanOrEqual(10 + 5 * (seconds + 1));
    expect(reader.doc.getMap('flood').size).toBeGreaterThan(0);
    reader.destroy();
  });

  it('RP14 a token over its HTTP rate gets 429 rate-limited with Retry-After', async () => {
    const viewer = await pairDevice(relay, venue, 'viewer');
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      statuses.push(
        (await api(relay.url, 'GET', `/api/venues/${venue.venueId}`, { token: viewer.token }))
          .status,
      );
    }
    expect(statuses).toContain(429);
    const res = await fetch(`${relay.url}/api/venues/${venue.venueId}`, {
      headers: { authorization: `Bearer ${viewer.token}` },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ error: 'rate-limited' });
  });

  it('RP16 a stalled socket (no pong, nothing draining) is dropped; a live one is kept', async () => {
    const kiosk = await pairDevice(relay, venue, 'kiosk');
    const live = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${kiosk.token}`);
    const stalled = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${kiosk.token}`);
    await eventually(async () => expect(await metric(relay, 'djamms_connections')).toBe(2));
    stalled.pause();
    await eventually(async () => expect(await metric(relay, 'djamms_connections')).toBe(1), {
      timeoutMs: 3000,
    });
    const answers: Buffer[] = [];
    live.on('message', (data: Buffer) => answers.push(data));
    live.send(new Uint8Array([0, 0, 1, 0]));
    await eventually(() => expect(answers.length).toBeGreaterThan(0));
    expect(live.readyState).toBe(live.OPEN);
    live.close();
    stalled.terminate();
  });

  it('RP16 pings go out a slice of the sockets at a time, each socket once per interval', async () => {
    const kiosk = await pairDevice(relay, venue, 'kiosk');
    const sockets = await Promise.all(
      Array.from({ length: 32 }, () =>
        rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${kiosk.token}`),
      ),
    );
    const pings = sockets.map(() => [] as number[]);
    sockets.forEach((ws, i) => ws.on('ping', () => pings[i]!.push(performance.now())));
    await new Promise((resolve) => setTimeout(resolve, 3 * 150 + 50));
    sockets.forEach((ws) => ws.close());
    // every socket is pinged each interval (150 ms here)…
    for (const times of pings) expect(times.length).toBeGreaterThanOrEqual(2);
    // …but not all in one turn: one interval's pings are spread over most of it
    const firsts = pings.map((times) => times[0]!);
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(150 / 2);
  });
});

describe('a socket flooding at a high message rate', () => {
  it('RP14 is closed with 1013 once over its rate for the close time, and let go of at once', async () => {
    // the client's answer to the close comes behind everything it sent: waiting for it, the relay
    // read a flood for 30 s more (the client heard no close meanwhile, others were slowed)
    const relay = await startTestRelay({
      limits: {
        ...DEFAULT_LIMITS,
        messagesPerSecond: 200,
        messageBurst: 200,
        overRateCloseMs: 1_500,
      },
    });
    try {
      const venue = await createVenue(relay);
      const noisy = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${venue.adminToken}`);
      const closed = rawClose(noisy);
      const doc = new Y.Doc();
      doc.on('update', (update: Uint8Array) => {
        if (noisy.readyState === noisy.OPEN) noisy.send(syncUpdate(update));
      });
      const startedAt = Date.now();
      let i = 0;
      while (noisy.readyState === noisy.OPEN && Date.now() - startedAt < 8_000) {
        for (let k = 0; k < 50; k++) doc.getMap('flood').set(`k${i++ % 40}`, i);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect((await closed).code).toBe(CloseCode.retryLater);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      // the relay is not reading a flood any more: a new socket is answered at once
      const calm = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${venue.adminToken}`);
      const answers: Buffer[] = [];
      calm.on('message', (data: Buffer) => answers.push(data));
      calm.send(new Uint8Array([0, 0, 1, 0]));
      await eventually(() => expect(answers.some((a) => a[0] === 0 && a[1] === 1)).toBe(true));
      calm.close();
    } finally {
      await relay.dispose();
    }
  });
});
