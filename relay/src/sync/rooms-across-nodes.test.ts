import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { MessageType, SyncMessageType } from '@djamms/protocol';
import { eventually } from '@djamms/test-harness';
import { Metrics } from '../ops/metrics';
import { silentLogger } from '../ops/logger';
import { MemoryRoomStorage } from '../storage/MemoryRoomStorage';
import type { StoredRoom } from '../storage/RoomStorage';
import { DEFAULT_COMPACTION } from '../config/relay-config';
import { InProcessRoomHub } from './InProcessRoomHub';
import { RoomHost } from './RoomHost';
import type { Room } from './Room';
import type { RoomPeer } from './room-peer';
import type { RoomBus } from './RoomBus';

let nextPeer = 1;

/**
 * A device in a room, as a y-websocket client sees it: a Y.Doc and y-protocols awareness, applying
 * what the room sends and handing the room its own edits (what SyncConnection does for a socket).
 */
class DevicePeer implements RoomPeer {
  readonly id = nextPeer++;
  readonly wantsAcks = false;
  readonly doc = new Y.Doc();
  readonly awareness = new Awareness(this.doc);
  readonly deviceId: string;
  #room: Room | null = null;

  constructor(deviceId: string) {
    this.deviceId = deviceId;
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this) this.#room?.receive(update, this);
    });
  }

  /** Joins and syncs both ways, as the y-websocket handshake does (RP2–RP4). */
  join(room: Room): void {
    this.#room = room;
    room.join(this);
    Y.applyUpdate(this.doc, room.diffFor(Y.encodeStateVector(this.doc)), this);
    const mine = Y.encodeStateAsUpdate(this.doc, room.stateVector());
    if (mine.byteLength > 2) room.receive(mine, this);
  }

  /** Publishes this device's presence, as SyncConnection relays a socket's. */
  present(state: Record<string, unknown>): void {
    this.awareness.setLocalState(state);
    const room = this.#room as Room;
    const relayed = room.awareness.apply(
      this,
      encodeAwarenessUpdate(this.awareness, [this.doc.clientID]),
      true,
    );
    if (relayed) room.relayAwareness(relayed);
  }

  send(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    if (type === MessageType.awareness) {
      applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
    } else if (type === MessageType.sync) {
      const kind = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (kind !== SyncMessageType.step1) Y.applyUpdate(this.doc, payload, this);
    }
  }

  close(): void {}

  get text(): string {
    return this.doc.getText('t').toString();
  }
}

/** Updates a host stored (its counter). */
const stored = async (metrics: Metrics) => (await metrics.updatesStored.get()).values[0]?.value;

function host(storage: MemoryRoomStorage, bus: RoomBus) {
  const metrics = new Metrics();
  const roomHost = new RoomHost({
    storage,
    bus,
    metrics,
    logger: silentLogger,
    compaction: DEFAULT_COMPACTION,
  });
  return { host: roomHost, metrics };
}

/** Memory storage that, once told to hold, reads a room at once but answers when released. */
class HeldLoads extends MemoryRoomStorage {
  hold = false;
  /** True once a held load has read the room. */
  read = false;
  #release: (() => void) | null = null;

  override async load(room: string): Promise<StoredRoom> {
    const stored = await super.load(room);
    if (!this.hold) return stored;
    this.read = true;
    await new Promise<void>((resolve) => (this.#release = resolve));
    return stored;
  }

  finishLoad(): void {
    this.#release?.();
  }
}

describe('rooms across relay nodes', () => {
  it('RP32 peers on two hosts sharing storage through one hub converge; each update is stored once', async () => {
    const storage = new MemoryRoomStorage();
    const hub = new InProcessRoomHub();
    const a = host(storage, hub.node());
    const b = host(storage, hub.node());
    const onA = new DevicePeer('da');
    onA.join(await a.host.open('vroom', 'venue'));
    onA.doc.getText('t').insert(0, 'harbour ');
    await a.host.flushAll();
    const onB = new DevicePeer('db');
    onB.join(await b.host.open('vroom', 'venue'));
    expect(onB.text).toBe('harbour ');
    onA.doc.getText('t').insert(8, 'lights');
    onB.doc.getText('t').insert(0, '» ');
    await eventually(() => expect(onA.text).toBe(onB.text));
    expect(onA.text).toMatch(/harbour lights/);
    await Promise.all([a.host.flushAll(), b.host.flushAll()]);
    expect(await stored(a.metrics)).toBe(2);
    expect(await stored(b.metrics)).toBe(1);
    expect((await storage.load('vroom')).updates).toHaveLength(3);
    const late = new DevicePeer('dc');
    late.join(await b.host.open('vroom', 'venue'));
    expect(late.text).toBe(onA.text);
  });

  it('RP32 an update stored on one host while the other loads the room reaches the other', async () => {
    const storage = new HeldLoads();
    const hub = new InProcessRoomHub();
    const a = host(storage, hub.node());
    const b = host(storage, hub.node());
    const onA = new DevicePeer('da');
    onA.join(await a.host.open('vroom', 'venue'));
    storage.hold = true;
    const loadingB = b.host.open('vroom', 'venue');
    await eventually(() => expect(storage.read).toBe(true)); // B has read storage: empty
    onA.doc.getText('t').insert(0, 'last orders');
    await a.host.flushAll();
    storage.finishLoad();
    const onB = new DevicePeer('db');
    onB.join(await loadingB);
    expect(onB.text).toBe('last orders');
  });

  it('RP9 RP32 presence crosses hosts, owned by the node it came from, and leaves with its peer', async () => {
    const storage = new MemoryRoomStorage();
    const hub = new InProcessRoomHub();
    const a = host(storage, hub.node());
    const b = host(storage, hub.node());
    const roomA = await a.host.open('vroom', 'venue');
    const roomB = await b.host.open('vroom', 'venue');
    const onA = new DevicePeer('da');
    const onB = new DevicePeer('db');
    onA.join(roomA);
    onB.join(roomB);
    onA.present({ name: 'Bar TV' });
    await eventually(() =>
      expect(onB.awareness.getStates().get(onA.doc.clientID)).toEqual({ name: 'Bar TV' }),
    );
    // a peer on B cannot overwrite presence owned by node A
    const forged = new Awareness(new Y.Doc());
    forged.clientID = onA.doc.clientID;
    forged.setLocalState({ name: 'forged' });
    const update = encodeAwarenessUpdate(forged, [onA.doc.clientID]);
    expect(roomB.awareness.apply(onB, update, true)).toBeNull();
    roomA.leave(onA);
    await eventually(() => expect(onB.awareness.getStates().has(onA.doc.clientID)).toBe(false));
  });
});
