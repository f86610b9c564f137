import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { writeFileDurably, fsyncDir } from './durable-file';
import { HttpError } from '../http/http-util';

/** A stored media file. */
export interface MediaRecord {
  readonly sha256: string;
  readonly size: number;
  readonly type: string;
}

/**
 * Content-addressed media (RP19): `<data>/media/<sha256>` plus `<sha256>.json` with its type.
 * Uploads stream into a temp file with a size limit while hashing, then rename atomically; the
 * same bytes uploaded twice are stored once.
 */
export class MediaStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Path of a stored file. */
  path(sha256: string): string {
    return join(this.#dir, sha256);
  }

  /** Streams `body` in; rejects with 413 past `limit` bytes. */
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
          done(new HttpError(413, 'media-too-large', `Media files are limited to ${limit} bytes.`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(temp, { flags: 'wx' }));
      const sha256 = hash.digest('hex');
      const fresh = await this.#commit(temp, sha256, type, size);
      return { sha256, size, type, fresh };
    } finally {
      await rm(temp, { force: true });
    }
  }

  async #commit(temp: string, sha256: string, type: string, size: number): Promise<boolean> {
    if (await this.get(sha256)) return false;
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await writeFileDurably(`${this.path(sha256)}.json`, JSON.stringify({ sha256, size, type }));
    await rename(temp, this.path(sha256));
    await fsyncDir(this.#dir);
    return true;
  }

  /** The stored record, or null. */
  async get(sha256: string): Promise<MediaRecord | null> {
    try {
      const meta = JSON.parse(await readFile(`${this.path(sha256)}.json`, 'utf8')) as MediaRecord;
      const info = await stat(this.path(sha256));
      return { sha256, size: info.size, type: meta.type };
    } catch {
      return null;
    }
  }
}
