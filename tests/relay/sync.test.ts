import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { eventually } from '@djamms/test-harness';
import type { CreateVenueResponse } from '@djamms/protocol';
import {
  connect,
  countingSocketClass,
  createVenue,
  roomState,
  startTestRelay,
  synced,
  type ByteCounter,
  type TestRelay,
  metric,
} from './helpers';

describe('sync with stock y-websocket clients', () => {
  let relay: TestRelay;
  let venue: CreateVenueResponse;

  beforeAll(async () => {
    relay = await startTestRelay();
    venue = await createVenue(relay);
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('RP1 RP2 two clients sync through the relay, both ways', async () => {
    const a = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    const b = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await Promise.all([synced(a), synced(b)]);
    a.doc.getMap('m').set('from-a', 1);
    b.doc.getArray('q').push(['from-b']);
    await eventually(() => {
      expect(b.doc.getMap('m').get('from-a')).toBe(1);
      expect(a.doc.getArray('q').toArray()).toEqual(['from-b']);
    });
    a.destroy();
    b.destroy();
  });

  it('RP2 the library room syncs with the same venue token', async () => {
    const a = connect(relay.wsUrl, venue.libraryId, venue.adminToken);
    await synced(a);
    a.doc.getMap('tracks').set('t1', 'Song');
    const b = connect(relay.wsUrl, venue.libraryId, venue.adminToken);
    await synced(b);
    await eventually(() => expect(b.doc.getMap('tracks').get('t1')).toBe('Song'));
    a.destroy();
    b.destroy();
  });

  it('RP3 a reconnecting client receives only the diff it lacks (bytes measured)', async () => {
    const writer = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await synced(writer);
    const text = writer.doc.getText('big');
    text.insert(0, 'x'.repeat(200_000));
    const reader = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await synced(reader);
    await eventually(() => expect(reader.doc.getText('big').length).toBe(200_000));
    reader.disconnect();
    text.insert(0, 'small change');
    const counter: ByteCounter = { received: 0, sent: 0 };
    const again = connect(relay.wsUrl, venue.venueId, venue.adminToken, reader.doc, {
      socketClass: countingSocketClass(counter),
    });
    await synced(again);
    await eventually(() =>
      expect(again.doc.getText('big').toString().startsWith('small change')).toBe(true),
    );
    expect(counter.received).toBeLessThan(2_000);
    writer.destroy();
    reader.destroy();
    again.destroy();
  });

  it('RP3 a large answer arrives in pieces of about 1 MiB; synced means the client has it all', async () => {
    const writer = connect(relay.wsUrl, venue.libraryId, venue.adminToken);
    await synced(writer);
    const tracks = writer.doc.getMap<string>('tracks');
    const stored = await metric(relay, 'djamms_updates_stored_total');
    for (let i = 0; i < 40; i++) tracks.set(`track-${i}`, 't'.repeat(100_000));
    await eventually(async () =>
      expect(await metric(relay, 'djamms_updates_stored_total')).toBeGreaterThanOrEqual(
        stored + 40,
      ),
    );
    const sizes: number[] = [];
    class Recording extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols);
        this.on('message', (data: Buffer) => sizes.push(data.byteLength));
      }
    }
    const reader = connect(relay.wsUrl, venue.libraryId, venue.adminToken, new Y.Doc(), {
      socketClass: Recording as typeof WebSocket,
    });
    await synced(reader);
    for (let i = 0; i < 40; i++) expect(reader.doc.getMap('tracks').has(`track-${i}`)).toBe(true);
    const large = sizes.filter((n) => n > 100_000);
    expect(large.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...large)).toBeLessThan(1.2 * 1024 * 1024);
    writer.destroy();
    reader.destroy();
  });

  it('RP4 an update is never echoed back to the socket it came from', async () => {
    const counter: ByteCounter = { received: 0, sent: 0 };
    const a = connect(relay.wsUrl, venue.venueId, venue.adminToken, new Y.Doc(), {
      socketClass: countingSocketClass(counter),
    });
    const b = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await Promise.all([synced(a), synced(b)]);
    a.awareness.setLocalState(null);
    const before = counter.received;
    a.doc.getText('echo').insert(0, 'y'.repeat(50_000));
    await eventually(() => expect(b.doc.getText('echo').length).toBe(50_000));
    const state = await roomState(relay, venue.venueId, venue.adminToken);
    expect(state.getText('echo').length).toBe(50_000);
    expect(counter.received - before).toBeLessThan(1_000);
    a.destroy();
    b.destroy();
  });

  it('RP8 a client with ack=1 is told when its updates are durable; the state vector covers them', async () => {
    const a = connect(relay.wsUrl, venue.venueId, venue.adminToken, new Y.Doc(), { ack: true });
    const saved: { seq: number; mine: number; sv: Map<number, number> }[] = [];
    a.messageHandlers[100] = (_encoder, decoder) => {
      const seq = decoding.readVarUint(decoder);
      const mine = decoding.readVarUint(decoder);
      saved.push({ seq, mine, sv: Y.decodeStateVector(decoding.readVarUint8Array(decoder)) });
    };
    await synced(a);
    a.doc.getMap('m').set('acked', true);
    await eventually(() => {
      const last = saved.at(-1);
      expect(last?.mine).toBeGreaterThanOrEqual(1);
      expect(last?.sv.get(a.doc.clientID)).toBe(
        Y.decodeStateVector(Y.encodeStateVector(a.doc)).get(a.doc.clientID),
      );
    });
    a.destroy();
  });
});
