import type { RoomKind } from '@djamms/protocol';
import { Room, type CompactionPolicy } from './Room';
import type { RoomStorage } from '../storage/RoomStorage';
import type { RoomBus, RoomBusDelivery } from './RoomBus';
import type { Metrics } from '../ops/metrics';
import type { Logger } from '../ops/logger';
import { CloseCode } from '@djamms/protocol';

/** Options for {@link RoomHost}. */
export interface RoomHostOptions {
  readonly storage: RoomStorage;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /**
   * Null when storage keeps nothing to compact (ephemeral). Ignored with a bus: nodes sharing a
   * room's log must not each rewrite it (in cluster mode one worker compacts).
   */
  readonly compaction: CompactionPolicy | null;
  /** The transport to the same rooms on other nodes (RP32); null on a single node. */
  readonly bus: RoomBus | null;
}

/**
 * Opens and unloads rooms (RP12): one load per room however many peers arrive at once (single
 * flight), no room used before its load finished, a failed load stored nowhere, and a room freed
 * once its last peer left and its writes are flushed. With a bus, a loaded room also hears the
 * same room on other nodes: its subscription is ready before it reads storage, so an update stored
 * elsewhere is either read or heard; when the bus reports a gap, it reads storage again.
 */
export class RoomHost {
  readonly #rooms = new Map<string, Promise<Room>>();
  readonly #loaded = new Map<string, Room>();
  /** Loaded room → how it stops hearing other nodes. */
  readonly #unsubscribes = new Map<Room, () => void>();
  /** Rooms rereading storage after a gap; `again` when another gap came meanwhile. */
  readonly #catchUps = new Map<Room, { again: boolean }>();
  readonly #opts: RoomHostOptions;
  #users = new Map<string, number>();

  constructor(opts: RoomHostOptions) {
    this.#opts = opts;
  }

  /** Rooms currently loaded. */
  get size(): number {
    return this.#loaded.size;
  }

  /** Loaded rooms another node has open too (RP52); 0 without a bus. */
  get shared(): number {
    return this.#opts.bus?.sharedRooms() ?? 0;
  }

  /** Every loaded room. */
  rooms(): IterableIterator<Room> {
    return this.#loaded.values();
  }

  /**
   * Opens a room for a user (a peer or an HTTP request); pair every call with {@link release}.
   * Rejects if the stored room cannot be read; nothing is written in that case.
   */
  open(name: string, kind: RoomKind): Promise<Room> {
    this.#users.set(name, (this.#users.get(name) ?? 0) + 1);
    let room = this.#rooms.get(name);
    if (!room) {
      room = this.#load(name, kind);
      this.#rooms.set(name, room);
      room.catch(() => {
        if (this.#rooms.get(name) === room) this.#rooms.delete(name);
      });
    }
    return room;
  }

  async #load(name: string, kind: RoomKind): Promise<Room> {
    const { storage, metrics, logger, compaction, bus } = this.#opts;
    let room: Room | null = null;
    const early: RoomBusDelivery[] = [];
    // a gap reported while storage is read may be of an update stored after that read started
    let gapWhileLoading = false;
    const unsubscribe = bus?.subscribe(
      name,
      (delivery) => {
        if (room) room.receiveRemote(delivery);
        else early.push(delivery);
      },
      () => {
        if (room) void this.#catchUp(room);
        else gapWhileLoading = true;
      },
      // a room still loading has no sockets, so no presence of its own to share
      () => room?.sharePresence(),
    );
    let stored;
    try {
      await unsubscribe?.ready;
      stored = await storage.load(name);
    } catch (error) {
      unsubscribe?.();
      throw error;
    }
    if (stored.repairedTail) logger.log('warn', 'room-torn-tail-set-aside', { room: name });
    room = new Room(name, kind, stored, {
      storage,
      metrics,
      logger,
      compaction: bus ? null : compaction,
      bus,
      onBroken: (broken) => this.#drop(broken),
    });
    for (const delivery of early) room.receiveRemote(delivery);
    if (unsubscribe) this.#unsubscribes.set(room, unsubscribe);
    this.#loaded.set(name, room);
    if (gapWhileLoading) void this.#catchUp(room);
    if (!this.#users.get(name)) queueMicrotask(() => void this.#unloadWhenIdle(name));
    return room;
  }

  /**
   * The bus may have lost messages (its server restarted, a node failed to publish, RP48): reread
   * the room's stored updates and send peers what they lack. Gaps reported while a reread runs
   * lead to one more reread after it (it may have started before what was missed was stored). A
   * failed read leaves the room as it was (the next gap rereads).
   */
  async #catchUp(room: Room): Promise<void> {
    const running = this.#catchUps.get(room);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: true };
    this.#catchUps.set(room, state);
    try {
      while (state.again && this.#loaded.get(room.name) === room) {
        state.again = false;
        try {
          room.catchUp(await this.#opts.storage.load(room.name));
        } catch (error) {
          this.#opts.logger.log('warn', 'room-catch-up-failed', {
            room: room.name,
            error: String(error),
          });
        }
      }
    } finally {
      this.#catchUps.delete(room);
    }
  }

  /** Ends one use of a room; the last one unloads it after its writes are flushed. */
  release(name: string): void {
    const users = (this.#users.get(name) ?? 1) - 1;
    if (users > 0) {
      this.#users.set(name, users);
      return;
    }
    this.#users.delete(name);
    void this.#unloadWhenIdle(name);
  }

  async #unloadWhenIdle(name: string): Promise<void> {
    const room = this.#loaded.get(name);
    if (!room) return;
    try {
      await room.compactNow();
    } catch (error) {
      this.#opts.logger.log('warn', 'room-compaction-failed', { room: name, error: String(error) });
    }
    if ((this.#users.get(name) ?? 0) > 0 || room.busy || this.#loaded.get(name) !== room) return;
    this.#forget(room);
    await this.#opts.storage.release(name);
  }

  #forget(room: Room): void {
    this.#unsubscribes.get(room)?.();
    this.#unsubscribes.delete(room);
    this.#loaded.delete(room.name);
    this.#rooms.delete(room.name);
  }

  /** A room whose storage failed: close its peers (they retry) and reload it from disk later. */
  #drop(room: Room): void {
    if (this.#loaded.get(room.name) !== room) return;
    this.#forget(room);
    for (const peer of room.peers) peer.close(CloseCode.internal, 'storage-failed');
  }

  /** Drops per-room caches that only help peers joining at the same moment. */
  trimCaches(): void {
    for (const room of this.#loaded.values()) room.trimCaches();
  }

  /** Waits for every room's pending writes (graceful shutdown, RP15). */
  async flushAll(): Promise<void> {
    await Promise.all([...this.#loaded.values()].map((room) => room.flushed()));
  }
}
