import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { eventually } from '@djamms/test-harness';
import { Metrics } from '../ops/metrics';
import { RateLimiter } from '../auth/rate-limit';
import { Room } from './Room';
import type { RoomPeer } from './room-peer';
import { silentLogger } from '../ops/logger';
import { MemoryRoomStorage } from '../storage/MemoryRoomStorage';
import { SyncConnection } from './SyncConnection';
import type { RoomAdmission } from '../auth/AccessGate';

/** A socket whose buffer only drains when the test says so. */
class FakeSocket {
  readonly OPEN = 1;
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: Uint8Array[] = [];

  send(message: Uint8Array): void {
    this.sent.push(message);
    this.bufferedAmount += message.byteLength;
  }

  close(): void {
    this.readyState = this.CLOSED;
  }
}

const otherPeer: RoomPeer = {
  id: -1,
  deviceId: 'other',
  wantsAcks: false,
  send: () => undefined,
  close: () => undefined,
};

function updateWith(text: string, base?: Y.Doc): { doc: Y.Doc; update: Uint8Array } {
  const doc = base ?? new Y.Doc();
  const before = Y.encodeStateVector(doc);
  doc.getText('t').insert(0, text);
  return { doc, update: Y.encodeStateAsUpdate(doc, before) };
}

/** Applies every sync step 2 / update the socket was sent to a fresh document. */
function replay(sent: readonly Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const message of sent) {
    const decoder = decoding.createDecoder(message);
    if (decoding.readVarUint(decoder) !== 0) continue;
    const kind = decoding.readVarUint(decoder);
    if (kind === 1 || kind === 2) Y.applyUpdate(doc, decoding.readVarUint8Array(decoder));
  }
  return doc;
}

describe('SyncConnection backpressure', () => {
  it('RP16 a sync answer held back by backpressure is resent from the client state vector', async () => {
    const metrics = new Metrics();
    const room = new Room(
      'vroom',
      'venue',
      { updates: [], bytes: 0, repairedTail: false },
      {
        storage: new MemoryRoomStorage(),
        metrics,
        logger: silentLogger,
        compaction: null,
        bus: null,
        onBroken: () => undefined,
      },
    );
    const writer = updateWith('before-you-joined;');
    room.receive(writer.update, otherPeer);
    const socket = new FakeSocket();
    const admission = {
      ok: true,
      kind: 'venue',
      canWrite: true,
      claims: { sub: 'd1' },
    } as RoomAdmission;
    const conn = new SyncConnection(socket as unknown as WebSocket, admission, false, {
      metrics,
      messageLimiter: new RateLimiter({ perSecond: 1000, burst: 1000 }),
      overRateCloseMs: 10_000,
      now: Date.now,
      backpressure: { highBytes: 1000, lowBytes: 100 },
    });
    conn.attach(room);
    // a big update is relayed while the buffer is still low: sent, and now the buffer is high
    room.receive(updateWith('y'.repeat(5000), writer.doc).update, otherPeer);
    // the client's sync step 1 ("I have nothing") arrives: its answer is held back
    conn.receive(Buffer.from([0, 0, 1, 0]));
    expect((await metrics.heldBack.get()).values[0]?.value).toBe(1);
    socket.bufferedAmount = 0; // the client reads everything
    await eventually(async () => expect((await metrics.resyncs.get()).values[0]?.value).toBe(1));
    const client = replay(socket.sent);
    expect(client.getText('t').toString()).toBe(writer.doc.getText('t').toString());
    conn.detach();
  });
});
