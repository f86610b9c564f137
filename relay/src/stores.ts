import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoomStorage } from './storage/RoomStorage';
import type { RegistryStore } from './storage/RegistryStore';
import type { MediaStore } from './storage/MediaStore';
import type { RoomBus } from './sync/RoomBus';
import type { RateShare } from './auth/rate-limit';
import { DiskRoomStorage } from './storage/DiskRoomStorage';
import { EphemeralRoomStorage } from './storage/MemoryRoomStorage';
import { DiskRegistryStore } from './storage/DiskRegistryStore';
import { MemoryRegistryStore } from './storage/MemoryRegistryStore';
import { DiskMediaStore } from './storage/DiskMediaStore';
import { claimDataDir } from './storage/data-dir-lock';
import { FileJournalStore, type JournalRetention, type JournalStore } from './storage/JournalStore';
import type { Metrics } from './ops/metrics';
import type { Logger } from './ops/logger';
import type { ClusterConfig } from './cluster/cluster-config';
import { loadSecrets, type RelaySecrets } from './config/relay-secrets';
import { openClusterStores, type SharedServices } from './cluster/cluster-stores';

/**
 * The seams where storage and the transport between relay nodes plug in (relay/README.md, "Code
 * map"). A single relay keeps everything under its data directory (in memory with `--ephemeral`)
 * and has no bus; cluster mode puts shared implementations behind the same interfaces, each held
 * to its contract suite.
 */
export interface RelayStores {
  /** Room update logs (RP11–RP13). */
  readonly rooms: RoomStorage;
  /** Venues, devices, pairing codes and guest keys (RP6, RP7). */
  readonly registry: RegistryStore;
  /** Venue journals (RP18). */
  readonly journal: JournalStore;
  /** Uploaded media (RP19). */
  readonly media: MediaStore;
  /** The same rooms on other nodes (RP32); null on a single node. */
  readonly bus: RoomBus | null;
  /** Rate limits shared with other nodes (RP45); null on a single node. */
  readonly rates: RateShare | null;
  /** Whether a cluster node's shared services answer (RP21); null on a single node. */
  readonly shared: (() => Promise<SharedServices>) | null;
}

/** The stores a config may bring instead of the defaults (tests, embedding, cluster mode). */
export type StoreHooks = Partial<Pick<RelayStores, 'rooms' | 'registry' | 'bus'>>;

/** What {@link openStores} reads from the relay's config. */
export interface StoreOptions {
  readonly ephemeral: boolean;
  readonly dataDir: string;
  readonly journalRetention: JournalRetention;
  /** Stores brought by a test or an embedding instead of the defaults. */
  readonly stores?: StoreHooks;
  /** A cluster node's shared services, or null for a single relay. */
  readonly cluster: ClusterConfig | null;
  readonly logger: Logger;
}

/**
 * Opens the stores `config` asks for, and the secrets (in the data directory, or in PostgreSQL
 * for a cluster node). `close` is for when nothing uses them any more: it leaves them tidy and
 * removes an ephemeral relay's media.
 */
export async function openStores(
  config: StoreOptions,
  metrics: Metrics,
  now: () => number,
): Promise<{ stores: RelayStores; secrets: RelaySecrets; close: () => Promise<void> }> {
  const { ephemeral, dataDir, cluster } = config;
  if (cluster) return openClusterStores({ ...config, cluster }, metrics);
  const secrets = await loadSecrets(dataDir, ephemeral);
  // one relay per data directory (RP37)
  const release = ephemeral ? null : await claimDataDir(dataDir);
  const hooks = config.stores ?? {};
  const mediaDir = ephemeral
    ? await mkdtemp(join(tmpdir(), 'djamms-media-'))
    : join(dataDir, 'media');
  const stores: RelayStores = {
    rooms:
      hooks.rooms ??
      (ephemeral
        ? new EphemeralRoomStorage()
        : new DiskRoomStorage(dataDir, (seconds) => metrics.observeFsync(seconds))),
    registry:
      hooks.registry ??
      (ephemeral
        ? new MemoryRegistryStore()
        : new DiskRegistryStore(join(dataDir, 'registry.json'))),
    journal: new FileJournalStore(ephemeral ? null : dataDir, config.journalRetention, now),
    media: new DiskMediaStore(mediaDir),
    bus: hooks.bus ?? null,
    rates: null,
    shared: null,
  };
  const close = async () => {
    await stores.bus?.close();
    await stores.rooms.close();
    await stores.registry.close();
    if (ephemeral) await rm(mediaDir, { recursive: true, force: true });
    await release?.();
  };
  return { stores, secrets, close };
}
