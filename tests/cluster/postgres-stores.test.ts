import { afterAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import * as Y from 'yjs';
import { silentLogger } from 'djamms-relay';
import { appendSteadily, roomStorageContract } from '../../relay/src/storage/storage-contract';
import {
  registryStoreContract,
  sharedRegistryStoreContract,
} from '../../relay/src/storage/registry-store-contract';
import { journalContract } from '../../relay/src/storage/journal-contract';
import { mediaStoreContract } from '../../relay/src/storage/media-store-contract';
import { PostgresRoomStorage } from '../../relay/src/cluster/PostgresRoomStorage';
import { PostgresRegistryStore } from '../../relay/src/cluster/PostgresRegistryStore';
import { RegistryRecords } from '../../relay/src/storage/RegistryRecords';
import type { RegistryChange, RegistryStore } from '../../relay/src/storage/RegistryStore';
import { PostgresJournalStore } from '../../relay/src/cluster/PostgresJournalStore';
import { PostgresMediaStore } from '../../relay/src/cluster/PostgresMediaStore';
import { ClusterCompactor } from '../../relay/src/cluster/ClusterCompactor';
import { Metrics } from '../../relay/src/ops/metrics';
import { POSTGRES_COMMIT_GAP_MS } from '../../relay/src/storage/group-commit';
import { describeCluster, freshSchema } from './services';

describeCluster('PostgreSQL stores (cluster mode)', (servers) => {
  const pools: pg.Pool[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
    await Promise.all(pools.map((pool) => pool.end()));
  });

  const fresh = async () => {
    const schema = await freshSchema(servers().postgres.url);
    pools.push(schema.pool);
    return schema;
  };

  describe('PostgresRoomStorage', () => {
    roomStorageContract(async () => new PostgresRoomStorage((await fresh()).pool));

    it('RP40 compaction keeps the merged rows in the place of the newest, after rows appended meanwhile', async () => {
      const storage = new PostgresRoomStorage((await fresh()).pool);
      await storage.append('vroom', [new Uint8Array([1]), new Uint8Array([2])]);
      const rows = await storage.rows('vroom');
      await storage.append('vroom', [new Uint8Array([3])]);
      expect(await storage.compactThrough('vroom', rows[1]!.id, new Uint8Array([9]))).toBe(true);
      expect((await storage.load('vroom')).updates.map((u) => [...u])).toEqual([[9], [3]]);
      // a second worker with the same stale view changes nothing
      expect(await storage.compactThrough('vroom', rows[0]!.id, new Uint8Array([8]))).toBe(false);
      expect((await storage.load('vroom')).updates.map((u) => [...u])).toEqual([[9], [3]]);
    });

    it('RP40 RP11 under a steady stream of updates, INSERTs start at least the commit gap apart and lose nothing', async () => {
      const { pool } = await fresh();
      const storage = new PostgresRoomStorage(pool);
      await storage.append('vwarm', [new Uint8Array([0])]);
      const query = vi.spyOn(pool, 'query');
      const elapsed = await appendSteadily(storage);
      expect(query.mock.calls.length).toBeLessThanOrEqual(
        Math.ceil(elapsed / POSTGRES_COMMIT_GAP_MS) + 1,
      );
      query.mockRestore();
      const stored = await Promise.all(
        Array.from({ length: 7 }, async (_, r) => (await storage.load(`vroom${r}`)).updates),
      );
      expect(
        stored
          .flat()
          .map((u) => u[0])
          .sort((a, b) => a! - b!),
      ).toEqual(Array.from({ length: 60 }, (_, i) => i));
      await storage.close();
    });
  });

  it('RP44 one worker at a time holds the lease and compacts a room into one row, state intact', async () => {
    const { pool, options } = await fresh();
    const rooms = new PostgresRoomStorage(pool);
    const registry = await PostgresRegistryStore.open({
      pool,
      logger: silentLogger,
      listenConnection: () => new pg.Client({ connectionString: servers().postgres.url, options }),
    });
    closers.push(() => registry.close());
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    for (let i = 0; i < 30; i++) doc.getMap('queue').set(`k${i % 5}`, i);
    for (const update of updates) await rooms.append('vroom', [update]);
    const worker = () =>
      new ClusterCompactor({
        pool,
        rooms,
        registry,
        metrics: new Metrics(),
        logger: silentLogger,
        maxRows: 10,
        intervalMs: 60_000,
      });
    const [first, second] = [worker(), worker()];
    expect(await second.runRound()).toBe(1);
    await rooms.append('vroom', [new Uint8Array(Y.encodeStateAsUpdate(new Y.Doc()))]);
    for (let i = 0; i < 12; i++) await rooms.append('vroom', [updates[i] as Uint8Array]);
    // the lease is the second worker's until it runs out or is given up
    expect(await first.runRound()).toBe(0);
    await second.close();
    expect(await first.runRound()).toBe(1);
    await first.close();
    const loaded = await rooms.load('vroom');
    expect(loaded.updates).toHaveLength(1);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, loaded.updates[0] as Uint8Array);
    expect(copy.getMap('queue').toJSON()).toEqual(doc.getMap('queue').toJSON());
  });

  describe('PostgresRegistryStore', () => {
    /** A fresh schema, its pool, and a way to open a node's store over it. */
    const fleet = async () => {
      const { pool, options } = await fresh();
      const open = async () => {
        const store = await PostgresRegistryStore.open({
          pool,
          logger: silentLogger,
          listenConnection: () =>
            new pg.Client({ connectionString: servers().postgres.url, options }),
        });
        closers.push(() => store.close());
        return store;
      };
      return { pool, open };
    };
    const make = async () => {
      const { open } = await fleet();
      return { store: await open(), reopen: open };
    };
    registryStoreContract(make);
    sharedRegistryStoreContract(make);

    it('RP41 a node applies batches in commit order, its own among them: a guest link rotated through two nodes at once has one key on both', async () => {
      const { pool, open } = await fleet();
      const [a, b, reader] = [await open(), await open(), await open()];
      await a.apply([{ kind: 'venue-created', venue: { ...venueRecord, guestKey: null } }]);
      const nodes = [await asNode(a), await asNode(b)];
      // nodes hear each other late (a busy pool): B commits after A but hears A's batch after its own
      const query = pool.query.bind(pool);
      vi.spyOn(pool, 'query').mockImplementation(((text: unknown, ...rest: unknown[]) => {
        const late = typeof text === 'string' && text.includes('FROM registry_changes WHERE id >');
        const run = () => (query as (...args: unknown[]) => unknown)(text, ...rest);
        return late ? new Promise((resolve) => setTimeout(resolve, 30)).then(run) : run();
      }) as typeof pool.query);
      try {
        for (let round = 0; round < 5; round++) {
          await nodes[0]!.apply([{ kind: 'guest-key-set', venueId: 'va', guestKey: `a${round}` }]);
          await nodes[1]!.apply([{ kind: 'guest-key-set', venueId: 'va', guestKey: `b${round}` }]);
          await a.catchUp();
          await b.catchUp();
          const stored = (await reader.load()).venues[0]?.guestKey;
          expect(stored).toBe(`b${round}`);
          expect(nodes.map((node) => node.records.venues.get('va')?.guestKey)).toEqual([
            stored,
            stored,
          ]);
        }
      } finally {
        vi.restoreAllMocks();
      }
    });
  });

  describe('PostgresJournalStore', () => {
    journalContract(async (retention) => new PostgresJournalStore((await fresh()).pool, retention));
  });

  describe('PostgresMediaStore', () => {
    mediaStoreContract(async () => new PostgresMediaStore((await fresh()).pool));
  });
});

const venueRecord = { id: 'va', name: 'Bar va', libraryId: 'lva', created: 1 };

/**
 * A node of a shared registry store as the Registry uses it: its own batch applied once the store
 * has it, other nodes' as it hears them.
 */
async function asNode(store: RegistryStore) {
  const records = new RegistryRecords(await store.load());
  store.subscribe((changes) => changes.forEach((change) => records.apply(change)));
  return {
    records,
    apply: async (changes: readonly RegistryChange[]) => {
      await store.apply(changes);
      for (const change of changes) records.apply(change);
    },
  };
}
