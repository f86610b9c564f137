import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFrames, encodeFrames } from './frames';
import { fsyncDir, writeFileDurably } from './durable-file';
import type { RoomStorage, StoredRoom } from './RoomStorage';

/**
 * One append-only log file per room under `<data>/rooms/` (RP12). Appends are one write plus one
 * fsync; compaction writes a temp file, fsyncs it, renames it over the log and fsyncs the directory,
 * so a crash leaves either the old log or the new one. A torn tail found on load is copied aside to
 * `<room>.log.corrupt-<time>` and cut off, so later appends stay readable and no byte is destroyed.
 */
export class DiskRoomStorage implements RoomStorage {
  readonly #dir: string;
  #ready: Promise<void> | null = null;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, 'rooms');
  }

  #ensureDir(): Promise<void> {
    this.#ready ??= mkdir(this.#dir, { recursive: true }).then(() => undefined);
    return this.#ready;
  }

  #path(room: string): string {
    return join(this.#dir, `${room}.log`);
  }

  async load(room: string): Promise<StoredRoom> {
    await this.#ensureDir();
    let data: Buffer;
    try {
      data = await readFile(this.#path(room));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { updates: [], bytes: 0, repairedTail: false };
      }
      throw error;
    }
    const { payloads, goodBytes } = decodeFrames(data);
    const repairedTail = goodBytes < data.byteLength;
    if (repairedTail) await this.#setTailAside(room, data, goodBytes);
    return { updates: payloads, bytes: goodBytes, repairedTail };
  }

  async #setTailAside(room: string, data: Buffer, goodBytes: number): Promise<void> {
    const aside = `${this.#path(room)}.corrupt-${Date.now()}`;
    await writeFileDurably(aside, data.subarray(goodBytes));
    const handle = await open(this.#path(room), 'r+');
    try {
      await handle.truncate(goodBytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** One open, write, fdatasync and close per group commit: no descriptor per loaded room. */
  async append(room: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return;
    await this.#ensureDir();
    const handle = await open(this.#path(room), 'a');
    try {
      await handle.write(encodeFrames(updates));
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async replace(room: string, merged: Uint8Array): Promise<void> {
    await this.#ensureDir();
    const temp = `${this.#path(room)}.tmp`;
    await writeFile(temp, encodeFrames([merged]));
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.#path(room));
    await fsyncDir(this.#dir);
  }

  async release(_room: string): Promise<void> {}
}
