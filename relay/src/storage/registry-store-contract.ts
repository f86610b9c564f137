import { expect, it } from 'vitest';
import { eventually } from '@djamms/test-harness';
import {
  RegistryConflict,
  type DeviceRecord,
  type RegistryChange,
  type RegistryStore,
  type VenueRecord,
} from './RegistryStore';

/** A store under test and a way to read what it stored as another reader would. */
export interface RegistryStoreUnderTest {
  readonly store: RegistryStore;
  /** A new store over the same data: the file reopened, or another node of a shared store. */
  readonly reopen: () => Promise<RegistryStore>;
}

const venue = (id: string, libraryId = `l${id}`): VenueRecord => ({
  id,
  name: `Bar ${id}`,
  libraryId,
  created: 1,
  guestKey: null,
});

const device = (id: string, venueId: string): DeviceRecord => ({
  id,
  venueId,
  role: 'player',
  name: 'Bar TV',
  paired: 2,
  lastSeen: null,
  revoked: false,
});

const code = (name: string): RegistryChange => ({
  kind: 'pairing-code-created',
  code: name,
  record: { venueId: 'va', role: 'staff', name: 'Till', expiresAt: 99 },
});

/** Lets queued microtasks and timers of the current turn run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

/** The one contract every RegistryStore passes (CONVENTIONS: shared adapter suite). */
export function registryStoreContract(make: () => Promise<RegistryStoreUnderTest>): void {
  it('RP6 an empty store loads nothing', async () => {
    const { store } = await make();
    const loaded = await store.load();
    expect(loaded.venues).toEqual([]);
    expect(loaded.devices).toEqual([]);
    expect(loaded.pairingCodes.size).toBe(0);
  });

  it('RP6 applied batches are there for the next reader, in order', async () => {
    const { store, reopen } = await make();
    await store.load();
    await store.apply([
      { kind: 'venue-created', venue: venue('va') },
      { kind: 'device-paired', device: device('d1', 'va') },
    ]);
    await store.apply([{ kind: 'device-paired', device: device('d2', 'va') }, code('CODE2345')]);
    const loaded = await (await reopen()).load();
    expect(loaded.venues).toEqual([venue('va')]);
    expect(loaded.devices.map((d) => d.id)).toEqual(['d1', 'd2']);
    expect([...loaded.pairingCodes.keys()]).toEqual(['CODE2345']);
  });

  it('RP6 revocation and lastSeen only move forward, and a repeated creation changes nothing', async () => {
    const { store, reopen } = await make();
    await store.load();
    await store.apply([
      { kind: 'venue-created', venue: venue('va') },
      { kind: 'device-paired', device: device('d1', 'va') },
    ]);
    await store.apply([
      { kind: 'device-revoked', deviceId: 'd1' },
      { kind: 'guest-key-set', venueId: 'va', guestKey: 'key2' },
      { kind: 'device-seen', deviceId: 'd1', lastSeen: 50 },
    ]);
    // what a node that had not heard of those changes might still send
    await store.apply([
      { kind: 'device-seen', deviceId: 'd1', lastSeen: 40 },
      { kind: 'device-paired', device: device('d1', 'va') },
      { kind: 'venue-created', venue: venue('va') },
    ]);
    const loaded = await (await reopen()).load();
    expect(loaded.devices).toEqual([{ ...device('d1', 'va'), revoked: true, lastSeen: 50 }]);
    expect(loaded.venues).toEqual([{ ...venue('va'), guestKey: 'key2' }]);
  });

  it('RP6 a device renamed keeps its last name for the next reader', async () => {
    const { store, reopen } = await make();
    await store.load();
    await store.apply([
      { kind: 'venue-created', venue: venue('va') },
      { kind: 'device-paired', device: device('d1', 'va') },
    ]);
    await store.apply([{ kind: 'device-renamed', deviceId: 'd1', name: 'Till phone' }]);
    await store.apply([{ kind: 'device-renamed', deviceId: 'd1', name: 'Sam’s phone' }]);
    const loaded = await (await reopen()).load();
    expect(loaded.devices).toEqual([{ ...device('d1', 'va'), name: 'Sam’s phone' }]);
  });

  it('RP6 a pairing code is redeemed once: the second batch is refused whole', async () => {
    const { store, reopen } = await make();
    await store.load();
    await store.apply([{ kind: 'venue-created', venue: venue('va') }, code('CODE2345')]);
    await store.apply([
      { kind: 'pairing-code-redeemed', code: 'CODE2345' },
      { kind: 'device-paired', device: device('d1', 'va') },
    ]);
    await expect(
      store.apply([
        { kind: 'pairing-code-redeemed', code: 'CODE2345' },
        { kind: 'device-paired', device: device('d2', 'va') },
      ]),
    ).rejects.toBeInstanceOf(RegistryConflict);
    const loaded = await (await reopen()).load();
    expect(loaded.devices.map((d) => d.id)).toEqual(['d1']);
    expect(loaded.pairingCodes.size).toBe(0);
  });

  it('RP6 of redemptions of one code racing each other, exactly one applies', async () => {
    const { store, reopen } = await make();
    await store.load();
    await store.apply([{ kind: 'venue-created', venue: venue('va') }, code('CODE2345')]);
    await expectOneRedemption([store, store, store, store]);
    expect((await (await reopen()).load()).devices).toHaveLength(1);
  });

  it('RP6 dropping a code removes it; dropping an unknown one changes nothing', async () => {
    const { store, reopen } = await make();
    await store.load();
    await store.apply([code('CODE2345'), code('CODE6789')]);
    await store.apply([
      { kind: 'pairing-code-dropped', code: 'CODE2345' },
      { kind: 'pairing-code-dropped', code: 'NOSUCHCODE' },
    ]);
    expect([...(await (await reopen()).load()).pairingCodes.keys()]).toEqual(['CODE6789']);
  });

  it('RP6 a store never reports its own changes to its own listeners', async () => {
    const { store } = await make();
    await store.load();
    const heard: unknown[] = [];
    store.subscribe((changes) => heard.push(changes));
    await store.apply([{ kind: 'venue-created', venue: venue('va') }]);
    await settle();
    expect(heard).toEqual([]);
  });
}

/** Redeems one code through each store at once; exactly one may succeed. */
async function expectOneRedemption(stores: readonly RegistryStore[]): Promise<void> {
  const results = await Promise.allSettled(
    stores.map((store, i) =>
      store.apply([
        { kind: 'pairing-code-redeemed', code: 'CODE2345' },
        { kind: 'device-paired', device: device(`d${i}`, 'va') },
      ]),
    ),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  for (const r of results) {
    if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RegistryConflict);
  }
}

/**
 * What a store shared by several relay nodes (cluster mode) also passes: each node hears the
 * others' changes, and a pairing code stays single use across nodes (RP6).
 */
export function sharedRegistryStoreContract(make: () => Promise<RegistryStoreUnderTest>): void {
  it('RP6 of redemptions of one code racing on different nodes, exactly one applies', async () => {
    const { store, reopen } = await make();
    const others = [await reopen(), await reopen()];
    await store.apply([{ kind: 'venue-created', venue: venue('va') }, code('CODE2345')]);
    await expectOneRedemption([store, ...others, store]);
  });

  it('RP6 a node hears every batch another node applied, whole and in order, until it stops', async () => {
    const { store, reopen } = await make();
    const other = await reopen();
    const heard: (readonly RegistryChange[])[] = [];
    const stop = other.subscribe((changes) => heard.push(changes));
    const first: RegistryChange[] = [
      { kind: 'venue-created', venue: venue('va') },
      { kind: 'device-paired', device: device('d1', 'va') },
    ];
    const second: RegistryChange[] = [{ kind: 'device-revoked', deviceId: 'd1' }];
    await store.apply(first);
    await store.apply(second);
    await eventually(() => expect(heard).toEqual([first, second]));
    stop();
    await store.apply([{ kind: 'device-seen', deviceId: 'd1', lastSeen: 5 }]);
    await settle();
    expect(heard).toHaveLength(2);
  });
}
