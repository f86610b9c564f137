import type { JournalEntry } from '@djamms/protocol';
import { checkRetention, type JournalStore } from '../storage/JournalStore';
import {
  PLAY_KIND,
  compactionDue,
  emptyIndex,
  index,
  retained,
  type JournalQuery,
  type JournalRetention,
} from '../storage/journal-index';
import { inTransaction, type Postgres } from './postgres';

/** One stored entry as a row: what retention and reads look at, and the entry's line. */
export interface JournalRow {
  readonly seq: number;
  readonly id: string;
  readonly kind: string;
  readonly at: number;
  readonly guest: boolean;
  /** Bytes of its line in the file store, newline included: the same budgets keep the same entries. */
  readonly size: number;
  readonly line: string;
}

/** A stored entry as a row. */
export function journalRow(entry: JournalEntry): JournalRow {
  const line = JSON.stringify(entry);
  const { seq, id, kind, at } = entry;
  return {
    seq,
    id,
    kind,
    at,
    guest: entry.role === 'guest',
    size: Buffer.byteLength(line) + 1,
    line,
  };
}

/** What a venue's head row counts of its retained entries. */
interface Head {
  last: number;
  bytes: number;
  guestBytes: number;
  playBytes: number;
  /** The earliest `at` of a retained play; Infinity with none. */
  oldestPlay: number;
}

type Client = Pick<Postgres, 'query'>;

/** Inserts rows of one venue (a retried insert of the same seqs adds nothing). */
export async function insertJournalRows(
  client: Client,
  venueId: string,
  rows: readonly JournalRow[],
): Promise<void> {
  await client.query(
    `INSERT INTO journal_entries (venue, seq, id, kind, at, guest, size, line)
     SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::float8[], $6::boolean[],
                              $7::int[], $8::text[])
     ON CONFLICT DO NOTHING`,
    [
      venueId,
      rows.map((r) => r.seq),
      rows.map((r) => r.id),
      rows.map((r) => r.kind),
      rows.map((r) => r.at),
      rows.map((r) => r.guest),
      rows.map((r) => r.size),
      rows.map((r) => r.line),
    ],
  );
}

/** Writes a venue's head row as `head` counts it. */
export async function writeJournalHead(client: Client, venueId: string, head: Head): Promise<void> {
  await client.query(
    `INSERT INTO journal_heads (venue, last_seq, bytes, guest_bytes, play_bytes, oldest_play)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (venue) DO UPDATE SET last_seq = $2, bytes = $3, guest_bytes = $4,
       play_bytes = $5, oldest_play = $6`,
    [venueId, head.last, head.bytes, head.guestBytes, head.playBytes, head.oldestPlay],
  );
}

/** A head that counts nothing yet. */
export const emptyHead = (): Head => ({
  last: 0,
  bytes: 0,
  guestBytes: 0,
  playBytes: 0,
  oldestPlay: Infinity,
});

/** Counts `row` into `head`. */
export function countRow(head: Head, row: JournalRow): void {
  head.last = Math.max(head.last, row.seq);
  head.bytes += row.size;
  if (row.guest) head.guestBytes += row.size;
  if (row.kind === PLAY_KIND) {
    head.playBytes += row.size;
    head.oldestPlay = Math.min(head.oldestPlay, row.at);
  }
}

/**
 * Venue journals in PostgreSQL, shared by every node (RP18, RP29, RP33, RP34, RP41): one row per
 * entry in `journal_entries` (with its kind and time, for reads and retention), and per venue a
 * row in `journal_heads` with the last seq and the bytes kept. An append locks its venue's head
 * row, so appends of one venue through any node get consecutive seqs and an entry id is stored
 * once. Retention keeps what the file store keeps, in the same transaction: plays older than the
 * history kept are deleted as soon as there are any (a row delete costs little, unlike a file
 * rewrite), and the other entries are cut to their budgets once the venue holds a quarter more.
 * Nothing is held in memory.
 */
export class PostgresJournalStore implements JournalStore {
  readonly #pool: Postgres;
  readonly #retention: JournalRetention;
  readonly #now: () => number;

  constructor(pool: Postgres, retention: JournalRetention, now: () => number = Date.now) {
    checkRetention(retention);
    this.#pool = pool;
    this.#retention = retention;
    this.#now = now;
  }

  append(
    venueId: string,
    entries: readonly Omit<JournalEntry, 'seq'>[],
  ): Promise<{ appended: number; last: number }> {
    return inTransaction(this.#pool, async (client) => {
      await client.query(
        `INSERT INTO journal_heads (venue, last_seq, bytes, guest_bytes, play_bytes, oldest_play)
         VALUES ($1, 0, 0, 0, 0, 'Infinity') ON CONFLICT (venue) DO NOTHING`,
        [venueId],
      );
      const { rows } = await client.query<{
        last_seq: string;
        bytes: string;
        guest_bytes: string;
        play_bytes: string;
        oldest_play: number;
      }>(
        `SELECT last_seq, bytes, guest_bytes, play_bytes, oldest_play FROM journal_heads
         WHERE venue = $1 FOR UPDATE`,
        [venueId],
      );
      const row = rows[0]!;
      const head: Head = {
        last: Number(row.last_seq),
        bytes: Number(row.bytes),
        guestBytes: Number(row.guest_bytes),
        playBytes: Number(row.play_bytes),
        oldestPlay: Number(row.oldest_play),
      };
      const known = await client.query<{ id: string }>(
        'SELECT id FROM journal_entries WHERE venue = $1 AND id = ANY($2::text[])',
        [venueId, entries.map((e) => e.id)],
      );
      const seen = new Set(known.rows.map((r) => r.id));
      const fresh: JournalRow[] = [];
      for (const entry of entries) {
        if (seen.has(entry.id)) continue;
        seen.add(entry.id);
        const stored = journalRow({ ...entry, seq: head.last + 1 } as JournalEntry);
        fresh.push(stored);
        countRow(head, stored);
      }
      if (fresh.length === 0) return { appended: 0, last: head.last };
      await insertJournalRows(client, venueId, fresh);
      const now = this.#now();
      if (head.oldestPlay < now - this.#retention.historyMs) {
        await this.#dropOldPlays(client, venueId, head, now);
      }
      if (compactionDue({ ...emptyIndex(false), ...head }, this.#retention, now)) {
        await this.#compact(client, venueId, head, now);
      }
      await writeJournalHead(client, venueId, head);
      return { appended: fresh.length, last: head.last };
    });
  }

  /** Deletes plays older than the history kept (never the newest entry), and counts them out. */
  async #dropOldPlays(client: Client, venueId: string, head: Head, now: number): Promise<void> {
    const dropped = await client.query<{ size: number }>(
      `DELETE FROM journal_entries WHERE venue = $1 AND kind = $2 AND at < $3 AND seq < $4
       RETURNING size`,
      [venueId, PLAY_KIND, now - this.#retention.historyMs, head.last],
    );
    const bytes = dropped.rows.reduce((sum, r) => sum + r.size, 0);
    head.bytes -= bytes;
    head.playBytes -= bytes;
    const oldest = await client.query<{ at: number | null }>(
      'SELECT min(at) AS at FROM journal_entries WHERE venue = $1 AND kind = $2',
      [venueId, PLAY_KIND],
    );
    head.oldestPlay = oldest.rows[0]?.at ?? Infinity;
  }

  /** Cuts the venue's entries to what retention keeps (RP29), as the file store's compaction does. */
  async #compact(client: Client, venueId: string, head: Head, now: number): Promise<void> {
    const { rows } = await client.query<{
      seq: string;
      id: string;
      kind: string;
      at: number;
      guest: boolean;
      size: number;
    }>('SELECT seq, id, kind, at, guest, size FROM journal_entries WHERE venue = $1 ORDER BY seq', [
      venueId,
    ]);
    const journal = emptyIndex(false);
    for (const r of rows) {
      const line = { id: r.id, seq: Number(r.seq), kind: r.kind, at: r.at };
      index(journal, { ...line, role: r.guest ? 'guest' : 'other' }, r.size);
    }
    const keep = retained(journal, this.#retention, now);
    await client.query('DELETE FROM journal_entries WHERE venue = $1 AND seq = ANY($2)', [
      venueId,
      journal.seqs.filter((_, i) => !keep[i]),
    ]);
    const last = head.last;
    Object.assign(head, emptyHead());
    rows.forEach((r, i) => {
      if (keep[i]) countRow(head, { ...r, seq: Number(r.seq), line: '' });
    });
    head.last = last;
  }

  async read(venueId: string, query: JournalQuery): Promise<JournalEntry[]> {
    const { rows } = await this.#pool.query<{ line: string }>(
      `SELECT line FROM journal_entries
       WHERE venue = $1 AND seq > $2 AND seq < $3 AND ($4::text[] IS NULL OR kind = ANY($4))
         AND at >= $5 AND at < $6
       ORDER BY seq ${query.newest ? 'DESC' : 'ASC'} LIMIT $7`,
      [
        venueId,
        query.after ?? 0,
        query.before ?? Number.MAX_SAFE_INTEGER,
        query.kinds ?? null,
        query.from ?? -Infinity,
        query.to ?? Infinity,
        query.limit,
      ],
    );
    const entries = rows.map((r) => JSON.parse(r.line) as JournalEntry);
    return query.newest ? entries.reverse() : entries;
  }

  /** Nothing is held in memory. */
  async unloadIdle(_idleMs: number): Promise<void> {}
}
