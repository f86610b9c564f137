import { afterAll, describe, expect, it, vi } from 'vitest';
import { appendFile, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskRoomStorage } from './DiskRoomStorage';
import { EphemeralRoomStorage, MemoryRoomStorage } from './MemoryRoomStorage';
import { appendSteadily, roomStorageContract } from './storage-contract';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'djamms-storage-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Counts every FileHandle's fdatasync from now on (restore it after). */
async function spyOnDatasync(dir: string) {
  const probe = await open(join(dir, 'probe'), 'w');
  const FileHandle = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
  await probe.close();
  return vi.spyOn(FileHandle, 'datasync');
}

describe('DiskRoomStorage', () => {
  roomStorageContract(async () => new DiskRoomStorage(await tempDir()));

  it('RP12 a torn tail is detected, set aside, and never hides later appends', async () => {
    const dir = await tempDir();
    const storage = new DiskRoomStorage(dir);
    await storage.append('vroom', [new Uint8Array([1, 2, 3])]);
    await storage.close();
    await appendFile(join(dir, 'rooms', 'vroom.log'), Buffer.from([200, 0, 0, 0, 1, 2]));
    const reopened = new DiskRoomStorage(dir);
    const loaded = await reopened.load('vroom');
    expect(loaded.repairedTail).toBe(true);
    expect(loaded.updates.map((x) => [...x])).toEqual([[1, 2, 3]]);
    await reopened.append('vroom', [new Uint8Array([4])]);
    await reopened.close();
    const again = await new DiskRoomStorage(dir).load('vroom');
    expect(again.updates.map((x) => [...x])).toEqual([[1, 2, 3], [4]]);
    const files = await readdir(join(dir, 'rooms'));
    expect(files.some((f) => f.startsWith('vroom.log.corrupt-'))).toBe(true);
  });

  it('RP12 a frame with a bad checksum ends the readable log', async () => {
    const dir = await tempDir();
    const storage = new DiskRoomStorage(dir);
    await storage.append('vroom', [new Uint8Array([1])]);
    await storage.close();
    await appendFile(join(dir, 'rooms', 'vroom.log'), Buffer.from([1, 0, 0, 0, 9, 9, 9, 9, 42]));
    const loaded = await new DiskRoomStorage(dir).load('vroom');
    expect(loaded.updates.map((x) => [...x])).toEqual([[1]]);
  });

  it('RP11 an acknowledged update survives a crash before the checkpoint wrote its room log', async () => {
    const dir = await tempDir();
    const storage = new DiskRoomStorage(dir);
    await storage.append('vroom', [new Uint8Array([1])]);
    await Promise.all([
      storage.append('vroom', [new Uint8Array([2]), new Uint8Array([3, 4])]),
      storage.append('vother', [new Uint8Array([5])]),
    ]);
    // the crash: only the commit log holds them (the room log is written at the checkpoint)
    expect(await readdir(join(dir, 'rooms'))).toEqual([]);
    const reopened = new DiskRoomStorage(dir);
    expect((await reopened.load('vroom')).updates.map((x) => [...x])).toEqual([[1], [2], [3, 4]]);
    expect((await reopened.load('vother')).updates.map((x) => [...x])).toEqual([[5]]);
    expect(await readdir(join(dir, 'commit'))).toEqual([]);
  });

  it('RP47 the rooms of a data directory include those only its commit log holds (a relay killed before a checkpoint)', async () => {
    const dir = await tempDir();
    const storage = new DiskRoomStorage(dir);
    await storage.append('vsaved', [new Uint8Array([1])]);
    await storage.close();
    await storage.append('vnew', [new Uint8Array([2])]);
    expect((await new DiskRoomStorage(dir).rooms()).sort()).toEqual(['vnew', 'vsaved']);
  });

  it('RP11 replayed updates follow a torn room tail, which is set aside', async () => {
    const dir = await tempDir();
    const storage = new DiskRoomStorage(dir);
    await storage.append('vroom', [new Uint8Array([1])]);
    await storage.close();
    await storage.append('vroom', [new Uint8Array([2])]);
    await appendFile(join(dir, 'rooms', 'vroom.log'), Buffer.from([200, 0, 0, 0, 1, 2]));
    const reopened = new DiskRoomStorage(dir);
    expect((await reopened.load('vroom')).updates.map((x) => [...x])).toEqual([[1], [2]]);
    await reopened.append('vroom', [new Uint8Array([3])]);
    await reopened.close();
    const again = await new DiskRoomStorage(dir).load('vroom');
    expect(again.updates.map((x) => [...x])).toEqual([[1], [2], [3]]);
    const files = await readdir(join(dir, 'rooms'));
    expect(files.some((f) => f.startsWith('vroom.log.corrupt-'))).toBe(true);
  });

  it('RP11 a room loaded while checkpoints write its log reads every committed update once', async () => {
    const dir = await tempDir();
    const storage = new DiskRoomStorage(dir);
    const appended: number[] = [];
    for (let i = 0; i < 40; i++) {
      await storage.append('vroom', [new Uint8Array([i])]);
      appended.push(i);
      const [loaded] = await Promise.all([storage.load('vroom'), i % 3 === 0 && storage.close()]);
      expect(loaded.updates.map((x) => x[0])).toEqual(appended);
    }
    await storage.close();
    const reread = await new DiskRoomStorage(dir).load('vroom');
    expect(reread.updates.map((x) => x[0])).toEqual(appended);
  });

  it('RP11 one fdatasync makes the updates of many rooms durable', async () => {
    const dir = await tempDir();
    const storage = new DiskRoomStorage(dir);
    await storage.append('vwarm', [new Uint8Array([0])]);
    const datasync = await spyOnDatasync(dir);
    const rooms = Array.from({ length: 50 }, (_, i) => `vroom${i}`);
    await Promise.all(rooms.map((room) => storage.append(room, [new Uint8Array([1])])));
    // a handful at most (the rooms' logs open over a few event-loop turns), never one per room
    expect(datasync.mock.calls.length).toBeLessThanOrEqual(5);
    datasync.mockRestore();
    await storage.close();
    for (const room of rooms) {
      expect((await new DiskRoomStorage(dir).load(room)).updates).toHaveLength(1);
    }
  });

  it('RP11 under a steady stream of updates, commits start at least 10 ms apart', async () => {
    const dir = await tempDir();
    const storage = new DiskRoomStorage(dir);
    await storage.append('vwarm', [new Uint8Array([0])]);
    const datasync = await spyOnDatasync(dir);
    const elapsed = await appendSteadily(storage);
    expect(datasync.mock.calls.length).toBeLessThanOrEqual(Math.ceil(elapsed / 10) + 1);
    datasync.mockRestore();
    await storage.close();
  });

  it('RP11 a checkpoint fsyncs the room logs and deletes the commit log; a torn commit is set aside', async () => {
    const dir = await tempDir();
    const storage = new DiskRoomStorage(dir);
    await storage.append('vroom', [new Uint8Array([1])]);
    const [log] = await readdir(join(dir, 'commit'));
    await storage.close();
    expect(await readdir(join(dir, 'commit'))).toEqual([]);
    // a commit torn by a crash: never acknowledged, so it is ignored (and kept aside)
    await writeFile(join(dir, 'commit', log!), Buffer.from([9, 0, 0, 0, 1]));
    const reopened = new DiskRoomStorage(dir);
    expect((await reopened.load('vroom')).updates.map((x) => [...x])).toEqual([[1]]);
    const left = await readdir(join(dir, 'commit'));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/\.log\.corrupt-/);
  });
});

describe('MemoryRoomStorage', () => {
  roomStorageContract(async () => new MemoryRoomStorage());

  it('RP15 ephemeral storage keeps nothing: a room exists only while it is loaded', async () => {
    const storage = new EphemeralRoomStorage();
    await storage.append('vroom', [new Uint8Array([1])]);
    await storage.release('vroom');
    expect((await storage.load('vroom')).updates).toEqual([]);
  });
});
