export { startRelay, type RunningRelay } from './relay';
export {
  defaultConfig,
  DEFAULT_JOURNAL_RETENTION,
  DEFAULT_LIMITS,
  type RelayConfig,
} from './config/relay-config';
export { jsonLogger, silentLogger, type Logger } from './ops/logger';
export type { RelayStores, StoreHooks } from './stores';
export type { RoomStorage, StoredRoom } from './storage/RoomStorage';
export { DiskRoomStorage } from './storage/DiskRoomStorage';
export { EphemeralRoomStorage, MemoryRoomStorage } from './storage/MemoryRoomStorage';
export type { RegistryStore, RegistryChange } from './storage/RegistryStore';
export { DiskRegistryStore } from './storage/DiskRegistryStore';
export { MemoryRegistryStore } from './storage/MemoryRegistryStore';
export type { MediaStore } from './storage/MediaStore';
export type { RoomBus, RoomBusMessage, RoomBusDelivery } from './sync/RoomBus';
export { InProcessRoomHub } from './sync/InProcessRoomHub';
export { checkUpdate } from './sync/update-check';
