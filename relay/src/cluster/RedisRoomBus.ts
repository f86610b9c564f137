import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from '../ops/logger';
import type {
  RoomBus,
  RoomBusDelivery,
  RoomBusListener,
  RoomBusMessage,
  RoomBusSubscription,
} from '../sync/RoomBus';

/** How many of a room's newest messages its stream keeps (about; Redis trims in whole nodes). */
const STREAM_LENGTH = 1000;
/** A room's stream is dropped this long after its last message. */
const STREAM_IDLE_MS = 60 * 60 * 1000;
/** The longest one read waits for messages before it starts again (new rooms interrupt it). */
const BLOCK_MS = 5_000;
/** Messages fetched per read. */
const READ_COUNT = 1000;
/** The longest a new subscription waits to learn where its stream stands. */
const POSITION_TIMEOUT_MS = 2_000;
/** How soon a room whose message failed to publish is announced as a gap again (RP48). */
const GAP_RETRY_MS = 250;
/** The longest a lost connection to Redis waits between attempts to come back. */
const RECONNECT_MAX_MS = 500;
/** How many other nodes' sequences a subscription remembers (nodes that restarted drop out). */
const NODES_REMEMBERED = 64;

/** Options for {@link RedisRoomBus}. */
export interface RedisRoomBusOptions {
  readonly url: string;
  readonly logger: Logger;
  /** Prefixed to every key (several clusters on one Redis, as the tests run). */
  readonly prefix?: string;
}

interface Subscription {
  readonly listener: RoomBusListener;
  readonly onGap: (() => void) | undefined;
  /** The last message this subscription heard, or null until its position is known. */
  position: string | null;
  /** Its position is being asked for. */
  resolving: boolean;
  /** It may have missed messages: tell it once its position is known again. */
  gapped: boolean;
  active: boolean;
  /** Node → the sequence number of the last of its messages heard in this room (RP48). */
  readonly heard: Map<string, number>;
}

/** A stream id `ms-seq` as two numbers, to compare ids. */
function idParts(id: string): [number, number] {
  const [ms = '0', seq = '0'] = id.split('-');
  return [Number(ms), Number(seq)];
}
function idAfter(a: string, b: string): boolean {
  const [am, as] = idParts(a);
  const [bm, bs] = idParts(b);
  return am > bm || (am === bm && as > bs);
}

/**
 * The room bus over Redis streams (cluster mode, RP43): a room's messages go to the stream
 * `<prefix>room:<room>` (XADD, trimmed to about its newest thousand, dropped after an idle hour),
 * and each node reads every room it has open with one blocking XREAD on a connection of its own,
 * from the last id it saw per room: a node that was slow catches up from there, where pub/sub
 * would have dropped messages (the flaw of Hocuspocus' Redis extension). A new subscription
 * interrupts the read (CLIENT UNBLOCK) so it is heard at once.
 *
 * Redis is only the transport: a room's updates are in PostgreSQL before they are published
 * (RP40), so a Redis that restarts empty loses nothing stored. When the reading connection comes
 * back after losing Redis, every subscription is told of a gap and its room rereads PostgreSQL.
 * Every other message lost is caught too (RP48): each node numbers its messages per room, a node
 * that failed to publish announces a gap once Redis takes messages again, and a reader far enough
 * behind to have been trimmed past learns it from the stream's `max-deleted-entry-id`.
 */
export class RedisRoomBus implements RoomBus {
  readonly node = randomBytes(6).toString('hex');
  readonly #commands: Redis;
  readonly #reader: Redis;
  readonly #prefix: string;
  readonly #logger: Logger;
  /** Room → its subscriptions on this node. */
  readonly #rooms = new Map<string, Set<Subscription>>();
  #readerId: number | null = null;
  /** Room → when this node last renewed its stream's idle expiry. */
  readonly #expiresRenewed = new Map<string, number>();
  /** Bumped whenever the set of rooms or positions to read changes. */
  #generation = 0;
  /** The generation of the read in flight (or -1). */
  #reading = -1;
  #wake: (() => void) | null = null;
  #closed = false;
  #lostRedis = false;
  #loop: Promise<void>;
  #publishErrors = 0;
  /** Room → the sequence number of this node's last message in it (RP48). */
  readonly #sequences = new Map<string, number>();
  /** Rooms with a message of this node that failed to publish, not yet announced as a gap. */
  readonly #unannounced = new Set<string>();
  #gapRetry: NodeJS.Timeout | null = null;

  constructor(opts: RedisRoomBusOptions) {
    this.#prefix = opts.prefix ?? 'djamms:';
    this.#logger = opts.logger;
    const common = {
      enableAutoPipelining: true,
      lazyConnect: false,
      retryStrategy: (attempts: number) => Math.min(attempts * 50, RECONNECT_MAX_MS),
    } as const;
    this.#commands = new Redis(opts.url, { ...common, maxRetriesPerRequest: 2 });
    this.#reader = new Redis(opts.url, { ...common, maxRetriesPerRequest: null });
    for (const [name, connection] of [
      ['commands', this.#commands],
      ['reader', this.#reader],
    ] as const) {
      connection.on('error', (error: Error) => {
        if (!this.#closed) {
          this.#logger.log('warn', 'redis-error', { connection: name, error: error.message });
        }
      });
    }
    this.#reader.on('close', () => {
      this.#readerId = null;
      if (!this.#closed) this.#lostRedis = true;
    });
    this.#reader.on('ready', () => void this.#readerReady());
    // what failed to publish while the connection was away is announced as soon as it is back
    this.#commands.on('ready', () => this.#announceGaps());
    this.#loop = this.#readLoop();
  }

  #key(room: string): string {
    return `${this.#prefix}room:${room}`;
  }

  publish(room: string, message: RoomBusMessage): void {
    const data =
      message.kind === 'updates'
        ? Buffer.from(encodeUpdates(message.updates))
        : Buffer.from(message.update);
    this.#add(room, message.kind === 'updates' ? 'u' : 'a', data);
    // the idle expiry is renewed once a minute per room, not with every message
    const now = Date.now();
    if ((this.#expiresRenewed.get(room) ?? 0) < now - 60_000) {
      this.#expiresRenewed.set(room, now);
      this.#commands.pexpire(this.#key(room), STREAM_IDLE_MS).catch(() => undefined);
    }
  }

  /**
   * Appends one message of this node to the room's stream, numbered one after its previous one in
   * the room (RP48): a node that hears a number skipped knows it missed a message.
   */
  #add(room: string, kind: 'u' | 'a' | 'g', data: Buffer): void {
    const sequence = (this.#sequences.get(room) ?? 0) + 1;
    this.#sequences.set(room, sequence);
    this.#commands
      .xadd(
        this.#key(room),
        'MAXLEN',
        '~',
        STREAM_LENGTH,
        '*',
        'n',
        this.node,
        's',
        sequence,
        'k',
        kind,
        'd',
        data,
      )
      .catch((error: unknown) => this.#publishFailed(room, error));
  }

  #publishFailed(room: string, error: unknown): void {
    if (this.#publishErrors++ % 1000 === 0) {
      this.#logger.log('warn', 'redis-publish-failed', { error: String(error) });
    }
    // the update is stored, but other nodes did not hear it: once Redis takes messages again, a
    // gap message tells them to reread the room (RP48), even if this node publishes nothing more
    this.#unannounced.add(room);
    if (this.#closed || this.#gapRetry) return;
    this.#gapRetry = setTimeout(() => this.#announceGaps(), GAP_RETRY_MS);
  }

  /** Publishes a gap message to every room with a message that failed to publish. */
  #announceGaps(): void {
    if (this.#gapRetry) clearTimeout(this.#gapRetry);
    this.#gapRetry = null;
    if (this.#closed) return;
    for (const room of this.#unannounced) this.#add(room, 'g', Buffer.alloc(0));
    this.#unannounced.clear();
  }

  subscribe(
    room: string,
    from: string | null,
    listener: RoomBusListener,
    onGap?: () => void,
  ): RoomBusSubscription {
    const subscription: Subscription = {
      listener,
      onGap,
      position: from,
      resolving: false,
      gapped: false,
      active: true,
      heard: new Map(),
    };
    let subscriptions = this.#rooms.get(room);
    if (!subscriptions) {
      subscriptions = new Set();
      this.#rooms.set(room, subscriptions);
    }
    subscriptions.add(subscription);
    const ready =
      from === null ? this.#resolvePosition(room, subscription) : Promise.resolve(this.#changed());
    const stop = () => {
      subscription.active = false;
      const set = this.#rooms.get(room);
      set?.delete(subscription);
      if (set?.size === 0) this.#rooms.delete(room);
    };
    return Object.assign(stop, { ready });
  }

  /**
   * Learns the id of the room's newest message (new subscriptions hear what comes after it), then
   * reports a gap if the subscription may have missed messages. If Redis does not answer in time
   * the subscription waits without a position and the read loop asks again, reporting a gap then.
   */
  async #resolvePosition(room: string, subscription: Subscription): Promise<void> {
    subscription.resolving = true;
    try {
      const newest = await withTimeout(
        this.#commands.xrevrange(this.#key(room), '+', '-', 'COUNT', 1),
        POSITION_TIMEOUT_MS,
      );
      if (!subscription.active) return;
      subscription.position = newest[0]?.[0] ?? '0-0';
      if (subscription.gapped) {
        subscription.gapped = false;
        subscription.onGap?.();
      }
    } catch {
      subscription.gapped = true;
      // Redis is away: ask again in a moment, not at once
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      subscription.resolving = false;
      this.#changed();
    }
  }

  /** The rooms to read changed: wake the read loop or interrupt its blocking read. */
  #changed(): void {
    this.#generation++;
    if (this.#wake) {
      this.#wake();
      this.#wake = null;
      return;
    }
    this.#interrupt();
  }

  #interrupt(): void {
    const id = this.#readerId;
    if (id === null || this.#reading === -1 || this.#reading === this.#generation) return;
    this.#commands.client('UNBLOCK', id).then(
      (unblocked) => {
        // the read had not reached Redis yet: try again in a moment
        if (unblocked === 0) setTimeout(() => this.#interrupt(), 2);
      },
      () => undefined,
    );
  }

  async #readerReady(): Promise<void> {
    try {
      this.#readerId = Number(await this.#reader.client('ID'));
    } catch {
      return;
    }
    if (!this.#lostRedis) return;
    this.#lostRedis = false;
    this.#logger.log('info', 'redis-reconnected', { rooms: this.#rooms.size });
    // Redis may have restarted empty: every room rereads what is stored, from a fresh position
    for (const [room, subscriptions] of this.#rooms) {
      for (const subscription of subscriptions) {
        subscription.position = null;
        subscription.gapped = true;
        if (!subscription.resolving) void this.#resolvePosition(room, subscription);
      }
    }
  }

  async #readLoop(): Promise<void> {
    while (!this.#closed) {
      const streams: string[] = [];
      const positions: string[] = [];
      for (const [room, subscriptions] of this.#rooms) {
        let oldest: string | null = null;
        for (const subscription of subscriptions) {
          // one whose position Redis did not give in time: ask again
          if (subscription.position === null && !subscription.resolving) {
            void this.#resolvePosition(room, subscription);
          }
        }
        for (const { position } of subscriptions) {
          if (position !== null && (oldest === null || idAfter(oldest, position))) {
            oldest = position;
          }
        }
        if (oldest === null) continue;
        streams.push(this.#key(room));
        positions.push(oldest);
      }
      if (streams.length === 0) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, BLOCK_MS).unref();
        });
        this.#wake = null;
        continue;
      }
      this.#reading = this.#generation;
      let reply: [Buffer, [Buffer, Buffer[]][]][] | null;
      try {
        reply = (await this.#reader.xreadBuffer(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...streams,
          ...positions,
        )) as [Buffer, [Buffer, Buffer[]][]][] | null;
      } catch (error) {
        this.#reading = -1;
        if (this.#closed) return;
        this.#logger.log('warn', 'redis-read-failed', { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      } finally {
        this.#reading = -1;
      }
      for (const [key, entries] of reply ?? []) {
        const room = key.toString().slice(this.#prefix.length + 'room:'.length);
        const from = positions[streams.indexOf(key.toString())];
        if (entries.length >= READ_COUNT && from) void this.#checkTrimmed(room, from);
        for (const [idBuffer, fields] of entries) this.#deliver(room, idBuffer.toString(), fields);
      }
    }
  }

  #deliver(room: string, id: string, fields: Buffer[]): void {
    const subscriptions = this.#rooms.get(room);
    if (!subscriptions) return;
    const entry = decodeEntry(id, fields);
    for (const subscription of subscriptions) {
      if (subscription.position === null || !idAfter(id, subscription.position)) continue;
      subscription.position = id;
      if (!entry || entry.node === this.node || !subscription.active) continue;
      if (entry.delivery) subscription.listener(entry.delivery);
      if (missed(subscription, entry)) subscription.onGap?.();
    }
  }

  /**
   * After a read that returned a full batch of a room's stream (the node is far behind), asks
   * Redis whether it trimmed messages after `position`, the last one heard before that read: the
   * subscriptions then missed them and reread the room (RP48).
   */
  async #checkTrimmed(room: string, position: string): Promise<void> {
    let deleted: string | undefined;
    try {
      const info = (await this.#commands.xinfo('STREAM', this.#key(room))) as unknown[];
      const at = info.indexOf('max-deleted-entry-id');
      deleted = at === -1 ? undefined : String(info[at + 1]);
    } catch {
      return; // the stream is gone (Redis lost): the reading connection's reconnect reports it
    }
    if (deleted !== undefined && !idAfter(deleted, position)) return;
    for (const subscription of this.#rooms.get(room) ?? []) {
      if (subscription.active) subscription.onGap?.();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#gapRetry) clearTimeout(this.#gapRetry);
    this.#rooms.clear();
    this.#wake?.();
    this.#reader.disconnect();
    await this.#loop;
    if (this.#commands.status === 'ready') await this.#commands.quit().catch(() => undefined);
    this.#commands.disconnect();
  }
}

function encodeUpdates(updates: readonly Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, updates.length);
  for (const update of updates) encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** A stream entry this relay wrote. */
interface Entry {
  readonly node: string;
  /** Its place among the node's messages in the room (RP48). */
  readonly sequence: number;
  /** A gap message: the node failed to publish something before it (RP48). */
  readonly gap: boolean;
  /** What it carries; null for a gap message or one that cannot be read. */
  readonly delivery: RoomBusDelivery | null;
}

/**
 * True when `entry` shows that `subscription` missed a message of its node: it is a gap message,
 * or its number is not the one after the last heard from that node. The first message heard from a
 * node shows nothing: what came before the subscription's start is stored (RP43).
 */
function missed(subscription: Subscription, entry: Entry): boolean {
  const { heard } = subscription;
  const last = heard.get(entry.node);
  heard.delete(entry.node); // re-inserted last: the node least recently heard is forgotten first
  heard.set(entry.node, entry.sequence);
  if (heard.size > NODES_REMEMBERED) heard.delete(heard.keys().next().value as string);
  return entry.gap || (last !== undefined && entry.sequence !== last + 1);
}

/** A stream entry; null if it is not one this relay wrote. */
function decodeEntry(id: string, fields: Buffer[]): Entry | null {
  const values = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    values.set((fields[i] as Buffer).toString(), fields[i + 1] as Buffer);
  }
  const node = values.get('n')?.toString();
  const sequence = Number(values.get('s')?.toString());
  const kind = values.get('k')?.toString();
  const data = values.get('d');
  if (!node || !data || !Number.isSafeInteger(sequence)) return null;
  return { node, sequence, gap: kind === 'g', delivery: decodeDelivery(id, node, kind, data) };
}

function decodeDelivery(
  id: string,
  node: string,
  kind: string | undefined,
  data: Buffer,
): RoomBusDelivery | null {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (kind === 'a') return { id, node, message: { kind: 'awareness', update: bytes } };
  if (kind !== 'u') return null;
  try {
    const decoder = decoding.createDecoder(bytes);
    const count = decoding.readVarUint(decoder);
    const updates: Uint8Array[] = [];
    for (let i = 0; i < count; i++) updates.push(decoding.readVarUint8Array(decoder));
    return { id, node, message: { kind: 'updates', updates } };
  } catch {
    return null;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
