import { afterAll, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskRoomStorage } from './DiskRoomStorage';
import { EphemeralRoomStorage, MemoryRoomStorage } from './MemoryRoomStorage';
import { roomStorageContract } from './storage-contract';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'djamms-storage-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('DiskRoomStorage', () => {
  roomStorageContract(async () => new DiskRoomStorage(await tempDir()));

  it('RP12 a torn tail is detected, set aside, and never hides later appends', async () => {
    const dir = await tempDir();
    const storage = new DiskRoomStorage(dir);
    await storage.append('vroom', [new Uint8Array([1, 2, 3])]);
    await storage.release('vroom');
    await appendFile(join(dir, 'rooms', 'vroom.log'), Buffer.from([200, 0, 0, 0, 1, 2]));
    const reopened = new DiskRoomStorage(dir);
    const loaded = await reopened.load('vroom');
    expect(loaded.repairedTail).toBe(true);
    expect(loaded.updates.map((x) => [...x])).toEqual([[1, 2, 3]]);
    await reopened.append('vroom', [new Uint8Array([4])]);
    const again = await new DiskRoomStorage(dir).load('vroom');
    expect(again.updates.map((x) => [...x])).toEqual([[1, 2, 3], [4]]);
    const files = await readdir(join(dir, 'rooms'));
    expect(files.some((f) => f.startsWith('vroom.log.corrupt-'))).toBe(true);
  });

  it('RP12 a frame with a bad checksum ends the readable log', async () => {
    const dir = await tempDir();
    const storage = new DiskRoomStorage(dir);
    await storage.append('vroom', [new Uint8Array([1])]);
    await storage.release('vroom');
    await appendFile(join(dir, 'rooms', 'vroom.log'), Buffer.from([1, 0, 0, 0, 9, 9, 9, 9, 42]));
    const loaded = await new DiskRoomStorage(dir).load('vroom');
    expect(loaded.updates.map((x) => [...x])).toEqual([[1]]);
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
