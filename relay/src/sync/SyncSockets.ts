import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ACK_PARAM, CloseCode } from '@djamms/protocol';
import type { AccessGate } from '../auth/AccessGate';
import type { Registry } from '../auth/Registry';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';
import { RateLimiter } from '../auth/rate-limit';
import type { RoomHost } from './RoomHost';
import type { RelayLimits } from '../services';
import { SyncConnection, type Backpressure } from './SyncConnection';
import { rawErrorAnswer, requestUrl } from '../http/http-util';

/** What the sync sockets need from the relay. */
export interface SyncSocketsOptions {
  readonly gate: AccessGate;
  readonly host: RoomHost;
  readonly registry: Registry;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly limits: RelayLimits;
  readonly backpressure: Backpressure;
  readonly pingIntervalMs: number;
  readonly keepaliveMs: number;
  readonly now: () => number;
}

/**
 * Liveness pings and keepalives (RP16) visit the sockets a slice at a time, each socket once per
 * interval: three thousand pings at once held the event loop for about 100 ms every 30 s, which was
 * most of the relay's worst latency in a thousand venues' evening.
 */
const SLICES = 16;

/**
 * The `/sync/<room>` endpoint (RP1): admission of upgrades, one {@link SyncConnection} per socket,
 * revocation, liveness pings and keepalives (RP16).
 */
export class SyncSockets {
  readonly #opts: SyncSocketsOptions;
  readonly #connections = new Set<SyncConnection>();
  readonly #wss: WebSocketServer;
  readonly #messageLimiter: RateLimiter;
  readonly #timers: NodeJS.Timeout[];

  constructor(opts: SyncSocketsOptions) {
    this.#opts = opts;
    const { limits } = opts;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
    // ws would refuse a malformed handshake in plain text: every error is JSON (RP17)
    this.#wss.on('wsClientError', (error, socket, req) => {
      const version = /Version/.test(error.message) ? 'Sec-WebSocket-Version: 13, 8\r\n' : '';
      const status = req.method === 'GET' ? 400 : 405;
      socket.end(rawErrorAnswer(status, 'bad-upgrade', `${error.message}.`, version));
    });
    this.#messageLimiter = new RateLimiter(
      { perSecond: limits.messagesPerSecond, burst: limits.messageBurst },
      opts.now,
    );
    this.#timers = [
      this.#inSlices(opts.pingIntervalMs, (conn) => this.#checkLiveness(conn)),
      this.#inSlices(opts.keepaliveMs, (conn) => conn.keepAlive()),
      setInterval(() => this.#messageLimiter.sweep(), 30_000),
    ];
    for (const timer of this.#timers) timer.unref();
  }

  /** Sync messages per token (RP14), for sharing its counters between nodes (RP45). */
  get messageLimiter(): RateLimiter {
    return this.#messageLimiter;
  }

  /** Open sockets. */
  get count(): number {
    return this.#connections.size;
  }

  /** Handles an HTTP upgrade: anything but `/sync/<room>` gets 404. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = requestUrl(req);
    if (!url?.pathname.startsWith('/sync/')) {
      socket.end(rawErrorAnswer(404, 'not-found', 'Sync sockets are at /sync/<room>.'));
      return;
    }
    let room = '';
    try {
      room = decodeURIComponent(url.pathname.slice('/sync/'.length));
    } catch {
      // an undecodable name is an unknown room
    }
    const token = url.searchParams.get('token');
    const wantsAcks = url.searchParams.get(ACK_PARAM) === '1';
    this.#wss.handleUpgrade(
      req,
      socket,
      head,
      (ws) => void this.#accept(ws, room, token, wantsAcks),
    );
  }

  /**
   * Admission: a refused socket is completed and then closed with its code, so stock clients see
   * the code (a refused HTTP upgrade would look like a network error and be retried forever).
   */
  async #accept(
    ws: WebSocket,
    room: string,
    token: string | null,
    wantsAcks: boolean,
  ): Promise<void> {
    const { gate, host, metrics, logger, registry, backpressure, now } = this.#opts;
    ws.on('error', (error) => logger.log('debug', 'socket-error', { error: String(error) }));
    // messages that arrive while admission looks again are held by the socket until read
    ws.pause();
    const admission = await gate.admitFresh(token, room);
    ws.resume();
    if (!admission.ok) {
      metrics.refusedConnections.inc();
      logger.log('info', 'socket-refused', { room, code: admission.code, reason: admission.error });
      ws.close(admission.code, admission.error);
      return;
    }
    const ctx = {
      metrics,
      messageLimiter: this.#messageLimiter,
      backpressure,
      overRateCloseMs: this.#opts.limits.overRateCloseMs,
      now,
    };
    const conn = new SyncConnection(ws, admission, wantsAcks, ctx);
    this.#track(conn, room);
    registry.touch(admission.claims.sub, now());
    host.open(room, admission.kind).then(
      (opened) => conn.attach(opened),
      (error: unknown) => {
        logger.log('error', 'room-load-failed', { room, error: String(error) });
        conn.close(CloseCode.internal, 'room-load-failed');
      },
    );
  }

  #track(conn: SyncConnection, room: string): void {
    const { host, logger } = this.#opts;
    const { socket: ws } = conn;
    const { sub: deviceId, role } = conn.admission.claims;
    this.#connections.add(conn);
    logger.log('debug', 'socket-opened', { room, deviceId, role, id: conn.id });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) conn.close(CloseCode.badRequest, 'text-frame');
      else conn.receive(data as Buffer);
    });
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('close', (code) => {
      logger.log('debug', 'socket-closed', { room, deviceId, id: conn.id, code });
      this.#opts.registry.touch(deviceId, this.#opts.now());
      this.#connections.delete(conn);
      conn.detach();
      host.release(room);
    });
  }

  /** Closes the sockets of a revoked device, or of every guest of a venue (null device). */
  closeRevoked(venueId: string, deviceId: string | null): void {
    for (const conn of this.#connections) {
      const { claims } = conn.admission;
      if (claims.venue !== venueId) continue;
      if (deviceId ? claims.sub === deviceId : claims.role === 'guest') {
        conn.close(CloseCode.revoked, 'revoked');
      }
    }
  }

  /** Visits every socket once per `periodMs`, one of {@link SLICES} slices of them at a time. */
  #inSlices(periodMs: number, visit: (conn: SyncConnection) => void): NodeJS.Timeout {
    let tick = 0;
    return setInterval(() => {
      const slice = tick++ % SLICES;
      for (const conn of this.#connections) if (conn.id % SLICES === slice) visit(conn);
    }, periodMs / SLICES);
  }

  /**
   * Liveness (RP16): ping every interval; drop a socket only if it answered nothing, sent nothing
   * and drained nothing for a whole interval, so a large sync in flight is never killed (nor a
   * socket the relay itself stopped reading for its rate). A socket whose token expired meanwhile
   * is closed with 4401 (RP5).
   */
  #checkLiveness(conn: SyncConnection): void {
    if (conn.admission.claims.exp <= Math.floor(this.#opts.now() / 1000)) {
      conn.close(CloseCode.unauthorized, 'token-expired');
      return;
    }
    const buffered = conn.socket.bufferedAmount;
    const draining = buffered > 0 && buffered < conn.lastBuffered;
    conn.lastBuffered = buffered;
    if (!conn.alive && !draining && !conn.throttled) {
      conn.socket.terminate();
      return;
    }
    conn.alive = false;
    conn.socket.ping();
  }

  /** Stops timers and closes every socket with `code`. */
  closeAll(code: number, reason: string): void {
    for (const timer of this.#timers) clearInterval(timer);
    for (const conn of this.#connections) conn.close(code, reason);
  }

  /** Drops whatever did not close in time. */
  terminateAll(): void {
    for (const conn of this.#connections) conn.socket.terminate();
  }
}
