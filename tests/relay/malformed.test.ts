import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { eventually } from '@djamms/test-harness';
import { CloseCode, type CreateVenueResponse } from '@djamms/protocol';
import { DEFAULT_LIMITS } from 'djamms-relay';
import { DiskRoomStorage } from '../../relay/src/storage/DiskRoomStorage';
import { jsonUpdate, nestedBrackets } from '../../relay/src/sync/update-fixtures';
import {
  connect,
  createVenue,
  rawClose,
  rawSocket,
  roomState,
  startTestRelay,
  synced,
  type TestRelay,
} from './helpers';

function syncMessage(kind: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, kind);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

function realUpdate(): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('m').set('k', 'a value long enough to truncate');
  return Y.encodeStateAsUpdate(doc);
}

describe('malformed input on the sync socket', () => {
  let relay: TestRelay;
  let venue: CreateVenueResponse;
  let before: Uint8Array;

  beforeAll(async () => {
    relay = await startTestRelay({
      limits: {
        ...DEFAULT_LIMITS,
        maxMessageBytes: 64 * 1024,
        maxMediaBytes: 1024 * 1024,
        messagesPerSecond: 1000,
        messageBurst: 1000,
        httpPerSecond: 1000,
        httpBurst: 1000,
      },
    });
    venue = await createVenue(relay);
    const seed = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await synced(seed);
    seed.doc.getText('t').insert(0, 'kept');
    await eventually(async () => {
      expect(
        (await roomState(relay, venue.venueId, venue.adminToken)).getText('t').toString(),
      ).toBe('kept');
    });
    seed.destroy();
    before = Y.encodeStateAsUpdate(await roomState(relay, venue.venueId, venue.adminToken));
  });
  afterAll(async () => {
    await relay.dispose();
  });

  const url = () => `${relay.wsUrl}/${venue.venueId}?token=${venue.adminToken}`;

  const expectClosedWith = async (message: Uint8Array | string, code: number) => {
    const ws = await rawSocket(url());
    const closed = rawClose(ws);
    ws.send(message);
    expect((await closed).code).toBe(code);
  };

  const expectStoredUnchanged = async () => {
    const after = Y.encodeStateAsUpdate(await roomState(relay, venue.venueId, venue.adminToken));
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(true);
  };

  it('RP10 an unknown message type closes with 4400', async () => {
    await expectClosedWith(new Uint8Array([42, 1, 2]), CloseCode.badRequest);
    await expectStoredUnchanged();
  });

  it('RP10 a text frame closes with 4400', async () => {
    await expectClosedWith('hello', CloseCode.badRequest);
  });

  it('RP10 a truncated sync frame closes with 4400', async () => {
    await expectClosedWith(new Uint8Array([0, 2, 50, 1, 2]), CloseCode.badRequest);
    await expectStoredUnchanged();
  });

  it('RP10 a truncated Yjs update closes with 4400 and never reaches the log', async () => {
    const update = realUpdate();
    await expectClosedWith(
      syncMessage(2, update.subarray(0, update.length - 5)),
      CloseCode.badRequest,
    );
    await expectStoredUnchanged();
  });

  it('RP10 a garbage Yjs update closes with 4400', async () => {
    const garbage = new Uint8Array(200).map((_, i) => (i * 37 + 11) % 256);
    await expectClosedWith(syncMessage(2, garbage), CloseCode.badRequest);
    await expectClosedWith(syncMessage(1, garbage), CloseCode.badRequest);
    await expectStoredUnchanged();
  });

  it('RP10 a valid update followed by trailing garbage closes with 4400', async () => {
    const update = realUpdate();
    const padded = new Uint8Array(update.length + 3);
    padded.set(update);
    padded.set([7, 7, 7], update.length);
    await expectClosedWith(syncMessage(2, padded), CloseCode.badRequest);
    await expectStoredUnchanged();
  });

  it('RP10 a value nested 5,000 deep closes with 4400 and never reaches the log', async () => {
    // 10 KB that Yjs reads but cannot write back: stored, it kept the room from ever loading again
    await expectClosedWith(syncMessage(2, jsonUpdate(nestedBrackets(5000))), CloseCode.badRequest);
    await expectStoredUnchanged();
  });

  it('RP10 a presence query followed by trailing bytes closes with 4400', async () => {
    await expectClosedWith(new Uint8Array([3, 9]), CloseCode.badRequest);
  });

  it('RP10 after a malformed message nothing more from that socket is accepted', async () => {
    const ws = await rawSocket(url());
    const closed = rawClose(ws);
    ws.send(new Uint8Array([42]));
    ws.send(syncMessage(2, realUpdate()));
    expect((await closed).code).toBe(CloseCode.badRequest);
    await expectStoredUnchanged();
  });

  it('RP10 a presence state a client would refuse (bad UTF-8, a BOM before its JSON, bad JSON) closes with 4400', async () => {
    const presence = (state: Uint8Array) => {
      const update = encoding.createEncoder();
      encoding.writeVarUint(update, 1); // one entry
      encoding.writeVarUint(update, 4242); // client id
      encoding.writeVarUint(update, 1); // clock
      encoding.writeVarUint8Array(update, state);
      const message = encoding.createEncoder();
      encoding.writeVarUint(message, 1); // awareness
      encoding.writeVarUint8Array(message, encoding.toUint8Array(update));
      return encoding.toUint8Array(message);
    };
    const json = Buffer.from('{"user":"ok"}');
    for (const state of [
      Buffer.concat([json.subarray(0, 5), Buffer.from([0xc3, 0x28]), json.subarray(5)]),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]),
      Buffer.from('{"user":'),
    ]) {
      await expectClosedWith(presence(state), CloseCode.badRequest);
    }
  });

  it('RP10 a garbage state vector closes with 4400', async () => {
    await expectClosedWith(syncMessage(0, new Uint8Array([5, 200, 200])), CloseCode.badRequest);
  });

  it('RP14 an oversized message closes with 1009, and the relay keeps serving others', async () => {
    const bystander = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await synced(bystander);
    await expectClosedWith(syncMessage(2, new Uint8Array(70 * 1024)), CloseCode.tooBig);
    await expectStoredUnchanged();
    const fresh = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await synced(fresh);
    bystander.doc.getMap('after').set('still', 'serving');
    await eventually(() => expect(fresh.doc.getMap('after').get('still')).toBe('serving'));
    bystander.destroy();
    fresh.destroy();
  });
});

describe('a room whose stored log holds an update Yjs cannot merge', () => {
  it('RP10 loads everything else, logs what it left out, and keeps taking writes', async () => {
    const relay = await startTestRelay();
    const logged: string[] = [];
    try {
      const venue = await createVenue(relay);
      const seed = connect(relay.wsUrl, venue.venueId, venue.adminToken);
      await synced(seed);
      seed.doc.getMap('venue').set('name', 'kept');
      await eventually(async () => {
        const state = await roomState(relay, venue.venueId, venue.adminToken);
        expect(state.getMap('venue').get('name')).toBe('kept');
      });
      seed.destroy();
      await relay.close();
      // as a relay before RP10 refused values this deep stored one
      const storage = new DiskRoomStorage(relay.dataDir);
      await storage.append(venue.venueId, [jsonUpdate(nestedBrackets(5000))]);
      await storage.close();
      const again = await startTestRelay({
        dataDir: relay.dataDir,
        logger: { log: (_, event, fields) => logged.push(`${event} ${fields?.room}`) },
      });
      try {
        const reader = connect(again.wsUrl, venue.venueId, venue.adminToken);
        await synced(reader);
        expect(reader.doc.getMap('venue').get('name')).toBe('kept');
        reader.doc.getMap('venue').set('after', 'written');
        await eventually(async () => {
          const state = await roomState(again, venue.venueId, venue.adminToken);
          expect(state.getMap('venue').get('after')).toBe('written');
        });
        reader.destroy();
        expect(logged).toContain(`room-update-unreadable ${venue.venueId}`);
      } finally {
        await again.close();
      }
    } finally {
      await rm(relay.dataDir, { recursive: true, force: true });
    }
  });
});
