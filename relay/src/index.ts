export { startRelay, type RunningRelay } from './relay';
export {
  defaultConfig,
  DEFAULT_JOURNAL_RETENTION,
  DEFAULT_LIMITS,
  type RelayConfig,
} from './config/relay-config';
export { jsonLogger, silentLogger, type Logger } from './ops/logger';
export type { RoomStorage, StoredRoom } from './storage/RoomStorage';
export { DiskRoomStorage } from './storage/DiskRoomStorage';
export { EphemeralRoomStorage, MemoryRoomStorage } from './storage/MemoryRoomStorage';
export { checkUpdate } from './sync/update-check';
