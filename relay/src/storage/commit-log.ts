import { mkdir, open, readFile, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FRAME_HEADER, decodeFrames, sealFrame } from './frames';
import { appendNow, fsyncDir, writeFileDurably } from './durable-file';
import { GroupCommit } from './group-commit';

/**
 * Start a new commit log once the current one holds this many bytes… (the room logs get a
 * generation's updates at its checkpoint and keep them in memory until then)
 */
const CHECKPOINT_BYTES = 16 * 1024 * 1024;
/** …or is this old. */
const CHECKPOINT_MS = 60_000;

/** One room's updates in a commit, as the commit log stores them. */
export interface CommittedRoom {
  readonly room: string;
  readonly updates: readonly Uint8Array[];
}

/** One commit-log file and the rooms with updates in it. */
interface Generation {
  readonly path: string;
  readonly file: Promise<FileHandle>;
  readonly openedAt: number;
  /** Rooms whose own logs are written and fsynced at this generation's checkpoint. */
  readonly rooms: Set<string>;
  bytes: number;
}

/**
 * A commit's frames (frames.ts), one per update, each `[u16 name length][name][update]`, encoded
 * straight into one buffer.
 */
function encodeCommit(batch: readonly CommittedRoom[]): Buffer {
  const names = batch.map(({ room }) => Buffer.from(room, 'utf8'));
  let size = 0;
  batch.forEach(({ updates }, i) => {
    for (const update of updates)
      size += FRAME_HEADER + 2 + names[i]!.byteLength + update.byteLength;
  });
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  batch.forEach(({ updates }, i) => {
    const name = names[i]!;
    for (const update of updates) {
      const start = at + FRAME_HEADER;
      out.writeUInt16LE(name.byteLength, start);
      name.copy(out, start + 2);
      out.set(update, start + 2 + name.byteLength);
      at = sealFrame(out, at, start + 2 + name.byteLength + update.byteLength);
    }
  });
  return out;
}

function decodeEntry(payload: Uint8Array): CommittedRoom {
  const length = new DataView(payload.buffer, payload.byteOffset).getUint16(0, true);
  const room = Buffer.from(payload.subarray(2, 2 + length)).toString('utf8');
  return { room, updates: [payload.slice(2 + length)] };
}

/**
 * The relay-wide commit log (RP11): one file that every room's updates are appended to, so one
 * write and one fdatasync make the updates of every room that wrote in the meantime durable (a
 * thousand busy venues used to cost a thousand fsyncs a second, then a write per room per update).
 * A checkpoint writes each room's updates of one commit-log generation to the room's own log
 * (RP12) with one write and one fdatasync, then deletes that generation. After a crash,
 * {@link recover} appends what the commit logs hold to the room logs: Yjs updates are idempotent,
 * so an update the room log already had changes nothing.
 */
export class CommitLog {
  readonly #dir: string;
  #next = 0;
  #current: Generation | null = null;
  readonly #commits = new GroupCommit<CommittedRoom>((batch) => this.#commit(batch));
  #checkpointing: Promise<void> | null = null;
  readonly #writeRoom: (room: string) => Promise<void>;
  readonly #onCommit: (seconds: number) => void;

  /**
   * `writeRoom` makes a room's own log hold its committed updates durably (write and fsync), for
   * checkpoints; `onCommit` hears how long each group commit took (metrics).
   */
  constructor(
    dataDir: string,
    writeRoom: (room: string) => Promise<void>,
    onCommit: (seconds: number) => void,
  ) {
    this.#dir = join(dataDir, 'commit');
    this.#writeRoom = writeRoom;
    this.#onCommit = onCommit;
  }

  /** The generations left on disk, oldest first. */
  async #generations(): Promise<number[]> {
    await mkdir(this.#dir, { recursive: true });
    return (await readdir(this.#dir))
      .filter((f) => /^\d+\.log$/.test(f))
      .map((f) => Number.parseInt(f, 10))
      .sort((a, b) => a - b);
  }

  #path(generation: number): string {
    return join(this.#dir, `${String(generation).padStart(12, '0')}.log`);
  }

  /**
   * Replays the commit logs a crash left (oldest first) through `apply`, which must make the
   * updates durable in the room logs, then deletes them. Run once, before any room loads. A torn
   * tail (a commit that was never acknowledged) is copied aside and ignored.
   */
  async recover(
    apply: (room: string, updates: readonly Uint8Array[]) => Promise<void>,
  ): Promise<number> {
    const generations = await this.#generations();
    let replayed = 0;
    for (const generation of generations) {
      const path = this.#path(generation);
      const data = await readFile(path);
      const { payloads, goodBytes } = decodeFrames(data);
      if (goodBytes < data.byteLength) {
        await writeFileDurably(`${path}.corrupt-${Date.now()}`, data.subarray(goodBytes));
      }
      const byRoom = new Map<string, Uint8Array[]>();
      for (const payload of payloads) {
        const { room, updates } = decodeEntry(payload);
        const list = byRoom.get(room) ?? [];
        list.push(...updates);
        byRoom.set(room, list);
      }
      for (const [room, updates] of byRoom) await apply(room, updates);
      replayed += payloads.length;
      await rm(path);
    }
    if (generations.length > 0) await fsyncDir(this.#dir);
    this.#next = (generations.at(-1) ?? 0) + 1;
    return replayed;
  }

  /**
   * Resolves once `updates` of `room` are durable in the commit log: a group commit (RP11) takes
   * everything that arrived during the current event-loop turn, or while the previous fdatasync ran.
   */
  append(room: string, updates: readonly Uint8Array[]): Promise<void> {
    return this.#commits.add({ room, updates });
  }

  async #commit(batch: readonly CommittedRoom[]): Promise<void> {
    const generation = (this.#current ??= this.#open());
    const started = performance.now();
    try {
      const file = await generation.file;
      const frames = encodeCommit(batch);
      appendNow(file.fd, frames);
      await file.datasync();
      generation.bytes += frames.byteLength;
      for (const { room } of batch) generation.rooms.add(room);
    } catch (error) {
      // a failed write may have left a torn frame: later commits go to a new generation, and this
      // one stays on disk for the next start (its earlier commits were acknowledged)
      if (this.#current === generation) this.#current = null;
      throw error;
    }
    this.#onCommit((performance.now() - started) / 1000);
    if (generation.bytes >= CHECKPOINT_BYTES || Date.now() - generation.openedAt >= CHECKPOINT_MS) {
      void this.checkpoint().catch(() => undefined);
    }
  }

  #open(): Generation {
    const path = this.#path(this.#next++);
    const file = (async () => {
      await mkdir(this.#dir, { recursive: true });
      const handle = await open(path, 'a');
      await fsyncDir(this.#dir);
      return handle;
    })();
    file.catch(() => undefined);
    return { path, file, openedAt: Date.now(), rooms: new Set(), bytes: 0 };
  }

  /**
   * Ends the current generation: later commits go to a new file; once the commit in flight has
   * finished, each room that committed in this generation has its updates written to its own log
   * (fsynced), and the generation's file is deleted.
   * A failure leaves the file for the next start to replay.
   */
  checkpoint(): Promise<void> {
    this.#checkpointing ??= this.#checkpoint().finally(() => (this.#checkpointing = null));
    return this.#checkpointing;
  }

  async #checkpoint(): Promise<void> {
    const generation = this.#current;
    if (!generation) return;
    this.#current = null;
    await this.#commits.current();
    for (const room of generation.rooms) await this.#writeRoom(room);
    await (await generation.file).close();
    await rm(generation.path);
    await fsyncDir(this.#dir);
  }
}
