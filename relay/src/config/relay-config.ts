import type { Logger } from '../ops/logger';
import type { StoreHooks } from '../stores';
import type { RelayLimits } from '../services';
import type { Backpressure } from '../sync/SyncConnection';
import type { CompactionPolicy } from '../sync/Room';
import type { JournalRetention } from '../storage/JournalStore';
import type { ClusterConfig } from '../cluster/cluster-config';

/** Everything the relay needs, read once by main.ts (or built by tests). */
export interface RelayConfig {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Data directory; ignored when `ephemeral`. */
  readonly dataDir: string;
  /** Keep nothing on disk (RP15). */
  readonly ephemeral: boolean;
  /** PEM certificate and key: serve HTTPS and WSS on the same port. */
  readonly tls: { readonly cert: string | Buffer; readonly key: string | Buffer } | null;
  /** Directory of the built PWA, or null. */
  readonly staticDir: string | null;
  readonly limits: RelayLimits;
  readonly backpressure: Backpressure;
  readonly compaction: CompactionPolicy;
  /** What each venue's journal keeps (RP29). */
  readonly journalRetention: JournalRetention;
  /** Liveness ping interval; a socket silent for two intervals with nothing draining is dropped. */
  readonly pingIntervalMs: number;
  /** A socket that was sent nothing for this long gets an empty awareness message (RP16). */
  readonly keepaliveMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
  /**
   * Stores and the bus to bring instead of the defaults (tests, embedding, cluster mode): room
   * storage and registry on disk (in memory when ephemeral), no bus.
   */
  readonly stores?: StoreHooks;
  /** A node of a cluster (`--redis`, `--postgres`), or null for a single relay (the default). */
  readonly cluster: ClusterConfig | null;
}

/** Defaults documented in relay/README.md and PROTOCOL.md. */
export const DEFAULT_LIMITS: RelayLimits = {
  maxMessageBytes: 8 * 1024 * 1024,
  maxMediaBytes: 512 * 1024 * 1024,
  messagesPerSecond: 200,
  messageBurst: 2000,
  overRateCloseMs: 10_000,
  httpPerSecond: 20,
  httpBurst: 200,
  // A person pairing tries a few codes; all addresses together keep the old relay-wide bound (T6).
  pairingPerAddress: { perSecond: 0.2, burst: 10 },
  pairingPerRelay: { perSecond: 20, burst: 200 },
  // A busy bar: 600 patrons in the first minutes, then two a second (T18).
  guestTokensPerMinute: 120,
  maxConnections: 20_000,
  maxConnectionsPerAddress: 1_000,
  headersTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  // a busy bar: hundreds of patrons, a few requests and votes each an hour, everyone at once
  // after a call to vote; a stored request or vote is about 200 bytes
  guestJournal: {
    entriesPerSecond: 10,
    entryBurst: 300,
    bytesPerSecond: 16 * 1024,
    byteBurst: 1024 * 1024,
  },
};

export const DEFAULT_BACKPRESSURE: Backpressure = {
  highBytes: 4 * 1024 * 1024,
  lowBytes: 256 * 1024,
};

export const DEFAULT_COMPACTION: CompactionPolicy = { maxFrames: 10_000, maxGrowth: 4 };

/** Days of play history kept by default (RP33): a year's licensing report, a month to spare. */
export const DEFAULT_HISTORY_DAYS = 400;

/** Years of staff actions, weeks of a busy bar's requests and votes (RP29), 400 days of plays (RP33). */
export const DEFAULT_JOURNAL_RETENTION: JournalRetention = {
  maxBytes: 64 * 1024 * 1024,
  maxGuestBytes: 8 * 1024 * 1024,
  historyMs: DEFAULT_HISTORY_DAYS * 86_400_000,
};

/** A config with every default, for tests and main.ts to override. */
export function defaultConfig(
  overrides: Partial<RelayConfig> & Pick<RelayConfig, 'logger'>,
): RelayConfig {
  return {
    host: '127.0.0.1',
    port: 8787,
    dataDir: './data',
    ephemeral: false,
    tls: null,
    staticDir: null,
    limits: DEFAULT_LIMITS,
    backpressure: DEFAULT_BACKPRESSURE,
    compaction: DEFAULT_COMPACTION,
    journalRetention: DEFAULT_JOURNAL_RETENTION,
    pingIntervalMs: 30_000,
    keepaliveMs: 10_000,
    cluster: null,
    ...overrides,
  };
}
