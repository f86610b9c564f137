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

/** How many streams a cluster's rooms share (RP43); every node of a cluster must use the same. */
export const ROOM_SHARDS = 16;
/** How many of a shard's newest messages its stream keeps (about; Redis trims in whole nodes). */
const STREAM_LENGTH = 10_000;
/** A shard's stream is dropped this long after its last message. */
const STREAM_IDLE_MS = 60 * 60 * 1000;
/** The longest one read waits for messages before it starts again (new rooms interrupt it). */
const BLOCK_MS = 5_000;
/** Messages fetched per shard per read. */
const READ_COUNT = 1000;
/**
 * How long a node waits after a read that brought messages before it reads again: one round trip
 * to Redis for the several messages that arrive meanwhile, instead of one each.
 */
const READ_WINDOW_MS = 4;
/** The longest a new subscription waits to learn where its shard's stream stands. */
const POSITION_TIMEOUT_MS = 2_000;
/** How soon a subscription whose position Redis did not give asks again. */
const POSITION_RETRY_MS = 250;
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
  /** How many streams the rooms share ({@link ROOM_SHARDS}); the same on every node. */
  readonly shards?: number;
}

interface Subscription {
  readonly room: string;
  readonly listener: RoomBusListener;
  readonly onGap: (() => void) | undefined;
  /** The last message of its shard this subscription heard, or null until it is known. */
  position: string | null;
  /** Its position is being asked for. */
  resolving: boolean;
  /** It may have missed messages: tell it once its position is known again. */
  gapped: boolean;
  active: boolean;
  /** Node → the sequence number of the last of its messages heard in this room (RP48). */
  readonly heard: Map<string, number>;
}

/** One of the streams the rooms share, as this node reads it. */
interface Shard {
  /** Its rooms open on this node. */
  readonly rooms: Set<string>;
  /**
   * The id its next read starts after: at most the position of every subscription in it, or null
   * while none knows its position (the shard is not read).
   */
  cursor: string | null;
}

/** A stream id `ms-seq` as two numbers, to compare ids. */
function idParts(id: string): [number, number] {
  const dash = id.indexOf('-');
  return dash === -1 ? [Number(id), 0] : [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}
function idAfter(a: string, b: string): boolean {
  const [am, as] = idParts(a);
  const [bm, bs] = idParts(b);
  return am > bm || (am === bm && as > bs);
}

/** FNV-1a of a room's name: which shard its messages go to. */
function shardOf(room: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < room.length; i++) {
    hash ^= room.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/**
 * The room bus over Redis streams (cluster mode, RP43). Rooms share a fixed number of streams,
 * `<prefix>rooms:<n>` (n = a hash of the room modulo {@link ROOM_SHARDS}; XADD with the room as a
 * field, trimmed to about its newest ten thousand messages, dropped after an idle hour), and each
 * node reads the shards holding rooms it has open with one blocking XREAD on a connection of its
 * own, from the last id it read per shard: a node that was slow catches up from there, where
 * pub/sub would have dropped messages (the flaw of Hocuspocus' Redis extension). One stream per
 * room made every read list every open room (a thousand venues: two thousand arguments, a
 * thousand keys for Redis to look at) several hundred times a second; a read now costs the same
 * for ten rooms as for ten thousand. A new shard, or a subscription that must read from an earlier
 * id, interrupts the read (CLIENT UNBLOCK) so it is heard at once.
 *
 * Redis is only the transport: a room's updates are in PostgreSQL before they are published
 * (RP40), so a Redis that restarts empty loses nothing stored. When the reading connection comes
 * back after losing Redis, every subscription is told of a gap and its room rereads PostgreSQL.
 * Every other message lost is caught too (RP48): each node numbers its messages per room, a node
 * that failed to publish announces a gap once Redis takes messages again, and a reader far enough
 * behind to have been trimmed past learns it from the stream's first id.
 */
export class RedisRoomBus implements RoomBus {
  readonly node = randomBytes(6).toString('hex');
  readonly #commands: Redis;
  readonly #reader: Redis;
  readonly #prefix: string;
  readonly #shardCount: number;
  readonly #logger: Logger;
  /** Room → its subscriptions on this node. */
  readonly #rooms = new Map<string, Set<Subscription>>();
  /** Stream key → the shard, for shards with rooms open on this node. */
  readonly #shards = new Map<string, Shard>();
  #readerId: number | null = null;
  /** Stream key → when this node last renewed its idle expiry. */
  readonly #expiresRenewed = new Map<string, number>();
  /** Bumped whenever a read must start over: a shard to read, or one to read from further back. */
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
    this.#shardCount = opts.shards ?? ROOM_SHARDS;
    this.#logger = opts.logger;
    const common = {
      enableAutoPipelining: true,
      lazyConnect: false,
      retryStrategy: (attempts: number) => Math.min(attempts * 50, RECONNECT_MAX_MS),
    } as const;
    this.#commands = new Redis(opts.url, { ...common, maxRetriesPerRequest: 2 });
    // the reader sends one command at a time: nothing to gather
    this.#reader = new Redis(opts.url, {
      ...common,
      enableAutoPipelining: false,
      maxRetriesPerRequest: null,
    });
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

  /** The stream holding `room`'s messages. */
  #key(room: string): string {
    return `${this.#prefix}rooms:${shardOf(room, this.#shardCount)}`;
  }

  publish(room: string, message: RoomBusMessage): Promise<void> {
    const data =
      message.kind === 'updates'
        ? Buffer.from(encodeUpdates(message.updates))
        : Buffer.from(message.update);
    return this.#add(room, message.kind === 'updates' ? 'u' : 'a', data);
  }

  /**
   * Appends one message of this node to the room's shard, numbered one after its previous one in
   * the room (RP48): a node that hears a number skipped knows it missed a message. It goes at once
   * (a node killed before it went leaves other nodes without it): the messages of one turn of the
   * event loop, as those of one group commit in PostgreSQL, go to Redis in one pipeline. Resolves
   * once Redis holds it, or once its failure is recorded as a gap to announce.
   */
  #add(room: string, kind: 'u' | 'a' | 'g', data: Buffer): Promise<void> {
    const sequence = (this.#sequences.get(room) ?? 0) + 1;
    this.#sequences.set(room, sequence);
    const key = this.#key(room);
    const added = this.#commands
      .xadd(
        key,
        'MAXLEN',
        '~',
        STREAM_LENGTH,
        '*',
        'r',
        room,
        'n',
        this.node,
        's',
        sequence,
        'k',
        kind,
        'd',
        data,
      )
      .then(
        () => undefined,
        (error: unknown) => this.#publishFailed(room, error),
      );
    // the idle expiry is renewed once a minute per shard, not with every message
    const now = Date.now();
    if ((this.#expiresRenewed.get(key) ?? 0) < now - 60_000) {
      this.#expiresRenewed.set(key, now);
      this.#commands.pexpire(key, STREAM_IDLE_MS).catch(() => undefined);
    }
    return added;
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
    for (const room of this.#unannounced) void this.#add(room, 'g', Buffer.alloc(0));
    this.#unannounced.clear();
  }

  subscribe(
    room: string,
    from: string | null,
    listener: RoomBusListener,
    onGap?: () => void,
  ): RoomBusSubscription {
    const subscription: Subscription = {
      room,
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
    const key = this.#key(room);
    let shard = this.#shards.get(key);
    if (!shard) {
      shard = { rooms: new Set(), cursor: null };
      this.#shards.set(key, shard);
    }
    shard.rooms.add(room);
    let ready: Promise<void>;
    if (from === null) {
      ready = this.#resolvePosition(subscription);
    } else {
      this.#readFrom(key, from);
      ready = Promise.resolve();
    }
    const stop = () => {
      subscription.active = false;
      const set = this.#rooms.get(room);
      if (!set?.delete(subscription) || set.size > 0) return;
      this.#rooms.delete(room);
      const holding = this.#shards.get(key);
      holding?.rooms.delete(room);
      // the read in flight may still list the shard: what it brings for no room is dropped
      if (holding?.rooms.size === 0) this.#shards.delete(key);
    };
    return Object.assign(stop, { ready });
  }

  /** A subscription of the shard `key` knows its position: the shard is read from there or before. */
  #readFrom(key: string, position: string): void {
    const shard = this.#shards.get(key);
    if (!shard || (shard.cursor !== null && !idAfter(shard.cursor, position))) return;
    shard.cursor = position;
    this.#changed();
  }

  /**
   * Learns the id of the newest message of the room's shard (new subscriptions hear what comes
   * after it), then reports a gap if the subscription may have missed messages. If Redis does not
   * answer in time the subscription asks again in a moment, and reports a gap once it knows.
   */
  async #resolvePosition(subscription: Subscription): Promise<void> {
    subscription.resolving = true;
    const key = this.#key(subscription.room);
    try {
      const newest = await withTimeout(
        this.#commands.xrevrange(key, '+', '-', 'COUNT', 1),
        POSITION_TIMEOUT_MS,
      );
      subscription.resolving = false;
      if (!subscription.active) return;
      subscription.position = newest[0]?.[0] ?? '0-0';
      this.#readFrom(key, subscription.position);
      if (subscription.gapped) {
        subscription.gapped = false;
        subscription.onGap?.();
      }
    } catch {
      subscription.gapped = true;
      // Redis is away: ask again in a moment, not at once
      await new Promise((resolve) => setTimeout(resolve, POSITION_RETRY_MS));
      subscription.resolving = false;
      if (subscription.active && subscription.position === null && !this.#closed) {
        void this.#resolvePosition(subscription);
      }
    }
  }

  /** What to read changed: wake the read loop or interrupt its blocking read. */
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
    for (const shard of this.#shards.values()) shard.cursor = null;
    for (const subscriptions of this.#rooms.values()) {
      for (const subscription of subscriptions) {
        subscription.position = null;
        subscription.gapped = true;
        if (!subscription.resolving) void this.#resolvePosition(subscription);
      }
    }
  }

  async #readLoop(): Promise<void> {
    while (!this.#closed) {
      const keys: string[] = [];
      const cursors: string[] = [];
      for (const [key, { cursor }] of this.#shards) {
        if (cursor === null) continue;
        keys.push(key);
        cursors.push(cursor);
      }
      if (keys.length === 0) {
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
          ...keys,
          ...cursors,
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
      for (const [keyBuffer, entries] of reply ?? []) {
        const key = keyBuffer.toString();
        const from = cursors[keys.indexOf(key)] as string;
        if (entries.length >= READ_COUNT) void this.#checkTrimmed(key, from);
        let last = from;
        for (const [idBuffer, fields] of entries) {
          last = idBuffer.toString();
          this.#deliver(last, fields);
        }
        // a subscription that came meanwhile may need the shard from further back: keep that
        const shard = this.#shards.get(key);
        if (shard?.cursor === from) shard.cursor = last;
      }
      // more are likely on their way: let them gather for the next read
      if (reply) await new Promise((resolve) => setTimeout(resolve, READ_WINDOW_MS));
    }
  }

  #deliver(id: string, fields: Buffer[]): void {
    const entry = decodeEntry(fields);
    if (!entry) return;
    const subscriptions = this.#rooms.get(entry.room);
    if (!subscriptions) return;
    let delivery: RoomBusDelivery | null | undefined;
    for (const subscription of subscriptions) {
      if (subscription.position === null || !idAfter(id, subscription.position)) continue;
      subscription.position = id;
      if (entry.node === this.node || !subscription.active) continue;
      if (delivery === undefined) delivery = decodeDelivery(id, entry);
      if (delivery) subscription.listener(delivery);
      if (missed(subscription, entry)) subscription.onGap?.();
    }
  }

  /**
   * After a read that returned a full batch of a shard (the node is far behind), asks Redis
   * whether it trimmed messages after `position`, the last one read before that read: the shard's
   * subscriptions then missed them and reread their rooms (RP48). Trimming drops the oldest
   * messages first, so it trimmed past `position` when the stream's first message is after it. (A
   * position `0-0`, from a stream that was empty, looks trimmed past too: its rooms reread once
   * more than needed, which loses nothing. `max-deleted-entry-id` cannot tell: Redis 7 moves it on
   * XDEL, not when it trims.)
   */
  async #checkTrimmed(key: string, position: string): Promise<void> {
    let first: string | undefined;
    try {
      first = (await this.#commands.xrange(key, '-', '+', 'COUNT', 1))[0]?.[0];
    } catch {
      return; // Redis is away: the reading connection's reconnect reports a gap
    }
    if (first === undefined || !idAfter(first, position)) return;
    for (const room of this.#shards.get(key)?.rooms ?? []) {
      for (const subscription of this.#rooms.get(room) ?? []) {
        if (subscription.active) subscription.onGap?.();
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#gapRetry) clearTimeout(this.#gapRetry);
    this.#rooms.clear();
    this.#shards.clear();
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

/** A stream entry this relay wrote, its payload not read yet. */
interface Entry {
  readonly room: string;
  readonly node: string;
  /** Its place among the node's messages in the room (RP48). */
  readonly sequence: number;
  /** `u` updates, `a` awareness, `g` a gap: the node failed to publish something before it. */
  readonly kind: string;
  readonly data: Buffer;
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
  return entry.kind === 'g' || (last !== undefined && entry.sequence !== last + 1);
}

/** Field names of an entry, as {@link RedisRoomBus} writes them, in that order. */
const FIELDS = ['r', 'n', 's', 'k', 'd'];

/** A stream entry; null if it is not one this relay wrote. */
function decodeEntry(fields: Buffer[]): Entry | null {
  if (fields.length !== 2 * FIELDS.length) return null;
  for (let i = 0; i < FIELDS.length; i++) {
    const name = fields[2 * i] as Buffer;
    if (name.length !== 1 || name[0] !== (FIELDS[i] as string).charCodeAt(0)) return null;
  }
  const value = (i: number) => fields[2 * i + 1] as Buffer;
  const sequence = Number(value(2).toString());
  if (!Number.isSafeInteger(sequence)) return null;
  return {
    room: value(0).toString(),
    node: value(1).toString(),
    sequence,
    kind: value(3).toString(),
    data: value(4),
  };
}

/** What an entry carries; null for a gap message or one that cannot be read. */
function decodeDelivery(id: string, { node, kind, data }: Entry): RoomBusDelivery | null {
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
