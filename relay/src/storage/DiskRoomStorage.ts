import { mkdir, open, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FRAME_HEADER, decodeFrames, encodeFrames } from './frames';
import { fsyncDir, writeFileDurably } from './durable-file';
import { CommitLog } from './commit-log';
import type { RoomStorage, StoredRoom } from './RoomStorage';

/**
 * One append-only log file per room under `<data>/rooms/` (RP12). Compaction writes a temp file,
 * fsyncs it, renames it over the log and fsyncs the directory, so a crash leaves either the old log
 * or the new one. A torn tail found on load is copied aside to `<room>.log.corrupt-<time>` and cut
 * off, so later appends stay readable and no byte is destroyed.
 *
 * Appends are made durable by the relay-wide {@link CommitLog} alone (RP11): one fdatasync covers
 * every room that wrote meanwhile, and a room's own log is not touched on the way. Each checkpoint
 * then writes every room's committed updates to its log in one write and one fdatasync per room.
 * Until then they are kept in memory (at most a commit-log generation's worth) and a room that loads
 * reads them after its log. Everything that touches one room's file (load, compaction, the
 * checkpoint's write) runs one at a time.
 */
export class DiskRoomStorage implements RoomStorage {
  readonly #dir: string;
  readonly #commits: CommitLog;
  #ready: Promise<void> | null = null;
  /** Per room, committed updates its own log does not hold yet (oldest first). */
  readonly #unwritten = new Map<string, Uint8Array[]>();
  /** Per room, the last operation on its file: the next one waits for it. */
  readonly #fileQueue = new Map<string, Promise<unknown>>();

  /** `onCommit` hears how long each group commit took (metrics). */
  constructor(dataDir: string, onCommit: (seconds: number) => void = () => {}) {
    this.#dir = join(dataDir, 'rooms');
    this.#commits = new CommitLog(dataDir, (room) => this.#writeUnwritten(room), onCommit);
  }

  /** Creates the rooms directory and replays what a crash left in the commit log, once. */
  #ensureDir(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(this.#dir, { recursive: true });
      await this.#commits.recover(async (room, updates) => {
        await this.#read(room); // sets a torn tail aside first, so the replayed frames stay readable
        await this.#appendDurably(room, updates);
      });
    })();
    this.#ready.catch(() => (this.#ready = null));
    return this.#ready;
  }

  #path(room: string): string {
    return join(this.#dir, `${room}.log`);
  }

  /** Runs `operation` on `room`'s file once every earlier one on it has finished. */
  #withFile<T>(room: string, operation: () => Promise<T>): Promise<T> {
    const run = (this.#fileQueue.get(room) ?? Promise.resolve()).then(operation);
    const settled = run.catch(() => undefined);
    this.#fileQueue.set(room, settled);
    void settled.then(() => {
      if (this.#fileQueue.get(room) === settled) this.#fileQueue.delete(room);
    });
    return run;
  }

  /** The rooms with a log or committed updates (the commit log replayed first). */
  async rooms(): Promise<string[]> {
    await this.#ensureDir();
    const logs = (await readdir(this.#dir))
      .filter((f) => f.endsWith('.log'))
      .map((f) => f.slice(0, -'.log'.length));
    return [...new Set([...logs, ...this.#unwritten.keys()])];
  }

  async load(room: string): Promise<StoredRoom> {
    await this.#ensureDir();
    return this.#withFile(room, async () => {
      const stored = await this.#read(room);
      const unwritten = this.#unwritten.get(room);
      if (!unwritten) return stored;
      return {
        updates: [...stored.updates, ...unwritten],
        bytes: stored.bytes + unwritten.reduce((sum, u) => sum + FRAME_HEADER + u.byteLength, 0),
        repairedTail: stored.repairedTail,
      };
    });
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
   * Resolves once the commit log holds `updates` durably (RP11). The room's own log gets them at the
   * next checkpoint; until then {@link load} reads them from memory.
   */
  async append(room: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return;
    await this.#ensureDir();
    const copies = updates.map((update) => update.slice()); // the caller may reuse its buffers
    const unwritten = this.#unwritten.get(room);
    if (unwritten) unwritten.push(...copies);
    else this.#unwritten.set(room, copies);
    await this.#commits.append(room, updates);
  }

  /**
   * Checkpoint (RP11): writes the room's committed updates to its log and fdatasyncs it, then
   * forgets them (kept, for the next checkpoint, if that fails).
   */
  #writeUnwritten(room: string): Promise<void> {
    return this.#withFile(room, async () => {
      const unwritten = this.#unwritten.get(room);
      if (!unwritten) return; // a compaction wrote them already
      const count = unwritten.length;
      await this.#appendDurably(room, unwritten.slice(0, count));
      unwritten.splice(0, count);
      if (unwritten.length === 0) this.#unwritten.delete(room);
    });
  }

  async #appendDurably(room: string, updates: readonly Uint8Array[]): Promise<void> {
    const handle = await open(this.#path(room), 'a');
    try {
      await handle.write(encodeFrames(updates));
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  /** Replaces the log with `merged`, which holds every update appended so far (the room's order). */
  replace(room: string, merged: Uint8Array): Promise<void> {
    return this.#withFile(room, async () => {
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
      this.#unwritten.delete(room);
    });
  }

  /** Nothing to free: a room's unwritten updates stay until the checkpoint writes them. */
  async release(): Promise<void> {}

  /** Checkpoints the commit log: every room log written and fsynced, the commit log deleted. */
  async close(): Promise<void> {
    if (!this.#ready) return;
    await this.#ready;
    await this.#commits.checkpoint();
  }
}
