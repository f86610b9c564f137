import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from '../ops/logger';
import { appendEntry } from './redis-stream';
import type {
  RoomBus,
  RoomBusDelivery,
  RoomBusListener,
  RoomBusMessage,
  RoomBusSubscription,
} from '../sync/RoomBus';

/**
 * How many entries the stream keeps (about; Redis trims in whole nodes). An entry holds what one
 * node published in one turn of its event loop: often several rooms' messages.
 */
const STREAM_LENGTH = 20_000;
/** The stream is dropped this long after its last entry. */
const STREAM_IDLE_MS = 60 * 60 * 1000;
/** The longest one read waits for entries before it starts again (new rooms interrupt it). */
const BLOCK_MS = 5_000;
/** Entries fetched per read. */
const READ_COUNT = 1000;
/**
 * How long a node waits after a read that brought entries before it reads again: one round trip
 * to Redis for the several entries that arrive meanwhile, instead of one each. Other nodes'
 * updates come at most once per commit (40 ms apart, RP40): half that keeps a read to about one
 * entry of each other node. On three nodes with every venue spread over them, 10 ms rather than 4
 * cut a node's CPU per write by a tenth for 2 ms more latency.
 */
const READ_WINDOW_MS = 20;
/** The longest a new subscription waits to learn where the stream stands. */
const POSITION_TIMEOUT_MS = 2_000;
/** How soon a subscription whose position Redis did not give asks again. */
const POSITION_RETRY_MS = 250;
/**
 * The longest presence waits for company before its entry goes (RP51): presence alone is most of
 * what a quiet evening publishes (every device renews it every 15 s), and an entry per renewal
 * cost each node a command and every other node a reply to read.
 */
const PRESENCE_GATHER_MS = 50;
/** How soon a room whose message failed to publish is announced as a gap again (RP48). */
const GAP_RETRY_MS = 250;
/** The longest a lost connection to Redis waits between attempts to come back. */
const RECONNECT_MAX_MS = 500;
/** How many other nodes' sequences a subscription remembers (nodes that restarted drop out). */
const NODES_REMEMBERED = 64;
/** A node not heard from for this long is taken to have closed its rooms (RP52). */
const SILENT_MS = 120_000;

/**
 * What a message of a room carries (RP50, RP52): a node's stored updates, its awareness, a gap,
 * that it opened the room, or that it closed it.
 */
export type RoomMessageKind = 'u' | 'a' | 'g' | 'o' | 'c';

/** One room's message in an entry of the stream (RP50). */
export interface RoomStreamMessage {
  readonly room: string;
  /** Its place among its node's messages in the room (RP48). */
  readonly sequence: number;
  /**
   * `u` updates, `a` awareness, `g` a gap (the node failed to publish something before it, or did
   * not publish to the room while it knew no other node had it open), `o` the node opened the room,
   * `c` it closed it (RP52).
   */
  readonly kind: RoomMessageKind;
  /**
   * The updates (`u`), the one awareness update (`a`), the node a gap answering its opening is for
   * (`g`, RP52), nothing (the others).
   */
  readonly payloads: readonly Uint8Array[];
}

/**
 * Appends `message` to the `m` field of a stream entry being built (RP50): the room, the sequence,
 * the kind, then the payloads, each length-prefixed (lib0 encoding).
 */
export function writeRoomMessage(encoder: encoding.Encoder, message: RoomStreamMessage): void {
  encoding.writeVarString(encoder, message.room);
  encoding.writeVarUint(encoder, message.sequence);
  encoding.writeUint8(encoder, message.kind.charCodeAt(0));
  encoding.writeVarUint(encoder, message.payloads.length);
  for (const payload of message.payloads) encoding.writeVarUint8Array(encoder, payload);
}

/** Options for {@link RedisRoomBus}. */
export interface RedisRoomBusOptions {
  readonly url: string;
  readonly logger: Logger;
  /** Prefixed to every key (several clusters on one Redis, as the tests run). */
  readonly prefix?: string;
  /** How long a node may be silent before it is taken to have closed its rooms (tests). */
  readonly silentMs?: number;
}

interface Subscription {
  readonly room: string;
  readonly listener: RoomBusListener;
  readonly onGap: (() => void) | undefined;
  readonly onMet: (() => void) | undefined;
  /** The last entry of the stream this subscription heard, or null until it is known. */
  position: string | null;
  /** Its position is being asked for. */
  resolving: boolean;
  /** It may have missed messages: tell it once its position is known again. */
  gapped: boolean;
  active: boolean;
  /** Node → the sequence number of the last of its messages heard in this room (RP48). */
  readonly heard: Map<string, number>;
}

/** Messages this node publishes together: one entry of the stream (RP50, RP51). */
interface Outgoing {
  readonly encoder: encoding.Encoder;
  /** Each message's room and kind. */
  readonly rooms: [string, RoomMessageKind][];
  readonly sent: Promise<void>;
  readonly resolve: () => void;
  /** When it goes: at the end of this turn, or once presence waited long enough (RP51). */
  due: 'turn' | 'presence' | null;
  timer: NodeJS.Timeout | null;
}

/** What a message not sent resolves with (RP52). */
const SENT = Promise.resolve();

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

/**
 * The room bus over one Redis stream (cluster mode, RP43, RP50): `<prefix>rooms`, trimmed to about
 * its newest twenty thousand entries and dropped after an idle hour. What a node publishes in one
 * turn of its event loop (the rooms of one group commit in PostgreSQL, the presence its sockets
 * sent meanwhile) is one entry, `n` its node and `m` its messages, each naming its room: one
 * command for Redis to run and one reply for every node to read, where an entry per message cost
 * every node, writing and reading, more than anything else the cluster adds to a write (presence
 * alone waits up to 50 ms for company, RP51). Each node reads the stream with one blocking XREAD
 * on a connection of its own from the last id it read: a node that was slow catches up from there,
 * where pub/sub would have dropped messages (the flaw of Hocuspocus' Redis extension). Its own
 * entries it skips by their `n` without decoding them, and the messages of rooms it does not have
 * open by their room. A subscription that must read from an earlier id interrupts the read (CLIENT
 * UNBLOCK) so it is heard at once.
 *
 * A room's messages go to Redis only while another node has the room open (RP52): a node opening
 * a room says so (`o`), every node that has it open answers with a gap for it (`g` naming it: what
 * that node did not publish meanwhile, the opener rereads from PostgreSQL) and from then on
 * publishes to it, until it closes the room (`c`) or falls silent for two minutes (a node with
 * rooms open appends an empty entry every half minute it appended nothing else). With each
 * venue's devices on one node, as the proxy of relay/README.md places them, a node appends almost
 * nothing and reads almost nothing.
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
  readonly #nodeBytes = Buffer.from(this.node);
  readonly #commands: Redis;
  readonly #reader: Redis;
  readonly #key: string;
  readonly #logger: Logger;
  /** Room → its subscriptions on this node. */
  readonly #rooms = new Map<string, Set<Subscription>>();
  /**
   * The id the next read starts after: at most the position of every subscription, or null while
   * none knows its position (the stream is not read).
   */
  #cursor: string | null = null;
  #readerId: number | null = null;
  /** When this node last renewed the stream's idle expiry. */
  #expiryRenewed = 0;
  /** Bumped whenever a read must start over: from further back, or after none ran. */
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
  /** The entry being filled (RP50, RP51). */
  #outgoing: Outgoing | null = null;
  /** Rooms with a message of this node that failed to publish, not yet announced as a gap. */
  readonly #unannounced = new Set<string>();
  #gapRetry: NodeJS.Timeout | null = null;
  /** Rooms open here whose opening was sent (RP52). */
  readonly #opened = new Set<string>();
  /** Rooms of {@link #opened} to open again once their position is known (Redis came back). */
  readonly #reopen = new Set<string>();
  /** Rooms open here whose opening failed to publish: announced again with the gaps. */
  readonly #unopened = new Set<string>();
  /** Rooms closed here whose closing failed to publish: announced again with the gaps. */
  readonly #unclosed = new Set<string>();
  /**
   * Room open here → the other nodes heard to have it open (RP52), silent ones too (they count
   * again once heard).
   */
  readonly #sharedWith = new Map<string, Set<string>>();
  /** Rooms open here with an update or gap numbered but not sent since they opened (RP52). */
  readonly #unsent = new Set<string>();
  /** Other node → when this node last read an entry of it. */
  readonly #heardAt = new Map<string, number>();
  /** Other nodes taken to be silent, whose rooms here reread once (RP52). */
  readonly #silent = new Set<string>();
  /** When this node last appended an entry. */
  #sentAt = 0;
  readonly #silentMs: number;
  readonly #alive: NodeJS.Timeout;

  constructor(opts: RedisRoomBusOptions) {
    this.#key = `${opts.prefix ?? 'djamms:'}rooms`;
    this.#logger = opts.logger;
    this.#silentMs = opts.silentMs ?? SILENT_MS;
    const aliveEvery = this.#silentMs / 4;
    this.#alive = setInterval(() => {
      if (this.#opened.size > 0 && this.#sentAt < Date.now() - aliveEvery) this.#sendAlive();
      this.#findSilent();
    }, aliveEvery / 2);
    this.#alive.unref();
    const common = {
      lazyConnect: false,
      retryStrategy: (attempts: number) => Math.min(attempts * 50, RECONNECT_MAX_MS),
    } as const;
    // a turn's messages are one entry already: nothing for ioredis to gather
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

  /** Whether both of this node's connections to Redis are up (RP21). */
  get connected(): boolean {
    return this.#commands.status === 'ready' && this.#reader.status === 'ready';
  }

  publish(room: string, message: RoomBusMessage): Promise<void> {
    return message.kind === 'updates'
      ? this.#add(room, 'u', message.updates)
      : this.#add(room, 'a', [message.update]);
  }

  /**
   * The number of other nodes this node knows to have `room` open (RP52): 0 while it publishes
   * nothing of the room.
   */
  sharedWith(room: string): number {
    const nodes = this.#sharedWith.get(room);
    if (!nodes) return 0;
    const silent = Date.now() - this.#silentMs;
    let count = 0;
    for (const node of nodes) if ((this.#heardAt.get(node) ?? 0) >= silent) count++;
    return count;
  }

  sharedRooms(): number {
    let count = 0;
    for (const room of this.#sharedWith.keys()) if (this.sharedWith(room) > 0) count++;
    return count;
  }

  /**
   * Nodes not heard from for {@link SILENT_MS} are taken to have closed their rooms (RP52). Each
   * room here that one shared rereads once: it may have stored updates it had not yet sent when
   * it stopped (a node killed the moment after it opened the room). Nodes that share no room here
   * are forgotten.
   */
  #findSilent(): void {
    const silent = Date.now() - this.#silentMs;
    for (const [node, heardAt] of this.#heardAt) {
      if (heardAt >= silent) continue;
      let shared = false;
      for (const [room, nodes] of this.#sharedWith) {
        if (!nodes.has(node)) continue;
        shared = true;
        if (!this.#silent.has(node)) this.#gapIn(room);
      }
      if (shared) this.#silent.add(node);
      else {
        this.#heardAt.delete(node);
        this.#silent.delete(node);
      }
    }
  }

  /** Tells every subscription of `room` here that it may have missed messages. */
  #gapIn(room: string): void {
    for (const subscription of this.#rooms.get(room) ?? []) {
      if (subscription.active) subscription.onGap?.();
    }
  }

  /**
   * Adds one message of this node to the entry being filled, numbered one after its previous one
   * in the room (RP48): a node that hears a number skipped knows it missed a message. Updates and
   * gaps of a room no other node has open are numbered but not sent, presence neither (RP52). An
   * entry holding anything but presence goes to Redis at the end of this turn of the event loop
   * (RP50); one holding only presence waits up to {@link PRESENCE_GATHER_MS} for more (RP51). A
   * node killed before its entry went leaves other nodes without it, and its rooms acknowledged
   * nothing sent in it. Resolves once Redis holds it, once its failure is recorded as a gap to
   * announce, or at once when it is not sent.
   */
  #add(room: string, kind: RoomMessageKind, payloads: readonly Uint8Array[]): Promise<void> {
    const sent = kind === 'o' || kind === 'c' || this.sharedWith(room) > 0;
    // presence comes again with its renewal: presence not sent is not a message missed
    if (!sent && kind === 'a') return SENT;
    const sequence = (this.#sequences.get(room) ?? 0) + 1;
    this.#sequences.set(room, sequence);
    if (!sent) {
      // a node heard later to have the room open is told to reread it (#heardIn)
      if (this.#rooms.has(room)) this.#unsent.add(room);
      return SENT;
    }
    let outgoing = this.#outgoing;
    if (!outgoing) {
      let resolve = () => undefined as void;
      const sent = new Promise<void>((done) => (resolve = done));
      outgoing = {
        encoder: encoding.createEncoder(),
        rooms: [],
        sent,
        resolve,
        due: null,
        timer: null,
      };
      this.#outgoing = outgoing;
    }
    writeRoomMessage(outgoing.encoder, { room, sequence, kind, payloads });
    outgoing.rooms.push([room, kind]);
    const filling = outgoing;
    if (kind !== 'a' && filling.due !== 'turn') {
      if (filling.timer) clearTimeout(filling.timer);
      filling.due = 'turn';
      setImmediate(() => this.#send(filling));
    } else if (filling.due === null) {
      filling.due = 'presence';
      filling.timer = setTimeout(() => this.#send(filling), PRESENCE_GATHER_MS);
    }
    return outgoing.sent;
  }

  /** Appends an entry to the stream (RP50), unless it went already. */
  #send(outgoing: Outgoing): void {
    if (this.#outgoing !== outgoing) return;
    if (outgoing.timer) clearTimeout(outgoing.timer);
    this.#outgoing = null;
    const encoded = encoding.toUint8Array(outgoing.encoder);
    this.#append(Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength))
      .then(
        () => undefined,
        (error: unknown) => {
          for (const [room, kind] of outgoing.rooms) this.#publishFailed(room, kind, error);
        },
      )
      .finally(outgoing.resolve);
  }

  /** Appends an entry with these messages (RP50), or with none: this node is alive (RP52). */
  #append(messages: Buffer): Promise<unknown> {
    const now = Date.now();
    this.#sentAt = now;
    const added = appendEntry(
      this.#commands,
      this.#key,
      STREAM_LENGTH,
      this.#nodeBytes,
      'm',
      messages,
    );
    // the idle expiry is renewed once a minute, not with every entry
    if (this.#expiryRenewed < now - 60_000) {
      this.#expiryRenewed = now;
      this.#commands.pexpire(this.#key, STREAM_IDLE_MS).catch(() => undefined);
    }
    return added;
  }

  #sendAlive(): void {
    this.#append(Buffer.alloc(0)).catch(() => undefined);
  }

  #publishFailed(room: string, kind: RoomMessageKind, error: unknown): void {
    if (this.#publishErrors++ % 1000 === 0) {
      this.#logger.log('warn', 'redis-publish-failed', { error: String(error) });
    }
    // the update is stored, but other nodes did not hear it: once Redis takes messages again, a
    // gap message tells them to reread the room (RP48), even if this node publishes nothing more;
    // an opening is said again, or other nodes would not publish to this one (RP52)
    if (kind === 'o') this.#unopened.add(room);
    else if (kind === 'c') this.#unclosed.add(room);
    else this.#unannounced.add(room);
    if (this.#closed || this.#gapRetry) return;
    this.#gapRetry = setTimeout(() => this.#announceGaps(), GAP_RETRY_MS);
  }

  /**
   * Publishes a gap message to every room with a message that failed to publish, and says again
   * that this node opened the rooms whose opening failed to publish.
   */
  #announceGaps(): void {
    if (this.#gapRetry) clearTimeout(this.#gapRetry);
    this.#gapRetry = null;
    if (this.#closed) return;
    for (const room of this.#unopened) if (this.#opened.has(room)) void this.#add(room, 'o', []);
    for (const room of this.#unclosed) if (!this.#opened.has(room)) void this.#add(room, 'c', []);
    for (const room of this.#unannounced) void this.#add(room, 'g', []);
    this.#unopened.clear();
    this.#unclosed.clear();
    this.#unannounced.clear();
  }

  subscribe(
    room: string,
    listener: RoomBusListener,
    onGap?: () => void,
    onMet?: () => void,
  ): RoomBusSubscription {
    const subscription: Subscription = {
      room,
      listener,
      onGap,
      onMet,
      position: null,
      resolving: false,
      gapped: false,
      active: true,
      heard: new Map(),
    };
    let subscriptions = this.#rooms.get(room);
    if (!subscriptions) {
      subscriptions = new Set();
      this.#rooms.set(room, subscriptions);
      this.#sharedWith.set(room, new Set());
    }
    subscriptions.add(subscription);
    const ready = this.#resolvePosition(subscription);
    const stop = () => {
      subscription.active = false;
      const set = this.#rooms.get(room);
      if (!set?.delete(subscription) || set.size > 0) return;
      this.#rooms.delete(room);
      this.#sharedWith.delete(room);
      this.#unsent.delete(room);
      this.#reopen.delete(room);
      if (this.#opened.delete(room)) void this.#add(room, 'c', []);
      // the read in flight may still run: what it brings for no room is dropped
      if (this.#rooms.size === 0) this.#cursor = null;
    };
    return Object.assign(stop, { ready });
  }

  /** A subscription knows its position: the stream is read from there or before. */
  #readFrom(position: string): void {
    if (this.#cursor !== null && !idAfter(this.#cursor, position)) return;
    this.#cursor = position;
    this.#changed();
  }

  /**
   * Learns the id of the stream's newest entry (new subscriptions hear what comes after it), says
   * in the stream that this node opened the room if it is the room's first subscription here
   * (RP52), then reports a gap if the subscription may have missed messages. If Redis does not
   * answer in time the subscription asks again in a moment, and reports a gap once it knows.
   */
  async #resolvePosition(subscription: Subscription): Promise<void> {
    subscription.resolving = true;
    try {
      const newest = await withTimeout(
        this.#commands.xrevrange(this.#key, '+', '-', 'COUNT', 1),
        POSITION_TIMEOUT_MS,
      );
      subscription.resolving = false;
      if (!subscription.active) return;
      subscription.position = newest[0]?.[0] ?? '0-0';
      this.#readFrom(subscription.position);
      // after the position: every node hearing the opening answers in what this one reads
      const { room } = subscription;
      if (!this.#opened.has(room) || this.#reopen.delete(room)) {
        this.#opened.add(room);
        await this.#add(room, 'o', []);
      }
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
    // Redis may have restarted empty: every room rereads what is stored, from a fresh position,
    // and opens again (other nodes may have restarted meanwhile, their openings lost, RP52)
    this.#cursor = null;
    for (const room of this.#opened) this.#reopen.add(room);
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
      const from = this.#cursor;
      if (from === null) {
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
          this.#key,
          from,
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
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length >= READ_COUNT) void this.#checkTrimmed(from);
      let last = from;
      for (const [idBuffer, fields] of entries) {
        last = idBuffer.toString();
        this.#deliver(last, fields);
      }
      // a subscription that came meanwhile may need the stream from further back: keep that
      if (this.#cursor === from) this.#cursor = last;
      // more are likely on their way: let them gather for the next read
      if (reply) await new Promise((resolve) => setTimeout(resolve, READ_WINDOW_MS));
    }
  }

  /**
   * Hands an entry's messages to the subscriptions of their rooms. This node's own entries, and
   * rooms not open here, are skipped before their payloads are read; a subscription hears an entry
   * once, even if the stream is read again from further back for another one.
   */
  #deliver(id: string, fields: Buffer[]): void {
    const messages = entryMessages(fields, this.#nodeBytes);
    if (!messages) return;
    const node = (fields[1] as Buffer).toString();
    this.#heard(node);
    const decoder = decoding.createDecoder(messages);
    /** Subscriptions this entry is new to (their position was before it). */
    let fresh: Set<Subscription> | null = null;
    try {
      while (decoding.hasContent(decoder)) {
        const room = decoding.readVarString(decoder);
        const sequence = decoding.readVarUint(decoder);
        const kind = String.fromCharCode(decoding.readUint8(decoder));
        const count = decoding.readVarUint(decoder);
        const subscriptions = this.#rooms.get(room);
        if (!subscriptions) {
          for (let i = 0; i < count; i++) decoding.readVarUint8Array(decoder);
          continue;
        }
        const payloads: Uint8Array[] = [];
        // copied: a room keeps updates, which must not hold the whole entry alive
        for (let i = 0; i < count; i++) payloads.push(decoding.readVarUint8Array(decoder).slice());
        const delivery = toDelivery(node, kind, payloads);
        // a gap answering an opening is for the node that opened (RP52), any other for every node
        const gap = kind === 'g' && (payloads.length === 0 || this.#nodeBytes.equals(payloads[0]!));
        let heard = false;
        for (const subscription of subscriptions) {
          if (!fresh?.has(subscription)) {
            const { position } = subscription;
            if (position === null || !idAfter(id, position)) continue;
            subscription.position = id;
            (fresh ??= new Set()).add(subscription);
          }
          heard = true;
          if (!subscription.active) continue;
          if (delivery) subscription.listener(delivery);
          if (missed(subscription, node, sequence, gap)) subscription.onGap?.();
        }
        if (heard) this.#heardIn(room, node, kind);
      }
    } catch {
      // not an entry this relay wrote: what it held after the damage is dropped
    }
  }

  /**
   * Who else has `room` open (RP52): any message of `node` in it but a closing says it does. An
   * opening is answered with a gap: what this node did not publish to the room before it knew,
   * the opener rereads (it reads PostgreSQL only after its position, so it may have missed it).
   * A node newly heard is sent the presence this node's sockets hold (`onMet`).
   */
  #heardIn(room: string, node: string, kind: string): void {
    const nodes = this.#sharedWith.get(room);
    if (!nodes) return;
    if (kind === 'c') {
      nodes.delete(node);
      return;
    }
    const known = nodes.has(node);
    nodes.add(node);
    if (kind === 'o' || (!known && this.#unsent.has(room))) this.#gapFor(room, node);
    if (known) return;
    // presence relayed before this node heard of that one was not sent: it is, now
    for (const subscription of this.#rooms.get(room) ?? []) {
      if (subscription.active) subscription.onMet?.();
    }
  }

  /** A gap naming `node` in `room`: that node rereads the room (RP52). */
  #gapFor(room: string, node: string): void {
    void this.#add(room, 'g', [Buffer.from(node)]);
  }

  /**
   * An entry of `node` was read. A node heard again after it was taken to be silent (RP52) is
   * told to reread each room here it shares that did not send it everything meanwhile.
   */
  #heard(node: string): void {
    const wasSilent = this.#silent.delete(node);
    const before = this.#heardAt.get(node);
    const now = Date.now();
    this.#heardAt.set(node, now);
    if (!wasSilent && (before === undefined || before >= now - this.#silentMs)) return;
    for (const [room, nodes] of this.#sharedWith) {
      if (nodes.has(node) && this.#unsent.has(room)) this.#gapFor(room, node);
    }
  }

  /**
   * After a read that returned a full batch (the node is far behind), asks Redis whether it
   * trimmed entries after `position`, the last one read before that read: the subscriptions then
   * missed them and reread their rooms (RP48). Trimming drops the oldest entries first, so it
   * trimmed past `position` when the stream's first entry is after it. (A position `0-0`, from a
   * stream that was empty, looks trimmed past too: its rooms reread once more than needed, which
   * loses nothing. `max-deleted-entry-id` cannot tell: Redis 7 moves it on XDEL, not when it
   * trims.)
   */
  async #checkTrimmed(position: string): Promise<void> {
    let first: string | undefined;
    try {
      first = (await this.#commands.xrange(this.#key, '-', '+', 'COUNT', 1))[0]?.[0];
    } catch {
      return; // Redis is away: the reading connection's reconnect reports a gap
    }
    if (first === undefined || !idAfter(first, position)) return;
    for (const room of this.#rooms.keys()) {
      this.#gapIn(room);
      // another node's opening may be among what was trimmed: open again, and it answers (RP52)
      if (this.#opened.has(room)) void this.#add(room, 'o', []);
    }
  }

  async close(): Promise<void> {
    // other nodes stop publishing to this one's rooms (RP52)
    for (const room of this.#opened) void this.#add(room, 'c', []);
    this.#opened.clear();
    this.#reopen.clear();
    this.#closed = true;
    clearInterval(this.#alive);
    if (this.#gapRetry) clearTimeout(this.#gapRetry);
    this.#rooms.clear();
    this.#sharedWith.clear();
    this.#cursor = null;
    this.#wake?.();
    this.#reader.disconnect();
    await this.#loop;
    if (this.#outgoing) this.#send(this.#outgoing);
    if (this.#commands.status === 'ready') await this.#commands.quit().catch(() => undefined);
    this.#commands.disconnect();
  }
}

/**
 * The `m` field of an entry another node wrote (`n`, `m`, RP50); null for this node's own (`self`)
 * or one this relay did not write.
 */
function entryMessages(fields: Buffer[], self: Buffer): Uint8Array | null {
  if (fields.length !== 4) return null;
  const [n, node, m, messages] = fields as [Buffer, Buffer, Buffer, Buffer];
  if (n.length !== 1 || n[0] !== 0x6e || m.length !== 1 || m[0] !== 0x6d) return null;
  if (node.equals(self)) return null;
  return new Uint8Array(messages.buffer, messages.byteOffset, messages.byteLength);
}

/**
 * What a message carries; null for a gap, an opening, a closing, or a kind this relay does not
 * know.
 */
function toDelivery(node: string, kind: string, payloads: Uint8Array[]): RoomBusDelivery | null {
  if (kind === 'u') return { node, message: { kind: 'updates', updates: payloads } };
  if (kind === 'a' && payloads.length === 1) {
    return { node, message: { kind: 'awareness', update: payloads[0] as Uint8Array } };
  }
  return null;
}

/**
 * True when a message shows that `subscription` missed a message of its node: it is a gap
 * message (`gap`), or its number is not the one after the last heard from that node. The first
 * message heard from a node shows nothing: what came before the subscription's start it read from
 * PostgreSQL (RP43), and what that node stored meanwhile without sending it, a gap naming this
 * node tells it to reread (RP52).
 */
function missed(subscription: Subscription, node: string, sequence: number, gap: boolean): boolean {
  const { heard } = subscription;
  const last = heard.get(node);
  heard.delete(node); // re-inserted last: the node least recently heard is forgotten first
  heard.set(node, sequence);
  if (heard.size > NODES_REMEMBERED) heard.delete(heard.keys().next().value as string);
  return gap || (last !== undefined && sequence !== last + 1);
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
