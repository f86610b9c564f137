/** What a room's storage holds when the room opens. */
export interface StoredRoom {
  /** Every stored update, oldest first (after compaction: usually one merged update). */
  readonly updates: readonly Uint8Array[];
  /** Bytes of the stored log (for compaction decisions and metrics). */
  readonly bytes: number;
  /** True when a torn or corrupt tail was found and set aside on load. */
  readonly repairedTail: boolean;
}

/**
 * Where rooms keep their updates (RP12). The disk and in-memory implementations share one
 * contract test suite (storage-contract.ts). Calls for one room are never concurrent: the room
 * serializes them.
 */
export interface RoomStorage {
  /** Reads a room; an unknown room is empty. Throws when the stored bytes cannot be read. */
  load(room: string): Promise<StoredRoom>;
  /** Appends updates; resolves only once they are durable (fsync for disk storage). */
  append(room: string, updates: readonly Uint8Array[]): Promise<void>;
  /** Atomically replaces the room's log with one merged update (compaction). */
  replace(room: string, merged: Uint8Array): Promise<void>;
  /** The room was unloaded (no clients, writes flushed): ephemeral storage forgets it. */
  release(room: string): Promise<void>;
  /** The relay is stopping and every room's writes are flushed: leave storage tidy. */
  close(): Promise<void>;
}
