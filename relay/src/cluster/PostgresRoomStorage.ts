import type { RoomStorage, StoredRoom } from '../storage/RoomStorage';
import type { CommittedRoom } from '../storage/commit-log';
import { GroupCommit, POSTGRES_COMMIT_GAP_MS } from '../storage/group-commit';
import { inTransaction, type Postgres } from './postgres';

/** Rows per INSERT statement (PostgreSQL takes at most 65,535 parameters). */
const ROWS_PER_INSERT = 10_000;
/**
 * Room update logs in PostgreSQL (cluster mode, RP40): one row per update in `room_updates`,
 * shared by every node. Appends from all rooms go into one multi-row INSERT committed once (group
 * commit, RP11, as the disk store's commit log: every INSERT is a round trip to PostgreSQL and a
 * commit, which cost a node more CPU per update than anything else once a thousand venues wrote),
 * and each resolves once PostgreSQL has committed it: that is what a `saved` ack means in cluster
 * mode. Compaction merges a room's rows into its newest row ({@link compactThrough}), which other
 * nodes' appends never conflict with.
 */
export class PostgresRoomStorage implements RoomStorage {
  readonly #pool: Postgres;
  readonly #commits = new GroupCommit<CommittedRoom>(
    (batch) => this.#write(batch),
    POSTGRES_COMMIT_GAP_MS,
  );

  constructor(pool: Postgres) {
    this.#pool = pool;
  }

  async load(room: string): Promise<StoredRoom> {
    const { rows } = await this.#pool.query<{ update: Buffer }>(
      'SELECT update FROM room_updates WHERE room = $1 ORDER BY id',
      [room],
    );
    const updates = rows.map((r) => new Uint8Array(r.update));
    const bytes = updates.reduce((sum, u) => sum + u.byteLength + 8, 0);
    return { updates, bytes, repairedTail: false };
  }

  append(room: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return Promise.resolve();
    // copied now: the caller may reuse its buffers once this returns
    return this.#commits.add({ room, updates: updates.map((u) => Buffer.from(u)) });
  }

  async #write(batch: readonly CommittedRoom[]): Promise<void> {
    const rows: [string, Uint8Array][] = [];
    for (const { room, updates } of batch) {
      for (const update of updates) rows.push([room, update]);
    }
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await this.#insert(rows.slice(i, i + ROWS_PER_INSERT));
    }
  }

  /** One INSERT of many rows; updates go as binary parameters (arrays would go as hex text). */
  async #insert(rows: readonly [string, Uint8Array][]): Promise<void> {
    const values = rows.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
    await this.#pool.query(`INSERT INTO room_updates (room, update) VALUES ${values}`, rows.flat());
  }

  async replace(room: string, merged: Uint8Array): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query('DELETE FROM room_updates WHERE room = $1', [room]);
      await client.query('INSERT INTO room_updates (room, update) VALUES ($1, $2)', [
        room,
        Buffer.from(merged),
      ]);
    });
  }

  /**
   * The compaction worker's replace: the room's rows up to `throughId` become one row, `merged`,
   * kept in the place of row `throughId`, so rows appended meanwhile by any node stay after it.
   * False (nothing changed) when that row is gone, compacted by a worker whose lease ran out.
   */
  async compactThrough(room: string, throughId: string, merged: Uint8Array): Promise<boolean> {
    return inTransaction(this.#pool, async (client) => {
      const kept = await client.query(
        'UPDATE room_updates SET update = $3 WHERE id = $2 AND room = $1',
        [room, throughId, Buffer.from(merged)],
      );
      if (kept.rowCount !== 1) return false;
      await client.query('DELETE FROM room_updates WHERE room = $1 AND id < $2', [room, throughId]);
      return true;
    });
  }

  /** A room's rows with their ids, for the compaction worker. */
  async rows(room: string): Promise<{ id: string; update: Uint8Array }[]> {
    const { rows } = await this.#pool.query<{ id: string; update: Buffer }>(
      'SELECT id, update FROM room_updates WHERE room = $1 ORDER BY id',
      [room],
    );
    return rows.map((r) => ({ id: r.id, update: new Uint8Array(r.update) }));
  }

  async release(_room: string): Promise<void> {}

  async close(): Promise<void> {
    await this.#commits.drained();
  }
}
