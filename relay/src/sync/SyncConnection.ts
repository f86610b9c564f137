import * as decoding from 'lib0/decoding';
import type { WebSocket } from 'ws';
import { CloseCode, DeniedReason, MessageType, SyncMessageType } from '@djamms/protocol';
import type { Room } from './Room';
import type { RoomPeer } from './room-peer';
import type { RoomAdmission } from '../auth/AccessGate';
import type { Metrics } from '../ops/metrics';
import type { RateLimiter } from '../auth/rate-limit';
import { checkUpdate, isEmptyUpdate } from './update-check';
import { batchWrites, sendMessage } from './send-batcher';
import {
  awarenessMessage,
  permissionDeniedMessage,
  syncStep1Message,
  syncStep2Message,
  syncUpdateMessage,
} from './room-messages';
import { splitUpdate } from './update-split';

/** Backpressure watermarks for one socket (RP16). */
export interface Backpressure {
  /** Above this many buffered bytes, stop sending updates and mark the socket for resync. */
  readonly highBytes: number;
  /** Resync once the buffer has drained below this. */
  readonly lowBytes: number;
}

/** What a connection needs from the relay. */
export interface ConnectionContext {
  readonly metrics: Metrics;
  readonly messageLimiter: RateLimiter;
  readonly backpressure: Backpressure;
  /** A socket kept over its message rate this long without a break is closed (RP14). */
  readonly overRateCloseMs: number;
  readonly now: () => number;
}

class Refused extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * How long the relay waits for a client to answer its close before it drops the connection. A
 * client sends its answer behind everything it sent before: a flooding one's, behind megabytes
 * the relay would read and parse for up to ws's 30 s, slowing everyone else.
 */
const CLOSE_ANSWER_MS = 1_000;

let nextId = 1;

/** Sync answers larger than this go out in pieces of about this size (RP3). */
export const ANSWER_PIECE_BYTES = 1024 * 1024;

/** `[awareness, varUint8Array([0 entries])]`. */
const EMPTY_AWARENESS = new Uint8Array([1, 1, 0]);

/**
 * One sync socket in one room (RP2–RP4, RP9, RP16). Messages that arrive before the room has loaded
 * wait in order; the room never answers before it is loaded.
 */
export class SyncConnection implements RoomPeer {
  readonly id = nextId++;
  readonly wantsAcks: boolean;
  readonly deviceId: string;
  readonly admission: RoomAdmission;
  readonly socket: WebSocket;
  #room: Room | null = null;
  #waiting: Buffer[] | null = [];
  #deniedSent = false;
  #resyncFrom: Uint8Array | null = null;
  #drainTimer: NodeJS.Timeout | null = null;
  /**
   * Messages that came over the device's message rate, in order, waiting for its bucket to hold
   * tokens (RP14); the relay reads nothing more from the socket meanwhile.
   */
  readonly #overRate: Buffer[] = [];
  /** When a message of this socket last had to wait after a break: over its rate since (RP14). */
  #overRateSince: number | null = null;
  #resumeTimer: NodeJS.Timeout | null = null;
  #closeTimer: NodeJS.Timeout | null = null;
  /** Liveness: anything heard or drained since the last ping. */
  alive = true;
  /** Anything sent since the last keepalive tick. */
  sentRecently = false;
  lastBuffered = 0;
  readonly #ctx: ConnectionContext;

  constructor(
    socket: WebSocket,
    admission: RoomAdmission,
    wantsAcks: boolean,
    ctx: ConnectionContext,
  ) {
    this.socket = socket;
    this.admission = admission;
    this.deviceId = admission.claims.sub;
    this.wantsAcks = wantsAcks;
    this.#ctx = ctx;
  }

  /** The room finished loading: join it and handle what arrived meanwhile. */
  attach(room: Room): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.#room = room;
    room.join(this);
    const waiting = this.#waiting ?? [];
    this.#waiting = null;
    for (const data of waiting) {
      if (this.socket.readyState !== this.socket.OPEN) break;
      this.#handle(data);
    }
  }

  /**
   * Takes one incoming binary message (RP14): within the device's message rate it is handled at
   * once, over it, it waits its turn.
   */
  receive(data: Buffer): void {
    if (this.socket.readyState !== this.socket.OPEN) return; // closing: nothing more is accepted
    this.alive = true;
    const { messageLimiter, metrics, now, overRateCloseMs } = this.#ctx;
    metrics.bytesReceived.inc(data.byteLength);
    if (this.#overRate.length === 0 && messageLimiter.take(this.deviceId)) {
      // a break: the client went slower than its rate for long enough to bank a whole message
      if (messageLimiter.tokensLeft(this.deviceId) >= 1) this.#overRateSince = null;
      this.#admit(data);
      return;
    }
    metrics.rateLimited.inc();
    this.#overRateSince ??= now();
    if (now() - this.#overRateSince >= overRateCloseMs) {
      this.close(CloseCode.retryLater, 'rate-limited');
      return;
    }
    this.#overRate.push(data);
    if (this.#overRate.length > 1) return;
    // ws hands over every message of a chunk it has read: pausing stops the next chunks, so TCP
    // slows the client while what came over the rate waits here
    this.socket.pause();
    this.#waitForTokens();
  }

  /**
   * Message rate (RP14): messages over the rate wait, in order, until the device's bucket holds
   * tokens again, and are handled then; the socket is read again once none waits. A socket kept
   * over its rate without a break for {@link ConnectionContext.overRateCloseMs} is closed with
   * 1013: what still waited is not stored, and the client sends it again when it reconnects (its
   * sync step 2), so nothing is lost.
   */
  #waitForTokens(): void {
    const { messageLimiter, now, overRateCloseMs } = this.#ctx;
    this.#resumeTimer = setTimeout(() => {
      this.#resumeTimer = null;
      while (this.#overRate.length > 0 && messageLimiter.take(this.deviceId)) {
        if (this.socket.readyState !== this.socket.OPEN) return;
        this.#admit(this.#overRate.shift() as Buffer);
      }
      if (this.socket.readyState !== this.socket.OPEN) return;
      if (this.#overRate.length === 0) this.socket.resume();
      else if (now() - (this.#overRateSince ?? now()) >= overRateCloseMs) {
        this.close(CloseCode.retryLater, 'rate-limited');
      } else this.#waitForTokens();
    }, messageLimiter.waitMs(this.deviceId));
  }

  /** A message within the rate: handled, or kept until the room has loaded. */
  #admit(data: Buffer): void {
    if (this.#waiting) this.#waiting.push(data);
    else this.#handle(data);
  }

  #handle(data: Buffer): void {
    try {
      this.#dispatch(data);
    } catch (error) {
      this.#ctx.metrics.rejectedMessages.inc();
      if (error instanceof Refused) this.close(error.code, error.reason);
      else this.close(CloseCode.badRequest, 'malformed-message');
    }
  }

  #dispatch(data: Buffer): void {
    const room = this.#room as Room;
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    if (type === MessageType.sync) return this.#sync(room, decoder, data);
    if (type === MessageType.awareness) {
      const update = readPayload(decoder);
      const relayed = room.awareness.apply(this, update, this.admission.canWrite);
      if (relayed) room.relayAwareness(relayed);
      return;
    }
    if (type === MessageType.queryAwareness) {
      if (decoding.hasContent(decoder)) throw new Refused(CloseCode.badRequest, 'trailing-bytes');
      const presence = room.awareness.snapshot();
      if (presence) this.send(awarenessMessage(presence));
      return;
    }
    throw new Refused(CloseCode.badRequest, 'unknown-message-type');
  }

  #sync(room: Room, decoder: decoding.Decoder, data: Buffer): void {
    const kind = decoding.readVarUint(decoder);
    const payload = readPayload(decoder);
    if (kind === SyncMessageType.step1) {
      const diff = room.diffFor(payload);
      // held back for resync (before or because of this answer): resume from what the client says
      // it has, so the answer it did not get is covered
      if (this.#resyncFrom || this.#overHigh()) this.#holdBack(payload.slice());
      else this.#sendDiff(diff);
      return;
    }
    if (kind !== SyncMessageType.step2 && kind !== SyncMessageType.update) {
      throw new Refused(CloseCode.badRequest, 'unknown-sync-message');
    }
    const shape = checkUpdate(payload);
    if (!shape) throw new Refused(CloseCode.badRequest, 'malformed-update');
    if (isEmptyUpdate(shape)) return;
    if (!this.admission.canWrite) {
      this.#ctx.metrics.rejectedMessages.inc();
      if (!this.#deniedSent) this.send(permissionDeniedMessage(DeniedReason.readOnly));
      this.#deniedSent = true;
      return;
    }
    const forward = kind === SyncMessageType.update ? data : undefined;
    room.receive(payload, this, forward, shape.clocks);
  }

  /** Sends unless the socket is over its high watermark; then holds it back for resync (RP16). */
  send(message: Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN || this.#resyncFrom) return;
    if (this.#overHigh() && this.#room) {
      // everything in the room before this message was queued to the socket already
      this.#holdBack(this.#room.stateVector());
      return;
    }
    this.#write(message);
  }

  #overHigh(): boolean {
    return this.socket.bufferedAmount > this.#ctx.backpressure.highBytes;
  }

  #write(message: Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.#ctx.metrics.bytesSent.inc(message.byteLength);
    this.sentRecently = true;
    batchWrites(this.socket);
    sendMessage(this.socket, message);
  }

  /**
   * Sends a sync answer whole (RP3): above {@link ANSWER_PIECE_BYTES} as several updates and a
   * final step 2, so a stock client hears something at least every piece (its idle watchdog is
   * 30 s) and `synced` still means "has it all". The pieces are one answer: never held back midway.
   */
  #sendDiff(diff: Uint8Array): void {
    const pieces = splitUpdate(diff, ANSWER_PIECE_BYTES);
    const last = pieces.length - 1;
    pieces.forEach((piece, i) => {
      this.#write(i === last ? syncStep2Message(piece) : syncUpdateMessage(piece));
    });
  }

  #holdBack(resumeFrom: Uint8Array): void {
    if (!this.#resyncFrom) this.#watchDrain();
    this.#resyncFrom = resumeFrom;
  }

  #watchDrain(): void {
    this.#ctx.metrics.heldBack.inc();
    this.#drainTimer = setInterval(() => {
      if (this.socket.bufferedAmount > this.#ctx.backpressure.lowBytes) return;
      this.#stopDrainWatch();
      const room = this.#room;
      const from = this.#resyncFrom;
      this.#resyncFrom = null;
      if (!room || !from) return;
      this.#ctx.metrics.resyncs.inc();
      this.#write(syncStep1Message(room.stateVector()));
      this.#sendDiff(room.diffFor(from));
      const presence = room.awareness.snapshot();
      if (presence) this.#write(awarenessMessage(presence));
    }, 20);
  }

  #stopDrainWatch(): void {
    if (!this.#drainTimer) return;
    clearInterval(this.#drainTimer);
    this.#drainTimer = null;
    this.#ctx.metrics.heldBack.dec();
  }

  /**
   * Keeps a quiet socket alive (RP16): stock y-websocket clients reconnect after 30 s without any
   * message, and WebSocket pings never reach their JavaScript. An empty awareness update changes
   * nothing on the client.
   */
  keepAlive(): void {
    if (!this.sentRecently && this.#room) this.send(EMPTY_AWARENESS);
    this.sentRecently = false;
  }

  /** True while messages over the rate wait and the relay reads nothing more (RP14). */
  get throttled(): boolean {
    return this.#resumeTimer !== null;
  }

  /**
   * Closes the socket with a named code (idempotent), and drops the connection if the client has
   * not answered within {@link CLOSE_ANSWER_MS}. A socket closed for its message rate is not read
   * again (RP14): what it sent meanwhile is a flood.
   */
  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.CLOSED) return;
    if (this.#resumeTimer) {
      clearTimeout(this.#resumeTimer);
      this.#resumeTimer = null;
      this.#overRate.length = 0;
      if (code !== CloseCode.retryLater) this.socket.resume(); // its answer can be read
    } else if (code === CloseCode.retryLater) this.socket.pause();
    this.socket.close(code, reason);
    this.#closeTimer ??= setTimeout(() => this.socket.terminate(), CLOSE_ANSWER_MS);
  }

  /** The socket closed: leave the room. */
  detach(): void {
    this.#stopDrainWatch();
    if (this.#resumeTimer) clearTimeout(this.#resumeTimer);
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#overRate.length = 0;
    this.#room?.leave(this);
    this.#room = null;
    this.#waiting = null;
  }
}

function readPayload(decoder: decoding.Decoder): Uint8Array {
  const payload = decoding.readVarUint8Array(decoder);
  if (decoding.hasContent(decoder)) throw new Refused(CloseCode.badRequest, 'trailing-bytes');
  return payload;
}
