/**
 * The shape of a venue document (schema version 1). See SPEC.md §1.
 *
 * A venue document has two root maps:
 * - `meta`: facts fixed when the venue is created (schema version, venue id, epoch, library id…).
 * - `ledgers`: one JSON value per writer. A writer only ever overwrites its own ledger (VM1), so every
 *   rule is a pure function over the set of ledgers, and a writer's history collapses into one
 *   tombstone run per session (VM20).
 */
import type { Hlc } from './hlc';

/** The current schema version written by {@link createVenue}. */
export const SCHEMA_VERSION = 1;
/** Format version of a ledger value. */
export const LEDGER_VERSION = 1;

/** Root map names in the venue document. */
export const META_MAP = 'meta';
export const LEDGERS_MAP = 'ledgers';

/** Roles a writer can hold in a venue. Guests never write the document (see relay THREAT_MODEL). */
export type Role = 'admin' | 'player' | 'kiosk' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'player', 'kiosk', 'viewer'];

/** Which queue an entry belongs to. */
export type Lane = 'priority' | 'programme';

/** A last-writer-wins register stamped with a hybrid logical clock. */
export interface RegisterFact {
  v: unknown;
  h: Hlc;
}

/** An entry added to the priority lane or to the programme. */
export interface AddFact {
  lane: Lane;
  /** Programme id the entry belongs to (programme entries only). */
  prog?: string;
  track: string;
  key: string;
  h: Hlc;
  /** Wall time of the add, for lane expiry. */
  at: number;
  /** The guest who asked for it (guest requests only). */
  guest?: string;
}

/** Transport intents an admin or kiosk can send to the active player (VM2). */
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

/** An intent as written by its sender. */
export interface IntentFact {
  id: string;
  kind: IntentKind;
  /** The entry the intent is about (skip, previous, seek, pause, play). */
  entry?: string;
  /** Target position for seek, in milliseconds. */
  pos?: number;
  /** Wall time when issued (sender's clock). */
  at: number;
  h: Hlc;
  /** The emergency-stop count the sender had seen (VM6). */
  stop: number;
}

/** How the player resolved an intent. */
export type IntentOutcome = 'applied' | 'expired' | 'rejected';

/** An outcome recorded by the active player. */
export interface OutcomeFact {
  s: IntentOutcome;
  kind: IntentKind;
  by: string;
  /** When the player decided. */
  at: number;
  why?: string;
}

/** Playback states the player reports. */
export type PlaybackState = 'playing' | 'paused' | 'buffering' | 'stopped';
export const PLAYBACK_STATES: readonly PlaybackState[] = [
  'playing',
  'paused',
  'buffering',
  'stopped',
];

/** What the active player is playing. Position is derived from `at`, never ticked (VM20). */
export interface PlaybackFact {
  entry: string;
  track: string;
  lane: Lane;
  state: PlaybackState;
  /** Position in milliseconds at the time of the last state change. */
  pos: number;
  /** Wall time of the last state change. */
  at: number;
}

/** One past play, for "previous" and the activity view. */
export interface HistoryFact {
  entry: string;
  track: string;
  lane: Lane;
  at: number;
}

/** State written only by a player (VM1). */
export interface PlayerFact {
  /** Last heartbeat (wall ms). */
  beat: number;
  lease: { epoch: number; at: number } | null;
  playback: PlaybackFact | null;
  /** The programme entry last started, and its order key then. */
  cursor: { entry: string; key: string } | null;
  /** Lane entries played, with the time they started. */
  played: Record<string, number>;
  history: HistoryFact[];
  outcomes: Record<string, OutcomeFact>;
  /** Emergency stops so far (VM6). */
  stop: number;
  /** Journal cursor of the last guest request applied. */
  journal: string | null;
  /** The schedule slot occurrence applied last (`slotId@day`). */
  slot: string | null;
}

/** One writer's ledger: everything that writer has said that still matters. */
export interface LedgerFact {
  v: number;
  /** Writer id: the ledger's key. */
  w: string;
  /** Device id (stable across sessions). */
  dev: string;
  role: Role;
  name: string;
  /** Latest stamp this writer issued. */
  h: Hlc;
  regs: Record<string, RegisterFact>;
  adds: Record<string, AddFact>;
  votes: Record<string, string[]>;
  intents: IntentFact[];
  player?: PlayerFact;
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

/** Timings of the rules, in milliseconds. */
export const TIMING = {
  /** An intent is applied only this fresh (VM2). */
  intentTtl: 10_000,
  /** A player heartbeats this often. */
  heartbeat: 15_000,
  /** A lease whose holder has not beaten for this long may be taken over (VM3). */
  leaseTtl: 45_000,
  /** A player is shown online while its last beat is this recent. */
  onlineWindow: 45_000,
  /** A lane entry not played within this long expires (VM12). */
  laneTtl: 12 * 60 * 60_000,
  /** Facts are kept this long past the point where they stop mattering, for slow peers. */
  grace: 60 * 60_000,
  /** Outcomes are kept this long. */
  outcomeTtl: 60 * 60_000,
} as const;

/** Limits that keep the document small and fair. */
export const LIMITS = {
  /** Pending lane requests per guest (VM11). */
  requestsPerGuest: 3,
  /** Plays kept in the player's history. */
  history: 20,
  /** Longest name or title accepted. */
  text: 200,
  /** Most entries in a programme. */
  programme: 5_000,
} as const;
