import { afterAll, describe, expect, it, vi } from 'vitest';
import { copyFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskRegistryStore } from './DiskRegistryStore';
import { MemoryRegistryStore } from './MemoryRegistryStore';
import { registryStoreContract, sharedRegistryStoreContract } from './registry-store-contract';

const FIXTURE_V1 = new URL('./fixtures/registry-v1.json', import.meta.url);

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'djamms-registry-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('DiskRegistryStore', () => {
  registryStoreContract(async () => {
    const path = join(await tempDir(), 'registry.json');
    return { store: new DiskRegistryStore(path), reopen: async () => new DiskRegistryStore(path) };
  });

  it('RP6 reads a version 1 file as the relay wrote it, and writes the same format back', async () => {
    const path = join(await tempDir(), 'registry.json');
    await copyFile(FIXTURE_V1, path);
    const store = new DiskRegistryStore(path);
    const loaded = await store.load();
    expect(loaded.venues.map((v) => v.name)).toEqual([
      'Harbour Bar',
      'Corner Pub',
      'Harbour Bar Terrace',
    ]);
    expect(loaded.devices.filter((d) => d.revoked).map((d) => d.name)).toEqual(['Door']);
    expect([...loaded.pairingCodes.keys()]).toEqual(['A9T3GGT9']);
    await store.apply([{ kind: 'device-seen', deviceId: 'dXxQagj6BN_tMYQII', lastSeen: 7 }]);
    const original = JSON.parse(await readFile(FIXTURE_V1, 'utf8')) as {
      devices: Record<string, { lastSeen: number | null }>;
    };
    original.devices.dXxQagj6BN_tMYQII!.lastSeen = 7;
    const written = await readFile(path, 'utf8');
    expect(written).toBe(JSON.stringify(original, null, 1));
  });

  it('RP6 a file of an unknown version or not JSON is refused and left as it was', async () => {
    const dir = await tempDir();
    const future = join(dir, 'future.json');
    await writeFile(future, '{"version":2,"venues":{}}');
    await expect(new DiskRegistryStore(future).load()).rejects.toThrow(/version 2/);
    const torn = join(dir, 'torn.json');
    await writeFile(torn, '{"version":1,"venues":{"v1":');
    await expect(new DiskRegistryStore(torn).load()).rejects.toThrow(`${torn} is damaged`);
    const empty = join(dir, 'empty.json');
    await writeFile(empty, '');
    await expect(new DiskRegistryStore(empty).load()).rejects.toThrow(`${empty} is empty`);
    const stray = join(dir, 'stray.json');
    await writeFile(stray, 'null');
    await expect(new DiskRegistryStore(stray).load()).rejects.toThrow(`${stray} is damaged`);
    expect(await readFile(future, 'utf8')).toBe('{"version":2,"venues":{}}');
    expect(await readFile(torn, 'utf8')).toBe('{"version":1,"venues":{"v1":');
    expect(await readFile(empty, 'utf8')).toBe('');
  });

  it('RP6 batches applied while a write runs share the next write', async () => {
    const path = join(await tempDir(), 'registry.json');
    const store = new DiskRegistryStore(path);
    await store.load();
    const probe = await open(join(await tempDir(), 'probe'), 'w');
    const FileHandle = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const sync = vi.spyOn(FileHandle, 'sync');
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.apply([{ kind: 'pairing-code-created', code: `CODE${i}`, record: code(i) }]),
      ),
    );
    // one write is a file fsync and a directory fsync
    expect(sync.mock.calls.length).toBeLessThanOrEqual(4);
    sync.mockRestore();
    const reread = await new DiskRegistryStore(path).load();
    expect(reread.pairingCodes.size).toBe(50);
  });

  it('RP6 a batch whose write failed is not written later with another one', async () => {
    const dir = await tempDir();
    const path = join(dir, 'later', 'registry.json');
    const store = new DiskRegistryStore(path);
    await store.load();
    await expect(
      store.apply([{ kind: 'pairing-code-created', code: 'LOST', record: code(1) }]),
    ).rejects.toThrow(/ENOENT/);
    await mkdir(join(dir, 'later'));
    await store.apply([{ kind: 'pairing-code-created', code: 'KEPT', record: code(2) }]);
    expect([...(await new DiskRegistryStore(path).load()).pairingCodes.keys()]).toEqual(['KEPT']);
  });
});

describe('MemoryRegistryStore', () => {
  const make = async () => {
    const store = new MemoryRegistryStore();
    return { store, reopen: async () => new MemoryRegistryStore(store) };
  };
  registryStoreContract(make);
  sharedRegistryStoreContract(make);
});

function code(i: number) {
  return { venueId: 'va', role: 'staff' as const, name: `Till ${i}`, expiresAt: 99 };
}
