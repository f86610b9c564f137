import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { writeFileDurably, fsyncDir } from './durable-file';
import { MediaTooLarge, type MediaRecord, type MediaStore } from './MediaStore';

/**
 * Media on a single relay's disk: `<dir>/<sha256>` plus `<sha256>.json` with its type. Uploads
 * stream into a temp file with a size limit while hashing, then are renamed atomically (file and
 * directory fsynced); concurrent uploads of the same bytes store them once.
 */
export class DiskMediaStore implements MediaStore {
  readonly #dir: string;
  /** Hash → the commit of those bytes in progress, so a second upload waits for it. */
  readonly #committing = new Map<string, Promise<boolean>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  #path(sha256: string): string {
    return join(this.#dir, sha256);
  }

  async put(
    body: Readable,
    type: string,
    limit: number,
  ): Promise<MediaRecord & { fresh: boolean }> {
    await mkdir(this.#dir, { recursive: true });
    const temp = join(this.#dir, `.upload-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.byteLength;
        if (size > limit) {
          done(new MediaTooLarge(limit));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(temp, { flags: 'wx' }));
      const sha256 = hash.digest('hex');
      const record = { sha256, size, type };
      const fresh = await this.#commitOnce(temp, record);
      const stored = fresh ? record : await this.stat(sha256);
      if (!stored) throw new Error(`media ${sha256} vanished while stored`);
      return { ...stored, fresh };
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Commits `temp` as `record` unless those bytes are stored; true if this call stored them. */
  async #commitOnce(temp: string, record: MediaRecord): Promise<boolean> {
    const { sha256 } = record;
    const running = this.#committing.get(sha256);
    if (running) {
      await running.catch(() => undefined);
      return this.#commitOnce(temp, record);
    }
    const commit = this.#commit(temp, record).finally(() => this.#committing.delete(sha256));
    this.#committing.set(sha256, commit);
    return commit;
  }

  async #commit(temp: string, record: MediaRecord): Promise<boolean> {
    const { sha256 } = record;
    if (await this.stat(sha256)) return false;
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await writeFileDurably(`${this.#path(sha256)}.json`, JSON.stringify(record));
    await rename(temp, this.#path(sha256));
    await fsyncDir(this.#dir);
    return true;
  }

  async stat(sha256: string): Promise<MediaRecord | null> {
    try {
      const meta = JSON.parse(await readFile(`${this.#path(sha256)}.json`, 'utf8')) as MediaRecord;
      const info = await stat(this.#path(sha256));
      return { sha256, size: info.size, type: meta.type };
    } catch {
      return null;
    }
  }

  async read(sha256: string, range?: { start: number; end: number }): Promise<Readable | null> {
    try {
      const handle = await open(this.#path(sha256), 'r');
      return handle.createReadStream(range ?? {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }
}
