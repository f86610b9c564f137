import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { PairableRole, Role } from '@djamms/protocol';
import type { Logger } from '../ops/logger';
import {
  RegistryConflict,
  type DeviceRecord,
  type PairingCodeRecord,
  type RegistryChange,
  type RegistryContents,
  type RegistryStore,
  type VenueRecord,
} from '../storage/RegistryStore';
import { LOCK_REGISTRY, inTransaction, type Postgres } from './postgres';

type Listener = (changes: readonly RegistryChange[]) => void;

/** The channel a node notifies after each batch; listeners then read `registry_changes`. */
const CHANNEL = 'djamms_registry';
/** Changes are kept this long for nodes that lost their connection to catch up from. */
const KEEP_CHANGES = '1 day';

/** Options for {@link PostgresRegistryStore.open}. */
export interface PostgresRegistryOptions {
  readonly pool: Postgres;
  /** How a node makes its own connection for LISTEN (the pool's connections are shared). */
  readonly listenConnection: () => pg.Client;
  readonly logger: Logger;
}

/**
 * The registry in PostgreSQL, shared by every node of a cluster (RP41): tables `venues`,
 * `devices` and `pairing_codes`, changed by batches in one transaction each. Batches are
 * serialized by an advisory lock, so a pairing code is redeemed once however many nodes race
 * (the DELETE of a code that is gone finds no row, and the batch is refused whole), and each batch
 * is also written to `registry_changes` with an id in commit order. Other nodes hear of it through
 * LISTEN/NOTIFY and read every batch after the last id they saw, so a node whose connection dropped
 * catches up when it reconnects rather than missing changes (a revocation above all).
 */
export class PostgresRegistryStore implements RegistryStore {
  readonly #opts: PostgresRegistryOptions;
  readonly #node = randomBytes(8).toString('hex');
  readonly #listeners = new Set<Listener>();
  /** The id of the last batch heard (this node's own included). */
  #heard: string;
  #client: pg.Client | null = null;
  #closed = false;
  /** Reads of other nodes' batches and this node's own batches, one at a time, in order. */
  #turns: Promise<void> = Promise.resolve();
  #retry: NodeJS.Timeout | null = null;

  private constructor(opts: PostgresRegistryOptions, heard: string) {
    this.#opts = opts;
    this.#heard = heard;
  }

  /** A node's store; it hears every batch applied by other nodes from now on. */
  static async open(opts: PostgresRegistryOptions): Promise<PostgresRegistryStore> {
    const { rows } = await opts.pool.query<{ last: string }>(
      'SELECT coalesce(max(id), 0) AS last FROM registry_changes',
    );
    const store = new PostgresRegistryStore(opts, rows[0]?.last ?? '0');
    await store.#listen();
    return store;
  }

  async load(): Promise<RegistryContents> {
    return inTransaction(
      this.#opts.pool,
      async (client) => {
        const venues = await client.query<VenueRow>('SELECT * FROM venues ORDER BY ord');
        const devices = await client.query<DeviceRow>('SELECT * FROM devices ORDER BY ord');
        const codes = await client.query<CodeRow>('SELECT * FROM pairing_codes ORDER BY ord');
        return {
          venues: venues.rows.map(venueOf),
          devices: devices.rows.map(deviceOf),
          pairingCodes: new Map(codes.rows.map((row) => [row.code, codeOf(row)])),
        };
      },
      'REPEATABLE READ',
    );
  }

  /**
   * Applies a batch in one transaction. Before it resolves, this node hears every batch committed
   * before this one that it had not heard yet, and none after: the caller then applies its own
   * after the first and before the second, so every node applies batches in commit order, as
   * PostgreSQL did (a guest key set through two nodes at once ends the same on both, RP41). It
   * takes its turn with the reads of other nodes' batches for that.
   */
  apply(changes: readonly RegistryChange[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    const applied = this.#turns.then(async () => {
      const { earlier, id } = await inTransaction(this.#opts.pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_REGISTRY]);
        // under the lock, every batch before this one is committed and visible
        const before = await client.query<Batch>(BATCHES_AFTER, [this.#heard]);
        for (const run of runsOf(changes)) await applyRun(client, run);
        const { rows } = await client.query<{ id: string }>(
          'INSERT INTO registry_changes (node, changes) VALUES ($1, $2) RETURNING id',
          [this.#node, JSON.stringify(changes)],
        );
        const id = rows[0]?.id ?? '0';
        await client.query('SELECT pg_notify($1, $2)', [CHANNEL, id]);
        return { earlier: before.rows, id };
      });
      this.#hear(earlier);
      this.#heard = id;
    });
    this.#turns = applied.catch(() => undefined);
    return applied;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  catchUp(): Promise<void> {
    this.#catchUp();
    return this.#turns;
  }

  /** Drops batches older than a day (the worker holding the lease calls it now and then). */
  async trimChanges(): Promise<void> {
    await this.#opts.pool.query(
      `DELETE FROM registry_changes WHERE at < now() - interval '${KEEP_CHANGES}'
       AND id < (SELECT max(id) FROM registry_changes)`,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
    await this.#turns;
  }

  /** Connects for LISTEN; on losing the connection, reconnects and catches up. */
  async #listen(): Promise<void> {
    const client = this.#opts.listenConnection();
    const lost = (error?: unknown) => {
      if (this.#client !== client) return;
      this.#client = null;
      client.end().catch(() => undefined);
      if (this.#closed) return;
      this.#opts.logger.log('warn', 'registry-listen-lost', { error: String(error) });
      this.#reconnectSoon();
    };
    client.on('error', lost);
    client.on('end', () => lost('connection ended'));
    client.on('notification', () => this.#catchUp());
    this.#client = client;
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    // batches applied while this node was not listening
    this.#catchUp();
  }

  #reconnectSoon(): void {
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.#listen().catch((error: unknown) => {
        if (this.#client) this.#client = null;
        if (!this.#closed) {
          this.#opts.logger.log('warn', 'registry-listen-failed', { error: String(error) });
          this.#reconnectSoon();
        }
      });
    }, 250);
  }

  /** Tells the listeners of other nodes' batches in `batches` (in commit order), and moves on. */
  #hear(batches: readonly Batch[]): void {
    for (const batch of batches) {
      this.#heard = batch.id;
      if (batch.node === this.#node) continue;
      for (const listener of this.#listeners) listener(batch.changes);
    }
  }

  /** Reads every batch after the last one heard, one reader at a time, and tells the listeners. */
  #catchUp(): void {
    this.#turns = this.#turns.then(async () => {
      if (this.#closed) return;
      try {
        const { rows } = await this.#opts.pool.query<Batch>(BATCHES_AFTER, [this.#heard]);
        this.#hear(rows);
      } catch (error) {
        this.#opts.logger.log('warn', 'registry-catch-up-failed', { error: String(error) });
      }
    });
  }
}

/** A batch as `registry_changes` keeps it. */
interface Batch {
  id: string;
  node: string;
  changes: RegistryChange[];
}

const BATCHES_AFTER = 'SELECT id, node, changes FROM registry_changes WHERE id > $1 ORDER BY id';

/** Consecutive changes of one kind, applied with one statement where that is safe. */
function runsOf(changes: readonly RegistryChange[]): RegistryChange[][] {
  const bulk = new Set(['venue-created', 'device-paired', 'pairing-code-created', 'device-seen']);
  const runs: RegistryChange[][] = [];
  for (const change of changes) {
    const last = runs[runs.length - 1];
    if (last && bulk.has(change.kind) && last[0]?.kind === change.kind) last.push(change);
    else runs.push([change]);
  }
  return runs;
}

/** Applies a run of changes of one kind; throws {@link RegistryConflict} for a code gone. */
async function applyRun(client: pg.PoolClient, run: readonly RegistryChange[]): Promise<void> {
  const first = run[0] as RegistryChange;
  const rows = (pick: (c: RegistryChange) => unknown) => JSON.stringify(run.map(pick));
  switch (first.kind) {
    case 'venue-created':
      await client.query(
        `INSERT INTO venues (id, name, library_id, created, guest_key)
         SELECT id, name, "libraryId", created, "guestKey"
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id text, name text, "libraryId" text, created bigint, "guestKey" text)) WITH ORDINALITY
           AS v(id, name, "libraryId", created, "guestKey", n)
         ORDER BY n ON CONFLICT (id) DO NOTHING`,
        [rows((c) => (c as { venue: VenueRecord }).venue)],
      );
      return;
    case 'device-paired':
      await client.query(
        `INSERT INTO devices (id, venue_id, role, name, paired, last_seen, revoked)
         SELECT id, "venueId", role, name, paired, "lastSeen", revoked
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id text, "venueId" text, role text, name text, paired bigint, "lastSeen" bigint,
                revoked boolean)) WITH ORDINALITY
           AS d(id, "venueId", role, name, paired, "lastSeen", revoked, n)
         ORDER BY n ON CONFLICT (id) DO NOTHING`,
        [rows((c) => (c as { device: DeviceRecord }).device)],
      );
      return;
    case 'pairing-code-created':
      await client.query(
        `INSERT INTO pairing_codes (code, venue_id, role, name, expires_at)
         SELECT code, "venueId", role, name, "expiresAt"
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (code text, "venueId" text, role text, name text, "expiresAt" bigint)) WITH ORDINALITY
           AS p(code, "venueId", role, name, "expiresAt", n)
         ORDER BY n
         ON CONFLICT (code) DO UPDATE SET venue_id = excluded.venue_id, role = excluded.role,
           name = excluded.name, expires_at = excluded.expires_at`,
        [
          rows((c) => {
            const { code, record } = c as { code: string; record: PairingCodeRecord };
            return { code, ...record };
          }),
        ],
      );
      return;
    case 'device-seen':
      await client.query(
        `UPDATE devices SET last_seen = s.seen
         FROM (SELECT "deviceId" AS id, max("lastSeen") AS seen
               FROM jsonb_to_recordset($1::jsonb) AS x("deviceId" text, "lastSeen" bigint)
               GROUP BY "deviceId") AS s
         WHERE devices.id = s.id AND (devices.last_seen IS NULL OR devices.last_seen < s.seen)`,
        [rows((c) => c)],
      );
      return;
    case 'guest-key-set':
      await client.query('UPDATE venues SET guest_key = $2 WHERE id = $1', [
        first.venueId,
        first.guestKey,
      ]);
      return;
    case 'device-revoked':
      await client.query('UPDATE devices SET revoked = true WHERE id = $1', [first.deviceId]);
      return;
    case 'device-renamed':
      await client.query('UPDATE devices SET name = $2 WHERE id = $1', [
        first.deviceId,
        first.name,
      ]);
      return;
    case 'pairing-code-redeemed': {
      const gone = await client.query('DELETE FROM pairing_codes WHERE code = $1', [first.code]);
      if (gone.rowCount !== 1) throw new RegistryConflict(first.code);
      return;
    }
    case 'pairing-code-dropped':
      await client.query('DELETE FROM pairing_codes WHERE code = $1', [first.code]);
      return;
  }
}

interface VenueRow {
  id: string;
  name: string;
  library_id: string;
  created: string;
  guest_key: string | null;
}
interface DeviceRow {
  id: string;
  venue_id: string;
  role: string;
  name: string;
  paired: string;
  last_seen: string | null;
  revoked: boolean;
}
interface CodeRow {
  code: string;
  venue_id: string;
  role: string;
  name: string;
  expires_at: string;
}

const venueOf = (r: VenueRow): VenueRecord => ({
  id: r.id,
  name: r.name,
  libraryId: r.library_id,
  created: Number(r.created),
  guestKey: r.guest_key,
});
const deviceOf = (r: DeviceRow): DeviceRecord => ({
  id: r.id,
  venueId: r.venue_id,
  role: r.role as Role,
  name: r.name,
  paired: Number(r.paired),
  lastSeen: r.last_seen === null ? null : Number(r.last_seen),
  revoked: r.revoked,
});
const codeOf = (r: CodeRow): PairingCodeRecord => ({
  venueId: r.venue_id,
  role: r.role as PairableRole,
  name: r.name,
  expiresAt: Number(r.expires_at),
});
