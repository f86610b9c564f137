import type { JournalEntry } from '@djamms/protocol';
import {
  checkRetention,
  compactionDue,
  retained,
  type JournalRetention,
  type JournalStore,
} from '../storage/JournalStore';
import { inTransaction, type Postgres } from './postgres';

/**
 * Venue journals in PostgreSQL, shared by every node (RP18, RP29, RP41): one row per entry in
 * `journal_entries`, and per venue a row in `journal_heads` with the last seq and the bytes kept.
 * An append locks its venue's head row, so appends of one venue through any node get consecutive
 * seqs and an entry id is stored once; retention drops the same entries the file store would, in
 * the same transaction, once the venue holds a quarter more than it keeps. Nothing is held in
 * memory.
 */
export class PostgresJournalStore implements JournalStore {
  readonly #pool: Postgres;
  readonly #retention: JournalRetention;

  constructor(pool: Postgres, retention: JournalRetention) {
    checkRetention(retention);
    this.#pool = pool;
    this.#retention = retention;
  }

  append(
    venueId: string,
    entries: readonly Omit<JournalEntry, 'seq'>[],
  ): Promise<{ appended: number; last: number }> {
    return inTransaction(this.#pool, async (client) => {
      await client.query(
        `INSERT INTO journal_heads (venue, last_seq, bytes, guest_bytes) VALUES ($1, 0, 0, 0)
         ON CONFLICT (venue) DO NOTHING`,
        [venueId],
      );
      const head = await client.query<{ last_seq: string; bytes: string; guest_bytes: string }>(
        'SELECT last_seq, bytes, guest_bytes FROM journal_heads WHERE venue = $1 FOR UPDATE',
        [venueId],
      );
      const row = head.rows[0];
      let last = Number(row?.last_seq ?? 0);
      let bytes = Number(row?.bytes ?? 0);
      let guestBytes = Number(row?.guest_bytes ?? 0);
      const known = await client.query<{ id: string }>(
        'SELECT id FROM journal_entries WHERE venue = $1 AND id = ANY($2::text[])',
        [venueId, entries.map((e) => e.id)],
      );
      const seen = new Set(known.rows.map((r) => r.id));
      const fresh: { seq: number; id: string; guest: boolean; size: number; line: string }[] = [];
      for (const entry of entries) {
        if (seen.has(entry.id)) continue;
        seen.add(entry.id);
        const line = JSON.stringify({ ...entry, seq: last + 1 });
        // as a line of the file store: the same budgets keep the same entries
        const size = Buffer.byteLength(line) + 1;
        const guest = entry.role === 'guest';
        fresh.push({ seq: ++last, id: entry.id, guest, size, line });
        bytes += size;
        if (guest) guestBytes += size;
      }
      if (fresh.length === 0) return { appended: 0, last };
      await client.query(
        `INSERT INTO journal_entries (venue, seq, id, guest, size, line)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::boolean[], $5::int[], $6::text[])`,
        [
          venueId,
          fresh.map((f) => f.seq),
          fresh.map((f) => f.id),
          fresh.map((f) => f.guest),
          fresh.map((f) => f.size),
          fresh.map((f) => f.line),
        ],
      );
      if (compactionDue({ bytes, guestBytes }, this.#retention)) {
        const all = await client.query<{ seq: string; size: number; guest: boolean }>(
          'SELECT seq, size, guest FROM journal_entries WHERE venue = $1 ORDER BY seq',
          [venueId],
        );
        const sizes = {
          seqs: all.rows.map((r) => Number(r.seq)),
          sizes: all.rows.map((r) => r.size),
          guests: all.rows.map((r) => r.guest),
        };
        const keep = retained(sizes, this.#retention);
        const dropped = sizes.seqs.filter((_, i) => !keep[i]);
        await client.query('DELETE FROM journal_entries WHERE venue = $1 AND seq = ANY($2)', [
          venueId,
          dropped,
        ]);
        bytes = 0;
        guestBytes = 0;
        keep.forEach((kept, i) => {
          if (!kept) return;
          bytes += sizes.sizes[i] as number;
          if (sizes.guests[i]) guestBytes += sizes.sizes[i] as number;
        });
      }
      await client.query(
        'UPDATE journal_heads SET last_seq = $2, bytes = $3, guest_bytes = $4 WHERE venue = $1',
        [venueId, last, bytes, guestBytes],
      );
      return { appended: fresh.length, last };
    });
  }

  async read(venueId: string, after: number, limit: number): Promise<JournalEntry[]> {
    const { rows } = await this.#pool.query<{ line: string }>(
      'SELECT line FROM journal_entries WHERE venue = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [venueId, after, limit],
    );
    return rows.map((r) => JSON.parse(r.line) as JournalEntry);
  }

  /** Nothing is held in memory. */
  async unloadIdle(_idleMs: number): Promise<void> {}
}
