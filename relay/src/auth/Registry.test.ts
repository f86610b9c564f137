import { afterAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@djamms/test-harness';
import { Registry } from './Registry';
import { DiskRegistryStore } from '../storage/DiskRegistryStore';
import { MemoryRegistryStore } from '../storage/MemoryRegistryStore';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Two relay nodes' registries over one shared store. */
async function twoNodes() {
  const store = new MemoryRegistryStore();
  const a = await Registry.open(store);
  const b = await Registry.open(new MemoryRegistryStore(store));
  const revokedOnB: [string, string | null][] = [];
  b.onRevocation((venueId, deviceId) => revokedOnB.push([venueId, deviceId]));
  return { store, a, b, revokedOnB };
}

describe('Registry', () => {
  it('RP6 admission lookups use an index: 10,000 venues are not scanned per socket', async () => {
    const registry = await Registry.open(new MemoryRegistryStore());
    const wanted = Array.from({ length: 10_000 }, (_, i) => ({ name: `Bar ${i}` }));
    const created = await registry.createVenues(wanted, 1);
    const [first] = await registry.createVenues(
      [{ name: 'Terrace', libraryId: created[0]!.venue.libraryId }],
      2,
    );
    const last = created.at(-1)!.venue;
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) {
      registry.roomExists('lnosuchlibrary0000000');
      registry.roomExists(last.libraryId);
    }
    // a scan of every venue per call takes seconds here; the index a few milliseconds
    expect(performance.now() - started).toBeLessThan(250);
    expect(registry.roomExists(last.libraryId)).toBe(true);
    expect(registry.roomExists(last.id)).toBe(true);
    expect(registry.roomExists('lnosuchlibrary0000000')).toBe(false);
    expect(registry.hasLibrary(first!.venue.libraryId)).toBe(true);
    expect(registry.roomKindFor(first!.venue.id, created[0]!.venue.libraryId)).toBe('library');
    expect(registry.devicesOf(last.id).map((d) => d.name)).toEqual(['owner']);
  });

  it('RP6 RP7 a revocation on one node reaches the other, which closes what it concerns', async () => {
    const { a, b, revokedOnB } = await twoNodes();
    const { venue, device } = (await a.createVenues([{ name: 'Harbour Bar' }], 1))[0]!;
    await eventually(() => expect(b.device(device.id)?.revoked).toBe(false));
    await a.revoke(venue.id, device.id);
    const guestKey = await a.rotateGuestKey(venue.id);
    await eventually(() =>
      expect(revokedOnB).toEqual([
        [venue.id, device.id],
        [venue.id, null],
      ]),
    );
    expect(b.device(device.id)?.revoked).toBe(true);
    expect(b.venue(venue.id)?.guestKey).toBe(guestKey);
  });

  it('RP6 a pairing code is single use across nodes', async () => {
    const store = new MemoryRegistryStore();
    const a = await Registry.open(store);
    const { venue } = (await a.createVenues([{ name: 'Harbour Bar' }], 1))[0]!;
    const { code } = await a.createPairingCode(venue.id, 'player', 'Bar TV', 10, 60_000);
    const b = await Registry.open(new MemoryRegistryStore(store));
    const redeemed = await Promise.all([
      a.redeemPairingCode(code, 20),
      b.redeemPairingCode(code, 20),
    ]);
    expect(redeemed.filter((d) => d !== null)).toHaveLength(1);
    await eventually(() => expect(a.devicesOf(venue.id)).toHaveLength(2));
    await eventually(() => expect(b.devicesOf(venue.id)).toHaveLength(2));
  });

  it('RP6 lastSeen is written lazily and never undoes a revocation made on another node', async () => {
    const { store, a, b } = await twoNodes();
    const { venue, device } = (await a.createVenues([{ name: 'Harbour Bar' }], 1))[0]!;
    a.touch(device.id, 500);
    expect(a.device(device.id)?.lastSeen).toBe(500);
    await eventually(() => expect(b.device(device.id)).toBeDefined());
    await b.revoke(venue.id, device.id);
    await a.flushLastSeen();
    const third = await Registry.open(new MemoryRegistryStore(store));
    expect(third.device(device.id)).toMatchObject({ revoked: true, lastSeen: 500 });
  });

  it('RP6 opens a registry.json the relay wrote before changes were record-level', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'djamms-registry-'));
    dirs.push(dir);
    const path = join(dir, 'registry.json');
    await copyFile(new URL('../storage/fixtures/registry-v1.json', import.meta.url), path);
    const registry = await Registry.open(new DiskRegistryStore(path));
    const harbour = registry.venue('v07w5VqEdWji1CoOO8VBN');
    expect(harbour?.guestKey).toBe('iD3tAAcHX0ZPy_3T6u70bggF');
    expect(registry.roomKindFor('vMYQdRfcfXXoo9O-2jkxT', harbour!.libraryId)).toBe('library');
    expect(registry.devicesOf('vbgJuU9MBVq3qGJpAgjWh').map((d) => [d.name, d.revoked])).toEqual([
      ['owner', false],
      ['Door', true],
    ]);
    const till = await registry.redeemPairingCode('a9t3-ggt9', 1_735_000_100_000);
    expect(till).toMatchObject({ venueId: 'vbgJuU9MBVq3qGJpAgjWh', role: 'staff', name: 'Till' });
    const reopened = await Registry.open(new DiskRegistryStore(path));
    expect(reopened.device(till!.id)?.name).toBe('Till');
    expect(await reopened.redeemPairingCode('A9T3GGT9', 1_735_000_100_000)).toBeNull();
  });
});
