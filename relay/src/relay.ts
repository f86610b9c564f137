import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ACK_PARAM, CloseCode } from '@djamms/protocol';
import { AccessGate } from './auth/AccessGate';
import { Registry } from './auth/Registry';
import { TokenSigner } from './auth/tokens';
import { handleHttp } from './http-api';
import { JournalStore } from './JournalStore';
import { MediaStore } from './MediaStore';
import { Metrics } from './metrics';
import { RateLimiter } from './rate-limit';
import type { RelayConfig } from './relay-config';
import { loadSecrets } from './relay-secrets';
import { RoomHost } from './RoomHost';
import type { RelayServices } from './services';
import { DiskRoomStorage } from './storage/DiskRoomStorage';
import { EphemeralRoomStorage } from './storage/MemoryRoomStorage';
import { SyncConnection } from './SyncConnection';

/** A running relay. */
export interface RunningRelay {
  /** `http://host:port` (or https). */
  readonly url: string;
  readonly port: number;
  readonly operatorKey: string;
  readonly operatorKeyPath: string | null;
  readonly firstStart: boolean;
  readonly metrics: Metrics;
  /** Graceful stop (RP15): refuse new work, close sockets (1001), flush every room, close. */
  close(): Promise<void>;
}

/** Wires storage, auth, rooms, HTTP and WebSockets from one config and starts listening. */
export async function startRelay(config: RelayConfig): Promise<RunningRelay> {
  const now = config.now ?? Date.now;
  const secrets = await loadSecrets(config.dataDir, config.ephemeral);
  const registry = await Registry.open(
    config.ephemeral ? null : join(config.dataDir, 'registry.json'),
  );
  const mediaDir = config.ephemeral
    ? await mkdtemp(join(tmpdir(), 'djamms-media-'))
    : join(config.dataDir, 'media');
  const metrics = new Metrics();
  const signer = new TokenSigner(secrets.secret, now);
  const host = new RoomHost({
    storage:
      config.storage ??
      (config.ephemeral ? new EphemeralRoomStorage() : new DiskRoomStorage(config.dataDir)),
    metrics,
    logger: config.logger,
    compaction: config.ephemeral ? null : config.compaction,
  });
  const connections = new Set<SyncConnection>();
  const { limits } = config;
  const services: RelayServices = {
    registry,
    gate: new AccessGate(signer, registry),
    signer,
    journal: new JournalStore(config.ephemeral ? null : config.dataDir),
    media: new MediaStore(mediaDir),
    host,
    metrics,
    logger: config.logger,
    limits,
    httpLimiter: new RateLimiter({ perSecond: limits.httpPerSecond, burst: limits.httpBurst }, now),
    operatorKey: secrets.operatorKey,
    now,
    staticDir: config.staticDir,
    closeRevoked: (venueId, deviceId) => {
      for (const conn of connections) {
        const { claims } = conn.admission;
        if (claims.venue !== venueId) continue;
        if (deviceId ? claims.sub === deviceId : claims.role === 'guest') {
          conn.close(CloseCode.revoked, 'revoked');
        }
      }
    },
    connectionCount: () => connections.size,
  };
  const messageLimiter = new RateLimiter(
    { perSecond: limits.messagesPerSecond, burst: limits.messageBurst },
    now,
  );
  const server: Server = config.tls
    ? createHttpsServer({ cert: config.tls.cert, key: config.tls.key })
    : createHttpServer();
  server.on('request', (req, res) => void handleHttp(services, req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  const ctx = { metrics, messageLimiter, backpressure: config.backpressure };

  const accept = (ws: WebSocket, room: string, token: string | null, wantsAcks: boolean): void => {
    const admission = services.gate.admit(token, room);
    ws.on('error', (error) => config.logger.log('debug', 'socket-error', { error: String(error) }));
    if (!admission.ok) {
      metrics.refusedConnections++;
      config.logger.log('info', 'socket-refused', {
        room,
        code: admission.code,
        reason: admission.error,
      });
      ws.close(admission.code, admission.error);
      return;
    }
    const conn = new SyncConnection(ws, admission, wantsAcks, ctx);
    connections.add(conn);
    metrics.connections = connections.size;
    registry.touch(admission.claims.sub, now());
    ws.on('message', (data, isBinary) => {
      if (!isBinary) conn.close(CloseCode.badRequest, 'text-frame');
      else conn.receive(data as Buffer);
    });
    ws.on('pong', () => {
      conn.alive = true;
    });
    const { sub: deviceId, role } = admission.claims;
    config.logger.log('debug', 'socket-opened', { room, deviceId, role, id: conn.id });
    ws.on('close', (code) => {
      config.logger.log('debug', 'socket-closed', { room, deviceId, id: conn.id, code });
      connections.delete(conn);
      metrics.connections = connections.size;
      conn.detach();
      host.release(room);
    });
    host.open(room, admission.kind).then(
      (opened) => conn.attach(opened),
      (error: unknown) => {
        config.logger.log('error', 'room-load-failed', { room, error: String(error) });
        conn.close(CloseCode.internal, 'room-load-failed');
      },
    );
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://relay');
    if (!url.pathname.startsWith('/sync/')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    let room: string;
    try {
      room = decodeURIComponent(url.pathname.slice('/sync/'.length));
    } catch {
      room = '';
    }
    const token = url.searchParams.get('token');
    const wantsAcks = url.searchParams.get(ACK_PARAM) === '1';
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, room, token, wantsAcks));
  });

  const liveness = setInterval(() => checkLiveness(connections), config.pingIntervalMs);
  const housekeeping = setInterval(() => {
    messageLimiter.sweep();
    services.httpLimiter.sweep();
    void registry.saveIfDirty();
  }, 30_000);
  const trimming = setInterval(() => host.trimCaches(), 2_000);
  const keepalive = setInterval(() => {
    for (const conn of connections) conn.keepAlive();
  }, config.keepaliveMs);
  keepalive.unref();
  trimming.unref();
  liveness.unref();
  housekeeping.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const scheme = config.tls ? 'https' : 'http';
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  config.logger.log('info', 'relay-listening', { url: `${scheme}://${hostForUrl}:${port}` });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(liveness);
      clearInterval(housekeeping);
      clearInterval(trimming);
      clearInterval(keepalive);
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const conn of connections) conn.close(CloseCode.goingAway, 'relay-shutdown');
      await host.flushAll();
      await registry.saveIfDirty();
      server.closeAllConnections();
      for (const conn of connections) conn.socket.terminate();
      await serverClosed;
      if (config.ephemeral) await rm(mediaDir, { recursive: true, force: true });
      config.logger.log('info', 'relay-stopped', {});
    })();
    return closing;
  };

  return {
    url: `${scheme}://${hostForUrl}:${port}`,
    port,
    operatorKey: secrets.operatorKey,
    operatorKeyPath: secrets.operatorKeyPath,
    firstStart: secrets.firstStart,
    metrics,
    close,
  };
}

/**
 * Liveness (RP16): ping every interval; drop a socket only if it answered nothing, sent nothing
 * and drained nothing for a whole interval, so a large sync in flight is never killed.
 */
function checkLiveness(connections: Set<SyncConnection>): void {
  for (const conn of connections) {
    const buffered = conn.socket.bufferedAmount;
    const draining = buffered > 0 && buffered < conn.lastBuffered;
    conn.lastBuffered = buffered;
    if (!conn.alive && !draining) {
      conn.socket.terminate();
      continue;
    }
    conn.alive = false;
    conn.socket.ping();
  }
}
