import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { MediaTooLarge, type MediaRecord, type MediaStore } from '../storage/MediaStore';
import { inTransaction, type Postgres } from './postgres';

/** Bytes per stored chunk: a range read fetches only the chunks it covers. */
const CHUNK = 1024 * 1024;
/** Chunks fetched per query while streaming a read. */
const CHUNKS_PER_READ = 4;

/**
 * Media in PostgreSQL, shared by every node (RP19, RP42): `media` holds each file's record and
 * `media_chunks` its bytes in 1 MiB rows. Why PostgreSQL and not a shared directory: the cluster
 * then has one durable store to run, replicate and back up, an upload is one transaction (a node
 * killed midway leaves nothing, as PostgreSQL rolls it back), and no node depends on a network
 * file system's locking and fsync. An upload streams its chunks in under a name of its own; at
 * the end, inserting the record decides which of several uploads of the same bytes stores them
 * (the others wait on the row and then find it there, `fresh` false) and the chunks take the
 * hash's name.
 */
export class PostgresMediaStore implements MediaStore {
  readonly #pool: Postgres;

  constructor(pool: Postgres) {
    this.#pool = pool;
  }

  put(body: Readable, type: string, limit: number): Promise<MediaRecord & { fresh: boolean }> {
    return inTransaction(this.#pool, async (client) => {
      const upload = `upload-${randomBytes(12).toString('hex')}`;
      const hash = createHash('sha256');
      let size = 0;
      let n = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const writeChunk = async (chunk: Buffer) => {
        await client.query('INSERT INTO media_chunks (blob, n, data) VALUES ($1, $2, $3)', [
          upload,
          n++,
          chunk,
        ]);
      };
      for await (const piece of body as AsyncIterable<Buffer>) {
        size += piece.byteLength;
        if (size > limit) throw new MediaTooLarge(limit);
        hash.update(piece);
        pending.push(piece);
        pendingBytes += piece.byteLength;
        while (pendingBytes >= CHUNK) {
          const all = Buffer.concat(pending);
          await writeChunk(all.subarray(0, CHUNK));
          pending = [all.subarray(CHUNK)];
          pendingBytes = all.byteLength - CHUNK;
        }
      }
      if (pendingBytes > 0) await writeChunk(Buffer.concat(pending));
      const sha256 = hash.digest('hex');
      const inserted = await client.query(
        'INSERT INTO media (sha256, size, type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [sha256, size, type],
      );
      if (inserted.rowCount === 1) {
        await client.query('UPDATE media_chunks SET blob = $2 WHERE blob = $1', [upload, sha256]);
        return { sha256, size, type, fresh: true };
      }
      await client.query('DELETE FROM media_chunks WHERE blob = $1', [upload]);
      const stored = await client.query<{ type: string }>(
        'SELECT type FROM media WHERE sha256 = $1',
        [sha256],
      );
      return { sha256, size, type: stored.rows[0]?.type ?? type, fresh: false };
    });
  }

  async stat(sha256: string): Promise<MediaRecord | null> {
    const { rows } = await this.#pool.query<{ size: string; type: string }>(
      'SELECT size, type FROM media WHERE sha256 = $1',
      [sha256],
    );
    const row = rows[0];
    return row ? { sha256, size: Number(row.size), type: row.type } : null;
  }

  async read(sha256: string, range?: { start: number; end: number }): Promise<Readable | null> {
    const record = await this.stat(sha256);
    if (!record) return null;
    const start = range?.start ?? 0;
    const end = range?.end ?? record.size - 1;
    if (end < start) return Readable.from([]);
    const pool = this.#pool;
    async function* chunks(): AsyncGenerator<Buffer> {
      let next = Math.floor(start / CHUNK);
      const last = Math.floor(end / CHUNK);
      while (next <= last) {
        const { rows } = await pool.query<{ n: number; data: Buffer }>(
          'SELECT n, data FROM media_chunks WHERE blob = $1 AND n >= $2 AND n <= $3 ORDER BY n',
          [sha256, next, Math.min(last, next + CHUNKS_PER_READ - 1)],
        );
        if (rows.length === 0) throw new Error(`media ${sha256} is missing bytes`);
        for (const { n, data } of rows) {
          const from = n === Math.floor(start / CHUNK) ? start - n * CHUNK : 0;
          const to = n === last ? end - n * CHUNK + 1 : data.byteLength;
          yield data.subarray(from, to);
          next = n + 1;
        }
      }
    }
    return Readable.from(chunks());
  }
}
