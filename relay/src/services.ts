import type { AccessGate, Identity } from './auth/AccessGate';
import type { Registry } from './auth/Registry';
import type { TokenSigner } from './auth/tokens';
import type { DemoLibrary } from '@djamms/protocol';
import type { RelayStores } from './stores';
import type { RoomHost } from './sync/RoomHost';
import type { Metrics } from './ops/metrics';
import type { Logger } from './ops/logger';
import type { RateLimiter } from './auth/rate-limit';
import type { DoorLimits, DoorRates } from './auth/DoorLimits';
import type { ConnectionLimits } from './http/ConnectionGuard';
import type { GuestJournalLimiter, GuestJournalRate } from './auth/GuestJournalLimiter';

/** Limits an operator can tune (RP14, RP26, RP30). */
export interface RelayLimits extends DoorRates, ConnectionLimits {
  /** Largest WebSocket message and HTTP sync body, bytes. */
  readonly maxMessageBytes: number;
  /** Largest media upload, bytes. */
  readonly maxMediaBytes: number;
  /** Sync messages per token: sustained per second and burst. */
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  /** A socket kept over its message rate this long without a break is closed (1013). */
  readonly overRateCloseMs: number;
  /** HTTP requests per token (or guest key): sustained per second and burst. */
  readonly httpPerSecond: number;
  readonly httpBurst: number;
  /** Guest journal appends per venue guest link and per client address (RP30). */
  readonly guestJournal: GuestJournalRate;
}

/**
 * Everything the HTTP handlers use, wired once by the relay. Of the {@link RelayStores}, the
 * registry and room storage are reached only through their rules (`registry`, `host`); the
 * journal and media have none beyond the store's own.
 */
export interface RelayServices {
  readonly registry: Registry;
  readonly gate: AccessGate;
  readonly signer: TokenSigner;
  readonly journal: RelayStores['journal'];
  readonly media: RelayStores['media'];
  readonly host: RoomHost;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly limits: RelayLimits;
  readonly httpLimiter: RateLimiter;
  /** Limits on pairing and guest links, the routes anyone may call (T6, T18). */
  readonly doors: DoorLimits;
  readonly guestJournalLimiter: GuestJournalLimiter;
  readonly operatorKey: string;
  readonly now: () => number;
  readonly staticDir: string | null;
  /** Counts open sync sockets. */
  readonly connectionCount: () => number;
  /** Whether a cluster node's shared services answer (RP21); null on a single node. */
  readonly shared: RelayStores['shared'];
  /** The demo library, synthesised into the media store on first use (RP24). */
  readonly demoLibrary: () => Promise<DemoLibrary>;
}

/** Token lifetimes (RP5). */
export const DEVICE_TOKEN_SECONDS = 365 * 24 * 3600;
export const GUEST_TOKEN_SECONDS = 12 * 3600;
export const PAIRING_CODE_MS = 10 * 60 * 1000;

/** A venue route's caller, identified and checked against the venue in the path. */
export type Caller = Identity;
