import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { eventually } from '@djamms/test-harness';
import { CloseCode } from '@djamms/protocol';
import { MemoryRoomStorage, type RoomStorage, type StoredRoom } from 'djamms-relay';
import {
  closeCode,
  connect,
  createVenue,
  rawSocket,
  startTestRelay,
  synced,
  type TestRelay,
  metric,
} from './helpers';

/** Memory storage whose loads wait for a gate, fail on demand, and are counted. */
class GatedStorage extends MemoryRoomStorage implements RoomStorage {
  loads = 0;
  writes = 0;
  failLoads = false;
  #open: () => void = () => undefined;
  #gate = new Promise<void>((resolve) => (this.#open = resolve));

  openGate(): void {
    this.#open();
  }

  override async load(room: string): Promise<StoredRoom> {
    this.loads++;
    await this.#gate;
    if (this.failLoads) throw new Error('disk on fire');
    return super.load(room);
  }

  override async append(room: string, updates: readonly Uint8Array[]): Promise<void> {
    this.writes++;
    return super.append(room, updates);
  }

  override async replace(room: string, merged: Uint8Array): Promise<void> {
    this.writes++;
    return super.replace(room, merged);
  }
}

describe('room loading', () => {
  let relay: TestRelay | null = null;
  afterEach(async () => {
    await relay?.dispose();
    relay = null;
  });

  it('RP12 one load however many sockets arrive together, and no answer before it finished', async () => {
    const storage = new GatedStorage();
    relay = await startTestRelay({ stores: { rooms: storage } });
    const venue = await createVenue(relay);
    const sockets = await Promise.all(
      Array.from({ length: 5 }, () =>
        rawSocket(`${relay!.wsUrl}/${venue.venueId}?token=${venue.adminToken}`),
      ),
    );
    const received: number[] = [];
    sockets.forEach((ws, i) => ws.on('message', () => received.push(i)));
    sockets[0]!.send(new Uint8Array([0, 0, 1, 0]));
    await eventually(() => expect(storage.loads).toBe(1));
    expect(received).toEqual([]);
    storage.openGate();
    await eventually(() => expect(new Set(received).size).toBe(5));
    expect(storage.loads).toBe(1);
    sockets.forEach((ws) => ws.close());
  });

  it('RP12 a failed load closes its sockets with 1011 and writes nothing', async () => {
    const storage = new GatedStorage();
    storage.failLoads = true;
    storage.openGate();
    relay = await startTestRelay({ stores: { rooms: storage } });
    const venue = await createVenue(relay);
    const doc = new Y.Doc();
    doc.getMap('m').set('would-overwrite', true);
    const provider = connect(relay.wsUrl, venue.venueId, venue.adminToken, doc);
    expect(await closeCode(provider)).toBe(CloseCode.internal);
    provider.destroy();
    expect(storage.writes).toBe(0);
  });

  it('RP12 a room unloads once its last socket left, and loads again for the next', async () => {
    const storage = new GatedStorage();
    storage.openGate();
    relay = await startTestRelay({ stores: { rooms: storage } });
    const venue = await createVenue(relay);
    const a = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await synced(a);
    a.doc.getMap('m').set('k', 'v');
    await eventually(async () =>
      expect(await metric(relay!, 'djamms_updates_stored_total')).toBe(1),
    );
    a.destroy();
    await eventually(async () => expect(await metric(relay!, 'djamms_rooms_open')).toBe(0));
    const b = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await synced(b);
    await eventually(() => expect(b.doc.getMap('m').get('k')).toBe('v'));
    expect(storage.loads).toBe(2);
    b.destroy();
  });
});
