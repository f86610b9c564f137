import * as Y from 'yjs';
import type { RoomKind } from '@djamms/protocol';
import type { RoomStorage, StoredRoom } from '../storage/RoomStorage';
import type { RoomPeer } from './room-peer';
import type { RoomBus, RoomBusDelivery } from './RoomBus';
import type { Metrics } from '../ops/metrics';
import type { Logger } from '../ops/logger';
import { RoomAwareness, type AwarenessOwner } from './RoomAwareness';
import {
  GC_MAX_BYTES,
  MergedUpdates,
  collectGarbage,
  mergeAll,
  logUnreadable,
} from './MergedUpdates';
import type { UpdateClocks } from './update-check';
import {
  awarenessMessage,
  savedMessage,
  syncStep1Message,
  syncUpdateMessage,
} from './room-messages';

/** When to compact a room's log (RP13). */
export interface CompactionPolicy {
  /** Compact when the log holds more frames than this. */
  readonly maxFrames: number;
  /** Compact when the log is this many times larger than the merged state (plus 64 KiB). */
  readonly maxGrowth: number;
}

/** What a room needs from the relay. */
export interface RoomContext {
  readonly storage: RoomStorage;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Null when storage keeps nothing to compact (ephemeral), or other nodes share it. */
  readonly compaction: CompactionPolicy | null;
  /** The room on other nodes (cluster mode), or null on a single node. */
  readonly bus: RoomBus | null;
  /** Called when a durable write failed: the host drops the room so it reloads from disk. */
  readonly onBroken: (room: Room) => void;
}

interface PendingUpdate {
  readonly update: Uint8Array;
  readonly from: RoomPeer | null;
  /** Set when a caller waits for durability (HTTP sync); sockets get `saved` acks instead. */
  readonly waiter: { resolve: () => void; reject: (error: unknown) => void } | null;
  /** `performance.now()` when the relay received it, for the durability histogram. */
  readonly received: number;
  /** Its clock ranges, when the caller read them while checking it. */
  readonly clocks: UpdateClocks | undefined;
}

/**
 * One open room: the merged state as binary updates (no Y.Doc), its peers, presence, and the group
 * commit of incoming updates to storage. Created loaded (see RoomHost: single-flight load).
 */
export class Room {
  readonly name: string;
  readonly kind: RoomKind;
  readonly peers = new Set<RoomPeer>();
  readonly awareness = new RoomAwareness();
  /** Durable updates stored since the room opened; the `saved` sequence number. */
  seq = 0;
  readonly #state: MergedUpdates;
  #stateVector: Uint8Array | null = null;
  #diffs = new Map<string, Uint8Array>();
  #pending: PendingUpdate[] = [];
  #tail: Promise<void> = Promise.resolve();
  #operations = 0;
  #flushScheduled = false;
  #frames: number;
  #logBytes: number;
  #savedByPeer = new Map<RoomPeer, number>();
  #broken = false;
  #mergedBytes = 0;
  #durable: Map<number, number>;
  #gapped: UpdateClocks[] = [];
  /** Owners of the presence other nodes relayed, one per node. */
  #remoteOwners: Map<string, AwarenessOwner> | null = null;
  readonly #ctx: RoomContext;

  constructor(name: string, kind: RoomKind, stored: StoredRoom, ctx: RoomContext) {
    this.name = name;
    this.kind = kind;
    this.#ctx = ctx;
    this.#state = new MergedUpdates(stored.updates, logUnreadable(ctx.logger, name));
    this.#frames = stored.updates.length;
    this.#logBytes = stored.bytes;
    this.#durable = Y.decodeStateVector(this.stateVector());
  }

  /** The merged state of everything received, merging pending parts once. */
  snapshot(): Uint8Array {
    if (!this.#state.merged) this.#stateVector = null;
    const merged = this.#state.snapshot();
    this.#mergedBytes = merged.byteLength;
    return merged;
  }

  /** The state vector of {@link snapshot}. */
  stateVector(): Uint8Array {
    const snapshot = this.snapshot();
    this.#stateVector ??= Y.encodeStateVectorFromUpdate(snapshot);
    return this.#stateVector;
  }

  /**
   * What a peer with `stateVector` lacks (RP3). Peers joining at once with the same state vector
   * share one computed diff; the cache is dropped whenever the room changes.
   */
  diffFor(stateVector: Uint8Array): Uint8Array {
    const key = Buffer.from(stateVector).toString('latin1');
    let diff = this.#diffs.get(key);
    if (!diff) {
      diff = Y.diffUpdate(this.snapshot(), stateVector);
      if (this.#diffs.size > 32) this.#diffs.clear();
      this.#diffs.set(key, diff);
    }
    return diff;
  }

  /** Drops cached join diffs (called periodically: they only help peers joining together). */
  trimCaches(): void {
    this.#diffs.clear();
  }

  /** Adds a peer and sends it the relay's state vector and current presence (RP2). */
  join(peer: RoomPeer): void {
    this.peers.add(peer);
    peer.send(syncStep1Message(this.stateVector()));
    const presence = this.awareness.snapshot();
    if (presence) peer.send(awarenessMessage(presence));
  }

  /** Removes a peer, clearing the presence it owned. */
  leave(peer: RoomPeer): void {
    if (!this.peers.delete(peer)) return;
    this.#savedByPeer.delete(peer);
    const removal = this.awareness.removePeer(peer);
    if (removal) this.relayAwareness(removal);
  }

  /**
   * Sends an awareness update this node accepted to every peer, the sender included (RP9), and to
   * the room on other nodes.
   */
  relayAwareness(update: Uint8Array): void {
    this.broadcast(awarenessMessage(update), null);
    void this.#ctx.bus?.publish(this.name, { kind: 'awareness', update });
  }

  /**
   * Sends the presence this node's own sockets hold to the room on other nodes: a node that opened
   * the room did not hear it if it was relayed before this one heard of it (RP52).
   */
  sharePresence(): void {
    const update = this.awareness.snapshot((owner) => this.peers.has(owner as RoomPeer));
    if (update) void this.#ctx.bus?.publish(this.name, { kind: 'awareness', update });
  }

  /**
   * A message from the room on another node (RP32): its updates, stored there already, go to every
   * peer and into the merged state but are not stored again; its presence is owned by that node.
   */
  receiveRemote({ node, message }: RoomBusDelivery): void {
    if (this.#broken) return;
    if (message.kind === 'awareness') {
      const relayed = this.awareness.apply(this.#remoteOwner(node), message.update, true);
      if (relayed) this.broadcast(awarenessMessage(relayed), null);
      return;
    }
    this.#takeStored(message.updates);
  }

  /** Updates another node stored: to every peer and into the merged state, not stored again. */
  #takeStored(updates: readonly Uint8Array[]): void {
    for (const update of updates) {
      this.broadcast(syncUpdateMessage(update), null);
      this.#state.push(update);
      this.#advanceDurable(update);
    }
    this.#stateVector = null;
    if (this.#diffs.size > 0) this.#diffs.clear();
  }

  /**
   * Updates stored by other nodes that the bus may not have delivered (RP43): whatever of `stored`
   * this room lacks goes to every peer and into the merged state. Updates are idempotent, so
   * what the room had already changes nothing.
   */
  catchUp(stored: StoredRoom): void {
    if (this.#broken || stored.updates.length === 0) return;
    this.#takeStored([
      Y.diffUpdate(
        mergeAll(stored.updates, logUnreadable(this.#ctx.logger, this.name)),
        this.stateVector(),
      ),
    ]);
  }

  #remoteOwner(node: string): AwarenessOwner {
    this.#remoteOwners ??= new Map();
    let owner = this.#remoteOwners.get(node);
    if (!owner) {
      owner = { deviceId: null };
      this.#remoteOwners.set(node, owner);
    }
    return owner;
  }

  /**
   * Accepts a validated, non-empty update (RP4): relays it to every other peer at once (never back
   * to `from`), adds it to the merged state and queues it for the next group commit. The sender
   * learns durability from `saved` acks (RP8). `message` is the encoded sync-update message if the
   * caller already has it, and `clocks` the update's clock ranges if the caller read them while
   * checking it (`checkUpdate`).
   */
  receive(
    update: Uint8Array,
    from: RoomPeer | null,
    message?: Uint8Array,
    clocks?: UpdateClocks,
  ): void {
    if (this.#broken) return;
    this.#accept(update, from, message, null, clocks);
  }

  /** Like {@link receive}, resolving once the update is durable (the HTTP sync fallback). */
  receiveDurably(update: Uint8Array, clocks?: UpdateClocks): Promise<void> {
    if (this.#broken) return Promise.reject(new Error('room storage failed'));
    return new Promise<void>((resolve, reject) => {
      this.#accept(update, null, undefined, { resolve, reject }, clocks);
    });
  }

  #accept(
    update: Uint8Array,
    from: RoomPeer | null,
    message: Uint8Array | undefined,
    waiter: PendingUpdate['waiter'],
    clocks: UpdateClocks | undefined,
  ): void {
    this.broadcast(message ?? syncUpdateMessage(update), from);
    this.#ctx.metrics.updatesForwarded.inc(
      this.peers.size - (from && this.peers.has(from) ? 1 : 0),
    );
    // a copy: the update may be a view into a larger socket buffer that must not stay alive
    const copy = update.slice();
    this.#state.push(copy);
    this.#stateVector = null;
    if (this.#diffs.size > 0) this.#diffs.clear();
    this.#pending.push({ update: copy, from, waiter, received: performance.now(), clocks });
    this.#scheduleFlush();
  }

  /** Sends `message` to every peer except `except`. */
  broadcast(message: Uint8Array, except: RoomPeer | null): void {
    for (const peer of this.peers) {
      if (peer !== except) peer.send(message);
    }
  }

  /** Resolves once every storage operation queued so far has finished. */
  flushed(): Promise<void> {
    return this.#tail;
  }

  /** Size of the last merged state and of the log, for metrics. */
  get sizes(): { mergedBytes: number; logBytes: number; frames: number } {
    return { mergedBytes: this.#mergedBytes, logBytes: this.#logBytes, frames: this.#frames };
  }

  /** True while updates wait for their group commit or a storage operation runs. */
  get busy(): boolean {
    return this.#operations > 0;
  }

  /** Compacts after pending writes, serialized with them; used when the room unloads. */
  compactNow(): Promise<void> {
    return this.#enqueue(() => this.compact());
  }

  /** Runs storage operations one at a time, in order. */
  #enqueue(operation: () => Promise<void>): Promise<void> {
    this.#operations++;
    const run = this.#tail.then(operation).finally(() => {
      this.#operations--;
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    void this.#enqueue(async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.#flushScheduled = false;
      await this.#flushBatch();
    }).catch(() => undefined);
  }

  /**
   * Group commit (RP11): one write and one fsync for everything that arrived since the last one,
   * including everything that arrived while the previous fsync ran.
   */
  async #flushBatch(): Promise<void> {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return;
    try {
      await this.#ctx.storage.append(
        this.name,
        batch.map((p) => p.update),
      );
    } catch (error) {
      for (const p of batch) p.waiter?.reject(error);
      this.#fail(error);
      throw error;
    }
    // other nodes hear only what is stored: a room loading there reads it or is sent it (RP32);
    // `saved` waits until the bus holds it, so an acknowledged update reaches every node's open
    // room even if this node dies the moment after (RP40)
    const { bus } = this.#ctx;
    if (bus) await bus.publish(this.name, { kind: 'updates', updates: batch.map((p) => p.update) });
    this.#recordDurable(batch);
    for (const p of batch) p.waiter?.resolve();
    await this.#maybeCompact();
  }

  #recordDurable(batch: readonly PendingUpdate[]): void {
    const { metrics } = this.#ctx;
    const ackPeers = new Set<RoomPeer>();
    const durableAt = performance.now();
    for (const { update, from, received, clocks } of batch) {
      this.#advanceDurable(update, clocks);
      this.seq++;
      this.#frames++;
      this.#logBytes += update.byteLength + 8;
      metrics.observeStored(update.byteLength, (durableAt - received) / 1000);
      if (from && this.peers.has(from)) {
        this.#savedByPeer.set(from, (this.#savedByPeer.get(from) ?? 0) + 1);
        if (from.wantsAcks) ackPeers.add(from);
      }
    }
    if (ackPeers.size === 0) return;
    const stateVector = Y.encodeStateVector(this.#durable);
    for (const peer of ackPeers) {
      peer.send(savedMessage(this.seq, this.#savedByPeer.get(peer) ?? 0, stateVector));
    }
  }

  /**
   * Tracks the state vector of what is on disk (for `saved`, RP8) from update metadata: a client's
   * clock advances only over contiguous ranges, so an update whose predecessors are not stored yet
   * waits in a small list until they are. An update that follows what is stored (the usual case)
   * advances it at once.
   */
  #advanceDurable(update: Uint8Array, clocks = Y.parseUpdateMeta(update)): void {
    if (this.#gapped.length === 0 && this.#follows(clocks)) {
      this.#extend(clocks);
      return;
    }
    this.#gapped.push(clocks);
    if (this.#gapped.length > 256) this.#gapped.shift();
    let progress = true;
    while (progress) {
      progress = false;
      this.#gapped = this.#gapped.filter((meta) => {
        if (!this.#follows(meta)) return true;
        this.#extend(meta);
        progress = true;
        return false;
      });
    }
  }

  /** True when every range of `clocks` starts within what is durable. */
  #follows(clocks: UpdateClocks): boolean {
    for (const [client, clock] of clocks.from) {
      if (clock > (this.#durable.get(client) ?? 0)) return false;
    }
    return true;
  }

  #extend(clocks: UpdateClocks): void {
    for (const [client, clock] of clocks.to) {
      if (clock > (this.#durable.get(client) ?? 0)) this.#durable.set(client, clock);
    }
  }

  async #maybeCompact(): Promise<void> {
    if (!this.#ctx.compaction) return;
    const { maxFrames, maxGrowth } = this.#ctx.compaction;
    if (this.#frames <= maxFrames && this.#logBytes <= this.#mergedBytes * maxGrowth + 65_536) {
      return;
    }
    await this.compact();
  }

  /** Rewrites the log as one merged update (atomic in storage). */
  async compact(): Promise<void> {
    if (this.#frames <= 1 || this.#broken || !this.#ctx.compaction) return;
    let merged = this.snapshot();
    if (merged.byteLength <= GC_MAX_BYTES) {
      merged = collectGarbage(merged); // synchronously after snapshot(): nothing arrived between
      this.#state.replaceMerged(merged);
      this.#mergedBytes = merged.byteLength;
      this.#diffs.clear();
    }
    await this.#ctx.storage.replace(this.name, merged);
    this.#frames = 1;
    this.#logBytes = merged.byteLength + 8;
    this.#ctx.metrics.compactions.inc();
  }

  #fail(error: unknown): void {
    this.#broken = true;
    this.#ctx.logger.log('error', 'room-write-failed', { room: this.name, error: String(error) });
    this.#ctx.onBroken(this);
  }
}
