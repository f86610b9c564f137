import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../ops/logger';
import { clientAddress, peerAddress } from './client-address';
import { rawErrorAnswer } from './http-util';

/** Caps on connections and on slow clients (RP26, T22). */
export interface ConnectionLimits {
  /** Open connections (HTTP and sync sockets) in all. */
  readonly maxConnections: number;
  /** Open connections per client address (RP25); the relay's own host is not capped. */
  readonly maxConnectionsPerAddress: number;
  /** Time a client has to send a request's headers. */
  readonly headersTimeoutMs: number;
  /**
   * Longest silence on a connection while a request is read or answered: an idle timeout, not a
   * total, so a 512 MB upload over a slow venue link goes through as long as bytes keep moving.
   */
  readonly idleTimeoutMs: number;
}

/**
 * Counts every connection of the relay's server, per client address and in all, and refuses those
 * over a cap; sets the server's timeouts for slow clients. A connection from another host counts
 * against its address from the start. One from a proxy on this host counts in all at once, and
 * against its client's address when it becomes a sync socket (a proxy's HTTP connections carry
 * requests of many clients in turn, a sync socket only its own).
 */
export class ConnectionGuard {
  readonly #limits: ConnectionLimits;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #perAddress = new Map<string, number>();
  #total = 0;
  #loggedAt = -Infinity;

  constructor(limits: ConnectionLimits, logger: Logger, now: () => number) {
    this.#limits = limits;
    this.#logger = logger;
    this.#now = now;
  }

  /** Options for `createServer`: how long a client may take to send its headers. */
  get serverOptions(): ServerOptions {
    return {
      headersTimeout: this.#limits.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, this.#limits.headersTimeoutMs / 2),
      // Node's default (300 s for a whole request) would cut a large upload on a slow link short.
      requestTimeout: 0,
    };
  }

  /** Sets the idle timeout of `server` and counts its connections; call before it listens. */
  attach(server: Server): void {
    server.timeout = this.#limits.idleTimeoutMs;
    server.on('connection', (socket: Socket) => {
      const address = peerAddress(socket.remoteAddress);
      if (this.#total >= this.#limits.maxConnections || this.#full(address)) {
        this.#refused(address);
        socket.destroy();
        return;
      }
      this.#total++;
      socket.once('close', () => this.#total--);
      if (address !== null) this.#hold(address, socket);
    });
    server.on('clientError', answerUnreadable);
  }

  /**
   * Counts a sync socket that came through a proxy on this host against its client's address.
   * False when that address is over its cap: the upgrade was answered 503 and closed.
   */
  admitUpgrade(req: IncomingMessage, socket: Duplex): boolean {
    if (peerAddress(req.socket.remoteAddress) !== null) return true; // counted when it connected
    const address = clientAddress(req);
    if (address === null) return true;
    if (this.#full(address)) {
      this.#refused(address);
      socket.end(
        rawErrorAnswer(
          503,
          'too-many-connections',
          'Too many connections from your network; retry shortly.',
          'Retry-After: 5\r\n',
        ),
      );
      return false;
    }
    this.#hold(address, socket);
    return true;
  }

  #full(address: string | null): boolean {
    return (
      address !== null &&
      (this.#perAddress.get(address) ?? 0) >= this.#limits.maxConnectionsPerAddress
    );
  }

  #hold(address: string, socket: Duplex): void {
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => {
      const left = (this.#perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.#perAddress.set(address, left);
      else this.#perAddress.delete(address);
    });
  }

  /** Logs refusals at most once a second: a flood of them must not flood the log too. */
  #refused(address: string | null): void {
    const now = this.#now();
    if (now - this.#loggedAt < 1000) return;
    this.#loggedAt = now;
    this.#logger.log('warn', 'connection-refused', {
      address,
      total: this.#total,
      ofAddress: address === null ? null : (this.#perAddress.get(address) ?? 0),
    });
  }
}

/**
 * A request Node could not read (RP17, RP26) is answered like any other error, `{ error, message }`
 * and the connection closed: 408 for headers that took too long, 431 for headers over 16 KiB, 400
 * for anything else. Nothing is written to a connection already answering, or gone.
 */
function answerUnreadable(error: NodeJS.ErrnoException, socket: Duplex): void {
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request-timeout', 'The request took too long to arrive.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers-too-large', 'The request headers are larger than 16 KiB.']
        : [400, 'bad-request', 'The request could not be read as HTTP.'];
  socket.end(rawErrorAnswer(status, code, message));
}
