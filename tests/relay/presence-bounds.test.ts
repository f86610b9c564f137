import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import { eventually } from '@djamms/test-harness';
import type { CreateVenueResponse } from '@djamms/protocol';
import { DEFAULT_LIMITS } from 'djamms-relay';
import {
  awarenessFor,
  connect,
  createVenue,
  guestTokens,
  pairDevice,
  rawSocket,
  startTestRelay,
  synced,
  type TestRelay,
} from './helpers';

const KiB = 1024;

/** The states in an awareness message (`[1, varUint8Array(update)]`), by client id; none if another message. */
function statesIn(message: Uint8Array): Map<number, string> {
  const states = new Map<number, string>();
  const decoder = decoding.createDecoder(message);
  if (decoding.readVarUint(decoder) !== 1) return states;
  const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
  for (let n = decoding.readVarUint(update); n > 0; n--) {
    const client = decoding.readVarUint(update);
    decoding.readVarUint(update);
    const state = decoding.readVarString(update);
    if (state !== 'null') states.set(client, state);
  }
  return states;
}

/**
 * Resolves once the relay has handled everything `ws` sent before: a sync step 1 is answered in
 * order. (A stock client's socket delivers ArrayBuffers.)
 */
async function handled(ws: WebSocket): Promise<void> {
  const answered = new Promise<void>((resolve) => {
    const onMessage = (data: Buffer | ArrayBuffer) => {
      const bytes = new Uint8Array(data);
      if (bytes[0] !== 0 || bytes[1] !== 1) return;
      ws.off('message', onMessage);
      resolve();
    };
    ws.on('message', onMessage);
  });
  ws.send(new Uint8Array([0, 0, 1, 0]));
  await answered;
}

/**
 * Opens a socket that hears from its first message on (a listener added after `open` can miss the
 * relay's first messages, which may arrive in the same packet as the handshake).
 */
async function listening(url: string, onMessage: (data: Buffer) => void): Promise<WebSocket> {
  const ws = new WebSocket(url);
  ws.on('message', onMessage);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/** The room's presence as a new socket sees it when it joins (one message with every state). */
async function presence(
  relay: TestRelay,
  venue: CreateVenueResponse,
): Promise<Map<number, string>> {
  let ws: WebSocket | null = null;
  const states = await new Promise<Map<number, string>>((resolve) => {
    void listening(`${relay.wsUrl}/${venue.venueId}?token=${venue.adminToken}`, (data) => {
      if (data[0] === 1) resolve(statesIn(data));
    }).then((opened) => (ws = opened));
  });
  (ws as WebSocket | null)?.close();
  return states;
}

describe('presence from public and staff sockets', () => {
  let relay: TestRelay;
  let venue: CreateVenueResponse;

  beforeAll(async () => {
    relay = await startTestRelay({
      limits: { ...DEFAULT_LIMITS, maxMessageBytes: 4 * 1024 * KiB },
    });
    venue = await createVenue(relay);
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('T24 RP31 guests and viewers publish no presence; they still see the staff', async () => {
    const [guest] = await guestTokens(relay, venue, 1);
    const viewer = await pairDevice(relay, venue, 'viewer');
    const staff = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await synced(staff);
    staff.awareness.setLocalStateField('user', 'staff');
    const seenByGuest = new Map<number, string>();
    const guestWs = await listening(`${relay.wsUrl}/${venue.venueId}?token=${guest}`, (data) =>
      statesIn(data).forEach((v, k) => seenByGuest.set(k, v)),
    );
    const viewerWs = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${viewer.token}`);
    await eventually(() => expect(seenByGuest.get(staff.doc.clientID)).toBe('{"user":"staff"}'));
    let heardByStaff = 0;
    (staff.ws as unknown as WebSocket).on('message', (data: ArrayBuffer) => {
      heardByStaff += [...statesIn(new Uint8Array(data)).keys()].filter(
        (id) => id >= 1000 && id < 3000,
      ).length;
    });
    for (let i = 0; i < 60; i++) {
      guestWs.send(awarenessFor(1000 + i, 1, { user: 'g'.repeat(100 * KiB) }));
      viewerWs.send(awarenessFor(2000 + i, 1, { user: 'v' }));
    }
    await Promise.all([handled(guestWs), handled(viewerWs)]);
    expect([...(await presence(relay, venue)).keys()]).toEqual([staff.doc.clientID]);
    await handled(staff.ws as unknown as WebSocket); // anything relayed to the staff came before
    expect(heardByStaff).toBe(0);
    expect(guestWs.readyState).toBe(guestWs.OPEN);
    guestWs.close();
    viewerWs.close();
    staff.destroy();
  });

  it('T24 RP31 a socket holds at most 8 client ids and 16 KiB a state; a room 1 MiB in all', async () => {
    const kiosk = await pairDevice(relay, venue, 'kiosk');
    const ws = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${kiosk.token}`);
    for (let i = 0; i < 12; i++) ws.send(awarenessFor(5000 + i, 1, { user: 'k' }));
    ws.send(awarenessFor(5000, 2, { user: 'x'.repeat(17 * KiB) })); // too large: the old state stays
    await handled(ws);
    const kept = await presence(relay, venue);
    expect([...kept.keys()].filter((id) => id >= 5000 && id < 6000).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => 5000 + i),
    );
    expect(kept.get(5000)).toBe('{"user":"k"}');
    // many sockets of staff devices with large states: the room stops at 1 MiB
    const sockets: WebSocket[] = [];
    for (let s = 0; s < 10; s++) {
      const other = await rawSocket(`${relay.wsUrl}/${venue.venueId}?token=${venue.adminToken}`);
      sockets.push(other);
      for (let i = 0; i < 8; i++) {
        other.send(awarenessFor(6000 + s * 8 + i, 1, { user: 'y'.repeat(15 * KiB) }));
      }
      await handled(other);
    }
    const large = [...(await presence(relay, venue)).keys()].filter(
      (id) => id >= 6000 && id < 7000,
    );
    expect(large.length).toBeGreaterThan(60);
    expect(large.length).toBeLessThan(70);
    expect(large).toContain(6000);
    // a socket that leaves frees its share: later states fit again
    sockets[0]?.close();
    await eventually(async () =>
      expect([...(await presence(relay, venue)).keys()]).not.toContain(6000),
    );
    const late = sockets[9] as WebSocket;
    late.send(awarenessFor(6079, 2, { user: 'z' }));
    await handled(late);
    expect((await presence(relay, venue)).get(6079)).toBe('{"user":"z"}');
    sockets.forEach((socket) => socket.close());
    ws.close();
  });
});
