import type { RoomStorage, StoredRoom } from './RoomStorage';

/** Keeps every room's updates in memory for the life of the process (tests, embedding). */
export class MemoryRoomStorage implements RoomStorage {
  readonly #rooms = new Map<string, Uint8Array[]>();

  async load(room: string): Promise<StoredRoom> {
    const updates = [...(this.#rooms.get(room) ?? [])];
    const bytes = updates.reduce((sum, u) => sum + u.byteLength, 0);
    return { updates, bytes, repairedTail: false };
  }

  async append(room: string, updates: readonly Uint8Array[]): Promise<void> {
    const log = this.#rooms.get(room) ?? [];
    log.push(...updates.map((u) => u.slice()));
    this.#rooms.set(room, log);
  }

  async replace(room: string, merged: Uint8Array): Promise<void> {
    this.#rooms.set(room, [merged.slice()]);
  }

  async release(_room: string): Promise<void> {}

  async close(): Promise<void> {}
}

/**
 * `--ephemeral` (RP15): stores nothing. A room's state lives only in the loaded room while it has
 * clients and is gone when the last one leaves; the design's stateless relay.
 */
export class EphemeralRoomStorage implements RoomStorage {
  async load(_room: string): Promise<StoredRoom> {
    return { updates: [], bytes: 0, repairedTail: false };
  }

  async append(_room: string, _updates: readonly Uint8Array[]): Promise<void> {}

  async replace(_room: string, _merged: Uint8Array): Promise<void> {}

  async release(_room: string): Promise<void> {}

  async close(): Promise<void> {}
}
