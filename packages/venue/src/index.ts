/**
 * The DJAMMS venue model: the venue document's schema, every operation on it, the read model and the
 * rules of SPEC.md. Pure TypeScript over Yjs 13; the clock and random source are passed in.
 */
export { Venue } from './Venue';
export type { VenuePorts } from './ports';
export { DeviceClock } from './clock';
export {
  createVenue,
  venueFromRelay,
  readMeta,
  migrateVenue,
  MIGRATIONS,
  type NewVenue,
  type RelayVenue,
  type Migration,
} from './meta';
export type { TrackInfo } from './queue-ops';
export type { GuestEntry } from './player-ops';
export type { IntentTarget } from './staff-ops';
export { type Result, type VenueError } from './result';
export {
  DAY_MINUTES,
  dayPlan,
  hiddenDays,
  isSlot,
  minutesToNextChange,
  overlapping,
  slotOccurrence,
  type DayPart,
  type LocalTime,
  type Slot,
} from './schedule';
export {
  effectiveVolume,
  defaultSettings,
  SETTING_NAMES,
  type GalleryRotation,
  type Repeat,
  type SettingName,
  type VenueSettings,
} from './settings';
export {
  progress,
  playableCount,
  programmeOrder,
  upNext,
  type CursorView,
  type EntryView,
  type FailureView,
  type GuestOutcomeView,
  type IntentView,
  type NowPlaying,
  type PlayerView,
  type VenueSnapshot,
} from './snapshot';
export type { Problem } from './validate';
export {
  INTENT_KINDS,
  LIMITS,
  SCHEMA_VERSION,
  TIMING,
  type ClockDoubt,
  type IntentKind,
  type IntentOutcome,
  type Lane,
  type PlaybackState,
  type StopReason,
  type VenueMeta,
  type WriterIdentity,
  type WriterRole,
} from './schema';
export { randomId } from './ids';
export { mayChangeSetting, mayHoldRegister, maySendIntents } from './rights';
export {
  Library,
  normalIsrc,
  GALLERY_LIMIT,
  type GalleryItem,
  type LibraryTrack,
  type LibraryPlaylist,
  type LibrarySnapshot,
  type MediaRef,
  type TrackChanges,
} from './Library';
