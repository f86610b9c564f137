/**
 * The shape of a venue document (schema version 2). See SPEC.md §1.
 *
 * A venue document has these root types:
 * - `meta`: facts fixed when the venue is created (schema version, venue id, epoch, library id…).
 * - `writers`: one Y.Array per writer, the writer's **log**. Each element is one fact with an
 *   identity key `k`; a writer changes a fact by appending its new version and deleting the old one,
 *   so an operation's update carries only what it changed, and a writer's deleted versions lie side
 *   by side in its log and merge into a few tombstone runs however its facts interleave (VM20).
 * - `ledgers` (schema 1, read-only now): one JSON value per writer. Read as legacy, converted by its
 *   owner on its first write, folded and deleted by others when its writer is gone (VM15, VM24).
 */
import type { Role } from '@djamms/protocol';
import type { Hlc } from './hlc';

/** The current schema version, written by {@link createVenue} and by the migration of schema 1. */
export const SCHEMA_VERSION = 2;

/** Root map names in the venue document. */
export const META_MAP = 'meta';
export const WRITERS_MAP = 'writers';
/** Schema 1's ledgers: read as legacy, never written again except to delete a converted one. */
export const LEGACY_LEDGERS_MAP = 'ledgers';

/** Roles that write a venue document. Guests never do: their requests come through the journal. */
export type WriterRole = Exclude<Role, 'guest'>;
export const WRITER_ROLES: readonly WriterRole[] = ['admin', 'staff', 'player', 'kiosk', 'viewer'];

/** Which queue an entry belongs to. */
export type Lane = 'priority' | 'programme';

/** Who is writing: the shell decides, and guarantees one live session per writer id (VM1). */
export interface WriterIdentity {
  /** The writer's log key; one live session at a time (e.g. device id + tab slot). */
  writer: string;
  /** Stable device id. */
  device: string;
  role: WriterRole;
  name?: string;
}

/** The first fact of every log: whose it is, and when its current session first wrote. */
export interface WriterFact {
  readonly k: 'me';
  readonly dev: string;
  readonly role: WriterRole;
  readonly name: string;
  /** When this writer's latest session began writing (keeps a quiet session from looking gone). */
  readonly at: number;
  /** The restore this log was written after (VM36); absent before the venue's first restore. */
  readonly era?: string;
}

/** A last-writer-wins register stamped with a hybrid logical clock (`k` is `r:<register>`). */
export interface RegisterFact {
  readonly k: string;
  readonly v: unknown;
  readonly h: Hlc;
}

/** An entry added to the priority lane or to the programme (`k` is `a:<entry id>`). */
export interface AddFact {
  readonly k: string;
  readonly lane: Lane;
  /** Programme id the entry belongs to (programme entries only). */
  readonly prog?: string;
  readonly track: string;
  readonly key: string;
  readonly h: Hlc;
  /** Wall time of the add, for lane expiry. */
  readonly at: number;
  /** The guest who asked for it (guest requests), or the kiosk device (kiosk requests). */
  readonly guest?: string;
  /** Asked for at a kiosk: many patrons share it, so it has its own limit (VM11). */
  readonly kiosk?: true;
}

/** The guests who like a pending request (`k` is `v:<entry id>`). */
export interface VoteFact {
  readonly k: string;
  readonly g: string[];
}

/** Transport intents an admin can send to the active player (VM2). */
export type IntentKind =
  'play' | 'pause' | 'skip' | 'previous' | 'seek' | 'emergency-stop' | 'fade-out-stop';
export const INTENT_KINDS: readonly IntentKind[] = [
  'play',
  'pause',
  'skip',
  'previous',
  'seek',
  'emergency-stop',
  'fade-out-stop',
];

/** An intent as written by its sender (`k` is `i:<intent id>`). */
export interface IntentFact {
  readonly k: string;
  readonly kind: IntentKind;
  /** The entry the intent is about (skip, previous, seek, pause, play). */
  readonly entry?: string;
  /** Target position for seek, in milliseconds. */
  readonly pos?: number;
  /** When issued, on the sender's corrected clock (VM25). */
  readonly at: number;
  readonly h: Hlc;
  /** The emergency-stop count the sender had seen (VM6). */
  readonly stop: number;
}

/** How the player resolved an intent. */
export type IntentOutcome = 'applied' | 'expired' | 'rejected';

/** An outcome recorded by a player (`k` is `o:<intent id>`). */
export interface OutcomeFact {
  readonly k: string;
  readonly s: IntentOutcome;
  readonly kind: IntentKind;
  readonly by: string;
  /** When the player decided. */
  readonly at: number;
  readonly why?: string;
}

/** What became of a guest's journal entry (`k` is `g:<journal entry id>`). */
export interface GuestOutcomeFact {
  readonly k: string;
  readonly s: 'accepted' | 'refused';
  /** Why it was refused: a {@link VenueError} such as `duplicate`, `limit` or `banned`. */
  readonly why?: string;
  readonly at: number;
}

/** Playback states the player reports. */
export type PlaybackState = 'playing' | 'paused' | 'buffering' | 'stopped';
export const PLAYBACK_STATES: readonly PlaybackState[] = [
  'playing',
  'paused',
  'buffering',
  'stopped',
];

/** Why playback is stopped: a person (emergency stop, fade-out stop) or the end of the queue. */
export type StopReason = 'emergency' | 'fade-out' | 'end';
export const STOP_REASONS: readonly StopReason[] = ['emergency', 'fade-out', 'end'];

/** What the active player is playing (`k` is `play`). Position is derived from `at` (VM23). */
export interface PlaybackFact {
  readonly k: 'play';
  readonly entry: string;
  readonly track: string;
  readonly lane: Lane;
  readonly state: PlaybackState;
  /** Position in milliseconds at the time of the last state change. */
  readonly pos: number;
  /** Wall time of the last state change. */
  readonly at: number;
  /** Why it stopped (state `stopped` only). */
  readonly why?: StopReason;
  /**
   * Who asked for it, copied from its add when a request starts (the guest, or the kiosk device),
   * because a request leaves the lane once it plays. Absent for staff's entries and in playbacks
   * written before it was kept.
   */
  readonly guest?: string;
  /** Asked for at a kiosk (with `guest`, the kiosk device). */
  readonly kiosk?: true;
}

/** Why a player's clock cannot be trusted to run the schedule (VM33). */
export interface ClockDoubt {
  /**
   * `relay`: its last reading of the relay's time found it off by more than
   * `TIMING.scheduleClockTolerance`; `venue`: the venue holds changes stamped after its clock.
   */
  why: 'relay' | 'venue';
  /** How far off, in ms: positive when the clock is behind. */
  ms: number;
}

/** The player's last heartbeat. */
export interface BeatFact {
  readonly k: 'beat';
  readonly at: number;
  /** The player handed over (its screen closed): its lease may be claimed at once (VM3). */
  readonly off?: true;
  /** Its clock is too doubtful to run the schedule, and why (VM33). */
  readonly clock?: ClockDoubt;
}

/** The active-player lease this player claimed (VM3). */
export interface LeaseFact {
  readonly k: 'lease';
  readonly epoch: number;
  readonly at: number;
}

/** The programme entry last started, its order key then, and the programme it was in (VM13). */
export interface CursorFact {
  readonly k: 'cursor';
  readonly entry: string;
  readonly key: string;
  /** The programme's id; absent in cursors written before it was kept. */
  readonly prog?: string;
}

/** Emergency stops so far (VM6). */
export interface StopsFact {
  readonly k: 'stops';
  readonly n: number;
}

/** Journal cursor of the last guest entry applied. */
export interface JournalFact {
  readonly k: 'journal';
  readonly c: string;
}

/** The schedule slot occurrence applied last (`slotId@YYYY-MM-DD`, the date it started, VM32). */
export interface SlotFact {
  readonly k: 'slot';
  readonly occ: string;
  /** Other occurrences applied since yesterday, so none is applied twice when time runs back. */
  readonly seen?: readonly string[];
}

/** A lane entry a player started, and when (`k` is `p:<entry id>`). */
export interface PlayedFact {
  readonly k: string;
  readonly at: number;
}

/** A track the player could not play, and why (`k` is `x:<track id>`). */
export interface FailureFact {
  readonly k: string;
  /** The entry it failed on. */
  readonly entry: string;
  /** In words an admin can act on ("the file could not be decoded"). */
  readonly why: string;
  readonly at: number;
}

/** One past play, for "previous" and the activity view (`k` is `hi:<sequence>`). */
export interface HistoryFact {
  readonly k: string;
  readonly entry: string;
  readonly track: string;
  readonly lane: Lane;
  readonly at: number;
}

/** Any fact of a writer's log. */
export type Fact =
  | WriterFact
  | RegisterFact
  | AddFact
  | VoteFact
  | IntentFact
  | OutcomeFact
  | GuestOutcomeFact
  | PlaybackFact
  | BeatFact
  | LeaseFact
  | CursorFact
  | StopsFact
  | JournalFact
  | SlotFact
  | PlayedFact
  | HistoryFact
  | FailureFact;

/**
 * One writer's facts, read from its log and indexed for the rules. Every fact object here is the very
 * object stored in the document (frozen), so a write can tell what changed by identity.
 */
export interface Ledger {
  /** Writer id: the log's key. */
  w: string;
  me: WriterFact;
  /** Registers by register key (`set:volume`, `rm:<entry>`, `prog`…). */
  regs: Map<string, RegisterFact>;
  adds: Map<string, AddFact>;
  votes: Map<string, VoteFact>;
  intents: Map<string, IntentFact>;
  beat?: BeatFact;
  lease?: LeaseFact;
  play?: PlaybackFact;
  cursor?: CursorFact;
  stops?: StopsFact;
  journal?: JournalFact;
  slot?: SlotFact;
  played: Map<string, PlayedFact>;
  history: Map<string, HistoryFact>;
  outcomes: Map<string, OutcomeFact>;
  guest: Map<string, GuestOutcomeFact>;
  /** Tracks that failed to play, by track id. */
  failed: Map<string, FailureFact>;
  /** Wall time of the newest fact (derived on read, never stored): when the writer last spoke. */
  latest: number;
  /** Bumped each time this in-memory ledger changes (never stored), for caches of what it says. */
  version: number;
  /** Read from a schema-1 ledger value: converted by its owner on its next write. */
  legacy?: true;
}

/** Venue facts fixed at creation. */
export interface VenueMeta {
  schemaVersion: number;
  venueId: string;
  name: string;
  created: number;
  /** Random id of this venue's genesis: two documents with different epochs must never merge. */
  epoch: string;
  libraryId: string;
}

/** Timings of the rules, in milliseconds (SPEC "Timings and limits"). */
export const TIMING = {
  /** An intent is applied only this fresh (VM2). */
  intentTtl: 10_000,
  /** A player heartbeats this often. */
  heartbeat: 15_000,
  /** A lease whose holder has not beaten for this long may be taken over (VM3). */
  leaseTtl: 45_000,
  /** A player that handed over (its screen closed) may be replaced this soon: a reload is back sooner. */
  handover: 5_000,
  /** A player is shown online while its last beat is this recent. */
  onlineWindow: 45_000,
  /** A lane entry not played within this long expires (VM12). */
  laneTtl: 12 * 60 * 60_000,
  /** Facts are kept this long past the point where they stop mattering, for slow peers. */
  grace: 60 * 60_000,
  /** Outcomes are kept this long. */
  outcomeTtl: 60 * 60_000,
  /** A track that failed to play is reported this long. */
  failureTtl: 24 * 60 * 60_000,
  /** A writer that has said nothing for this long is gone: its log is folded and retired (VM24). */
  retireAfter: 7 * 24 * 60 * 60_000,
  /** How far ahead of a device's clock a stamp may be and still count (VM25). */
  maxAhead: 60_000,
  /** A player whose clock was this far from the relay's when last read pauses the schedule (VM33). */
  scheduleClockTolerance: 5 * 60_000,
} as const;

/** Limits that keep the document small and fair (SPEC "Timings and limits"). */
export const LIMITS = {
  /** Pending lane requests per guest, unless the venue's setting says otherwise (VM11). */
  requestsPerGuest: 3,
  /** Pending lane requests per kiosk, unless the venue's setting says otherwise (VM11). */
  requestsPerKiosk: 10,
  /** Plays kept in the player's history. */
  history: 20,
  /** Longest name or title accepted. */
  text: 200,
  /** Most entries in a programme. */
  programme: 20_000,
  /** Longest order key (VM9). */
  orderKey: 64,
  /** Most guests counted on one request's votes. */
  votes: 1_000,
} as const;
