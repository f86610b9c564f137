import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { eventually } from '@djamms/test-harness';
import { Metrics } from '../ops/metrics';
import { Room } from './Room';
import { silentLogger } from '../ops/logger';
import { MemoryRoomStorage } from '../storage/MemoryRoomStorage';

/** Memory storage whose appends wait until the test releases them, recording batch sizes. */
class SlowDisk extends MemoryRoomStorage {
  readonly batches: number[] = [];
  #release: (() => void) | null = null;

  override async append(room: string, updates: readonly Uint8Array[]): Promise<void> {
    this.batches.push(updates.length);
    await new Promise<void>((resolve) => (this.#release = resolve));
    return super.append(room, updates);
  }

  finishFsync(): void {
    this.#release?.();
    this.#release = null;
  }
}

function edits(count: number): Uint8Array[] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < count; i++) doc.getArray('a').push([i]);
  return updates;
}

describe('Room group commit', () => {
  it('RP11 updates arriving during an fsync are committed together in the next one', async () => {
    const disk = new SlowDisk();
    const metrics = new Metrics();
    const room = new Room(
      'vroom',
      'venue',
      { updates: [], bytes: 0, repairedTail: false },
      {
        storage: disk,
        metrics,
        logger: silentLogger,
        compaction: null,
        bus: null,
        onBroken: () => undefined,
      },
    );
    const [first, ...rest] = edits(6);
    const durable = room.receiveDurably(first as Uint8Array);
    await eventually(() => expect(disk.batches).toEqual([1]));
    const later = rest.map((u) => room.receiveDurably(u));
    disk.finishFsync();
    await durable;
    await eventually(() => expect(disk.batches).toEqual([1, 5]));
    disk.finishFsync();
    await Promise.all(later);
    const text = await metrics.render({
      roomsOpen: 1,
      roomsShared: 0,
      connections: 0,
      largestRoom: room.sizes,
    });
    expect(text).toMatch(/^djamms_updates_stored_total 6$/m);
    expect(text).toMatch(/^djamms_update_durable_seconds_count 6$/m);
    const stored = new Y.Doc();
    for (const u of (await disk.load('vroom')).updates) Y.applyUpdate(stored, u);
    expect(stored.getArray('a').toArray()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
