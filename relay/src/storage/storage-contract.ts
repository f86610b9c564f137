import { expect, it } from 'vitest';
import type { RoomStorage } from './RoomStorage';

/** The one contract every RoomStorage passes (CONVENTIONS: shared adapter suite). */
export function roomStorageContract(make: () => Promise<RoomStorage>): void {
  const u = (...bytes: number[]) => new Uint8Array(bytes);

  it('RP12 an unknown room loads empty', async () => {
    const storage = await make();
    expect((await storage.load('vunknownroom000000000')).updates).toEqual([]);
  });

  it('RP12 appended updates load back in order, across batches', async () => {
    const storage = await make();
    await storage.append('vroom', [u(1, 2), u(3)]);
    await storage.append('vroom', [u(4)]);
    const loaded = await storage.load('vroom');
    expect(loaded.updates.map((x) => [...x])).toEqual([[1, 2], [3], [4]]);
    expect(loaded.repairedTail).toBe(false);
  });

  it('RP13 replace swaps the log for one merged update; later appends follow it', async () => {
    const storage = await make();
    await storage.append('vroom', [u(1), u(2)]);
    await storage.replace('vroom', u(9, 9));
    await storage.append('vroom', [u(3)]);
    expect((await storage.load('vroom')).updates.map((x) => [...x])).toEqual([[9, 9], [3]]);
  });

  it('RP12 rooms are independent', async () => {
    const storage = await make();
    await storage.append('va', [u(1)]);
    await storage.append('vb', [u(2)]);
    expect((await storage.load('va')).updates.map((x) => [...x])).toEqual([[1]]);
    expect((await storage.load('vb')).updates.map((x) => [...x])).toEqual([[2]]);
  });

  it('RP12 stored bytes do not alias the caller’s buffers', async () => {
    const storage = await make();
    const update = u(5, 5);
    await storage.append('vroom', [update]);
    update[0] = 0;
    expect([...((await storage.load('vroom')).updates[0] ?? [])]).toEqual([5, 5]);
  });
}

/**
 * A steady stream of updates (RP11's group-commit tests): 60 appends to seven rooms, one every
 * millisecond or so. Resolves, once all are stored, with how long that took (ms).
 */
export async function appendSteadily(storage: RoomStorage): Promise<number> {
  const started = performance.now();
  const appends: Promise<void>[] = [];
  for (let i = 0; i < 60; i++) {
    appends.push(storage.append(`vroom${i % 7}`, [new Uint8Array([i])]));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(appends);
  return performance.now() - started;
}
