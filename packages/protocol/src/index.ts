export {
  CloseCode,
  isPermanentClose,
  type CloseCodeName,
  type CloseCodeNumber,
} from './close-codes';
export { MessageType, SyncMessageType, DeniedReason, ACK_PARAM } from './messages';
export {
  ROLES,
  PAIRABLE_ROLES,
  GUEST_JOURNAL_KINDS,
  RECORD_WRITERS,
  isRole,
  isPairableRole,
  roomAccess,
  mayAppendJournal,
  mayReadJournal,
  type Role,
  type PairableRole,
  type RoomKind,
  type RoomAccess,
} from './roles';
export {
  RECORD_JOURNAL_KINDS,
  PLAY_ENDINGS,
  MAX_RECORD_TEXT,
  MAX_PLAY_SECONDS,
  playRecordProblem,
  actionRecordProblem,
  type RecordKind,
  type PlayEnding,
  type PlayRecord,
  type ActionRecord,
  type PlayEntry,
  type HistoryPage,
} from './records';
export { ID_RANDOM_LENGTH, isVenueId, isLibraryId, isRoomName, isSha256 } from './ids';
export {
  parseClaims,
  isExpired,
  type TokenClaims,
  type TokenProblem,
  type TokenCheck,
} from './token-claims';
export type * from './http';
export { MAX_DEVICE_NAME, MAX_VENUES_PER_REQUEST } from './http';
export {
  ACCEPTED_MEDIA_TYPES,
  MEDIA_IMAGE_TYPES,
  isAcceptedMediaType,
  uploadTypeOf,
} from './media-types';
export {
  encodeHttpSyncRequest,
  decodeHttpSyncRequest,
  encodeHttpSyncAnswer,
  decodeHttpSyncAnswer,
  encodeSavedMessage,
  decodeSavedPayload,
  type SavedAck,
} from './binary';
