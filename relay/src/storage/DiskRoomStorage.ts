import { mkdir, open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFrames, encodeFrames } from './frames';
import { appendNow, fsyncDir, writeFileDurably } from './durable-file';
import { CommitLog } from './commit-log';
import type { RoomStorage, StoredRoom } from './RoomStorage';

/**
 * One append-only log file per room under `<data>/rooms/` (RP12). Appends are one write plus one
 * fsync; compaction writes a temp file, fsyncs it, renames it over the log and fsyncs the directory,
 * so a crash leaves either the old log or the new one. A torn tail found on load is copied aside to
 * `<room>.log.corrupt-<time>` and cut off, so later appends stay readable and no byte is destroyed.
 *
 * Appends are made durable by the relay-wide {@link CommitLog} (RP11): the room's log is written
 * without an fsync, then one fdatasync of the commit log covers every room that wrote meanwhile. A
 * loaded room keeps its log open (one descriptor per loaded room, closed when the room unloads, is
 * compacted or fails).
 */
export class DiskRoomStorage implements RoomStorage {
  readonly #dir: string;
  readonly #commits: CommitLog;
  #ready: Promise<void> | null = null;
  readonly #logs = new Map<string, Promise<FileHandle>>();

  /** `onCommit` hears how long each group commit took (metrics). */
  constructor(dataDir: string, onCommit: (seconds: number) => void = () => {}) {
    this.#dir = join(dataDir, 'rooms');
    this.#commits = new CommitLog(dataDir, (room) => this.#syncRoom(room), onCommit);
  }

  /** Creates the rooms directory and replays what a crash left in the commit log, once. */
  #ensureDir(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(this.#dir, { recursive: true });
      await this.#commits.recover(async (room, updates) => {
        await this.#read(room); // sets a torn tail aside first, so the replayed frames stay readable
        const handle = await open(this.#path(room), 'a');
        try {
          await handle.write(encodeFrames(updates));
          await handle.datasync();
        } finally {
          await handle.close();
        }
      });
    })();
    this.#ready.catch(() => (this.#ready = null));
    return this.#ready;
  }

  #path(room: string): string {
    return join(this.#dir, `${room}.log`);
  }

  async load(room: string): Promise<StoredRoom> {
    await this.#ensureDir();
    return this.#read(room);
  }

  async #read(room: string): Promise<StoredRoom> {
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

  /**
   * Writes the room's log (no fsync), then waits for the commit log's group commit. The room's own
   * write comes first so that a checkpoint's fsync of the room log covers every committed update.
   */
  async append(room: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return;
    await this.#ensureDir();
    let log = this.#logs.get(room);
    if (!log) {
      log = open(this.#path(room), 'a');
      this.#logs.set(room, log);
    }
    try {
      appendNow((await log).fd, encodeFrames(updates));
    } catch (error) {
      await this.#close(room);
      throw error;
    }
    await this.#commits.append(room, updates);
  }

  /** fsyncs a room's log (checkpoint); a room whose log is gone has nothing to keep. */
  async #syncRoom(room: string): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(this.#path(room), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  /** Closes a room's open log, if any (a failed open is forgotten too). */
  async #close(room: string): Promise<void> {
    const log = this.#logs.get(room);
    if (!log) return;
    this.#logs.delete(room);
    await log.then((handle) => handle.close()).catch(() => undefined);
  }

  async replace(room: string, merged: Uint8Array): Promise<void> {
    await this.#close(room); // appends go to the new file from now on
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

  async release(room: string): Promise<void> {
    await this.#close(room);
  }

  /** Checkpoints the commit log (room logs fsynced, commit log deleted) and closes every log. */
  async close(): Promise<void> {
    if (!this.#ready) return;
    await this.#ready;
    await this.#commits.checkpoint();
    await Promise.all([...this.#logs.keys()].map((room) => this.#close(room)));
  }
}
