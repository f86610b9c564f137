import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { CloseCode } from '@djamms/protocol';
import { AccessGate } from './auth/AccessGate';
import { Registry } from './auth/Registry';
import { TokenSigner } from './auth/tokens';
import { handleHttp } from './http/http-api';
import { demoLibrary } from './http/demo-music';
import type { DemoLibrary } from '@djamms/protocol';
import { Metrics } from './ops/metrics';
import { RateLimiter } from './auth/rate-limit';
import { DoorLimits } from './auth/DoorLimits';
import { ConnectionGuard } from './http/ConnectionGuard';
import { GuestJournalLimiter } from './auth/GuestJournalLimiter';
import type { RelayConfig } from './config/relay-config';
import { RoomHost } from './sync/RoomHost';
import type { RelayServices } from './services';
import { openStores } from './stores';
import { SyncSockets } from './sync/SyncSockets';

/** A venue journal unused this long is unloaded from memory (rebuilt from disk when next used). */
const JOURNAL_IDLE_MS = 10 * 60 * 1000;

/** A running relay. */
export interface RunningRelay {
  /** `http://host:port` (or https). */
  readonly url: string;
  readonly port: number;
  readonly operatorKey: string;
  readonly operatorKeyPath: string | null;
  readonly firstStart: boolean;
  /** Graceful stop (RP15): refuse new work, close sockets (1001), flush every room, close. */
  close(): Promise<void>;
}

/** Wires storage, auth, rooms, HTTP and WebSockets from one config and starts listening. */
export async function startRelay(config: RelayConfig): Promise<RunningRelay> {
  const now = config.now ?? Date.now;
  const metrics = new Metrics();
  const { stores, secrets, close: closeStores } = await openStores(config, metrics, now);
  const registry = await Registry.open(stores.registry);
  const signer = new TokenSigner(secrets.secret, now);
  const host = new RoomHost({
    storage: stores.rooms,
    bus: stores.bus,
    metrics,
    logger: config.logger,
    compaction: config.ephemeral ? null : config.compaction,
  });
  const { limits } = config;
  const gate = new AccessGate(signer, registry);
  const sockets = new SyncSockets({
    gate,
    host,
    registry,
    metrics,
    logger: config.logger,
    limits,
    backpressure: config.backpressure,
    pingIntervalMs: config.pingIntervalMs,
    keepaliveMs: config.keepaliveMs,
    now,
  });
  // revocations made here or on another node close the sockets they concern
  registry.onRevocation((venueId, deviceId) => sockets.closeRevoked(venueId, deviceId));
  const { journal, media } = stores;
  let demo: Promise<DemoLibrary> | null = null;
  const services: RelayServices = {
    registry,
    gate,
    signer,
    journal,
    media,
    host,
    metrics,
    logger: config.logger,
    limits,
    httpLimiter: new RateLimiter({ perSecond: limits.httpPerSecond, burst: limits.httpBurst }, now),
    doors: new DoorLimits(limits, now),
    guestJournalLimiter: new GuestJournalLimiter(limits.guestJournal, now),
    operatorKey: secrets.operatorKey,
    now,
    staticDir: config.staticDir,
    connectionCount: () => sockets.count,
    shared: stores.shared,
    // Made once per process; a failure is not kept, so the next request tries again.
    demoLibrary: () =>
      (demo ??= demoLibrary(media).catch((e: unknown) => {
        demo = null;
        throw e;
      })),
  };
  // one budget per token, guest link and address across the cluster's nodes (RP45)
  if (stores.rates) {
    const shared: [string, RateLimiter][] = [
      ['http', services.httpLimiter],
      ['messages', sockets.messageLimiter],
      ...services.doors.limiters(),
      ...services.guestJournalLimiter.limiters(),
    ];
    for (const [name, limiter] of shared) stores.rates.share(name, limiter);
  }
  const guard = new ConnectionGuard(limits, config.logger, now);
  const server: Server = config.tls
    ? createHttpsServer({ ...guard.serverOptions, cert: config.tls.cert, key: config.tls.key })
    : createHttpServer(guard.serverOptions);
  guard.attach(server);
  server.on('request', (req, res) => {
    // handleHttp answers every failure itself; whatever escapes it ends this request, never the relay
    handleHttp(services, req, res).catch((error: unknown) => {
      config.logger.log('error', 'http-failed', { error: String(error) });
      res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (guard.admitUpgrade(req, socket)) sockets.upgrade(req, socket, head);
  });
  let ticks = 0;
  const housekeeping = setInterval(() => {
    host.trimCaches();
    if (++ticks % 15 !== 0) return;
    services.httpLimiter.sweep();
    services.doors.sweep();
    services.guestJournalLimiter.sweep();
    void services.journal.unloadIdle(JOURNAL_IDLE_MS);
    registry.flushLastSeen().catch((error: unknown) => {
      config.logger.log('warn', 'registry-write-failed', { error: String(error) });
    }); // lastSeen, at most every 30 s
  }, 2_000);
  housekeeping.unref();

  const { url, port } = await listen(server, config);
  config.logger.log('info', 'relay-listening', { url });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(housekeeping);
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      sockets.closeAll(CloseCode.goingAway, 'relay-shutdown');
      await host.flushAll();
      await registry.close();
      await closeStores();
      server.closeAllConnections();
      sockets.terminateAll();
      await serverClosed;
      config.logger.log('info', 'relay-stopped', {});
    })();
    return closing;
  };

  return {
    url,
    port,
    operatorKey: secrets.operatorKey,
    operatorKeyPath: secrets.operatorKeyPath,
    firstStart: secrets.firstStart,
    close,
  };
}

async function listen(server: Server, config: RelayConfig): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const scheme = config.tls ? 'https' : 'http';
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { url: `${scheme}://${host}:${port}`, port };
}
