import type { RoomStorage, StoredRoom } from './RoomStorage';

/**
 * Keeps rooms in memory. With `forgetOnRelease` (the relay's `--ephemeral` mode) a room is dropped
 * when its last client leaves: nothing outlives the connections, as the design's stateless relay.
 */
export class MemoryRoomStorage implements RoomStorage {
  readonly #rooms = new Map<string, Uint8Array[]>();
  readonly #forgetOnRelease: boolean;

  constructor({ forgetOnRelease = false }: { forgetOnRelease?: boolean } = {}) {
    this.#forgetOnRelease = forgetOnRelease;
  }

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

  async release(room: string): Promise<void> {
    if (this.#forgetOnRelease) this.#rooms.delete(room);
  }
}
