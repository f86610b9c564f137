/**
 * A venue bound to its Yjs document, a writer identity and the ports (clock, random source). The app
 * and the relay never touch the venue's Yjs types: every read goes through {@link Venue.snapshot}
 * and every write is one of the operations below, each a single transaction.
 */
import type * as Y from 'yjs';
import type { OpContext } from './context';
import { mergeLedgers, type VenueFacts } from './facts';
import { nextHlc } from './hlc';
import { emptyLedger, tidyLedger, type WriterIdentity } from './ledger';
import { migrateVenue, readMeta } from './meta';
import * as player from './player-ops';
import * as queue from './queue-ops';
import { fail, type Result } from './result';
import type { LocalTime, Slot } from './schedule';
import {
  LEDGERS_MAP,
  META_MAP,
  SCHEMA_VERSION,
  type IntentKind,
  type LedgerFact,
  type Role,
  type VenueMeta,
} from './schema';
import type { SettingName, VenueSettings } from './settings';
import { buildSnapshot, upNext, type EntryView, type VenueSnapshot } from './snapshot';
import * as staff from './staff-ops';
import { readLedger, type Problem } from './validate';

/** What the model needs from the outside world, passed in so every rule is deterministic in tests. */
export interface VenuePorts {
  /** Wall-clock milliseconds. */
  now(): number;
  /** A float in [0, 1). */
  random(): number;
}

const STAFF: Role[] = ['admin'];
const GUESTS: Role[] = ['admin', 'kiosk', 'player'];
const PLAYERS: Role[] = ['player'];

/** A placeholder until the venue's genesis has arrived. */
const UNLOADED: VenueMeta = {
  schemaVersion: 0,
  venueId: '',
  libraryId: '',
  name: '',
  created: 0,
  epoch: '',
};

/** True when an operation changed nothing but the ledger's stamp: then nothing is written. */
function unchanged(before: LedgerFact, after: LedgerFact): boolean {
  return JSON.stringify({ ...before, h: '' }) === JSON.stringify({ ...after, h: '' });
}

/** One device's handle on one venue document. */
export class Venue {
  private readonly ledgers: Y.Map<unknown>;
  private cached: { facts: VenueFacts; ledgers: LedgerFact[] } | null = null;
  /** Validated ledgers by stored value: Yjs hands back the same object until a ledger changes. */
  private readonly validated = new WeakMap<object, ReturnType<typeof readLedger>>();
  private readonly invalidate = () => {
    this.cached = null;
  };

  constructor(
    readonly doc: Y.Doc,
    readonly identity: WriterIdentity,
    private readonly ports: VenuePorts,
  ) {
    this.ledgers = doc.getMap(LEDGERS_MAP);
    this.ledgers.observe(this.invalidate);
    doc.getMap(META_MAP).observe(this.invalidate);
  }

  /** Stops observing the document. */
  destroy() {
    this.ledgers.unobserve(this.invalidate);
    this.doc.getMap(META_MAP).unobserve(this.invalidate);
  }

  private read(): { facts: VenueFacts; ledgers: LedgerFact[] } {
    if (this.cached) return this.cached;
    const problems: Problem[] = [];
    const ledgers: LedgerFact[] = [];
    this.ledgers.forEach((value, key) => {
      const known =
        typeof value === 'object' && value !== null ? this.validated.get(value) : undefined;
      const read = known ?? readLedger(key, value);
      if (!known && typeof value === 'object' && value !== null) this.validated.set(value, read);
      problems.push(...read.problems);
      if (read.ledger) ledgers.push(read.ledger);
    });
    ledgers.sort((a, b) => (a.w < b.w ? -1 : 1));
    this.cached = { facts: mergeLedgers(ledgers, problems), ledgers };
    return this.cached;
  }

  /** The venue's fixed facts, or null until they have loaded. */
  meta(): VenueMeta | null {
    return readMeta(this.doc);
  }

  /** The venue as every screen renders it, at the clock's now. Never throws on peer data. */
  snapshot(now = this.ports.now()): VenueSnapshot {
    const meta = readMeta(this.doc);
    const snapshot = buildSnapshot(this.read().facts, meta ?? UNLOADED, now);
    if (!meta) snapshot.problems.unshift({ where: 'meta', what: 'the venue has not loaded yet' });
    return snapshot;
  }

  /** The next `n` entries to play. */
  upNext(n: number, now = this.ports.now()): EntryView[] {
    return upNext(this.snapshot(now), n);
  }

  /** Runs one operation as one transaction on this writer's ledger. */
  private write<T>(roles: Role[], op: (ctx: OpContext, draft: LedgerFact) => Result<T>): Result<T> {
    const { role, writer } = this.identity;
    if (role === 'viewer') return fail('read-only', 'this device can only watch');
    if (!roles.includes(role)) return fail('not-allowed', `a ${role} cannot do that`);
    const meta = readMeta(this.doc);
    if (!meta) return fail('not-loaded', 'the venue has not loaded yet');
    if (meta.schemaVersion > SCHEMA_VERSION) return migrateVenue(this.doc) as Result<never>;
    const now = this.ports.now();
    const { facts, ledgers } = this.read();
    const h = nextHlc(now, writer, facts.stamps);
    const mine = ledgers.find((l) => l.w === writer);
    const draft: LedgerFact = mine ? structuredClone(mine) : emptyLedger(this.identity, h);
    Object.assign(draft, {
      h,
      dev: this.identity.device,
      role,
      name: this.identity.name ?? draft.name,
    });
    let view: VenueSnapshot | undefined;
    const ctx: OpContext = {
      identity: this.identity,
      now,
      h,
      random: this.ports.random,
      facts,
      // Built only when an operation or the tidy needs it: heartbeats never do.
      get view() {
        return (view ??= buildSnapshot(facts, meta, now));
      },
    };
    const result = op(ctx, draft);
    if (!result.ok) return result;
    tidyLedger(draft, ctx);
    if (mine && unchanged(mine, draft)) return result;
    this.doc.transact(() => this.ledgers.set(writer, draft), this);
    return result;
  }

  // Staff and guests

  /** Adds a track to the programme (at the end, or after `after`). Returns the entry id. */
  addToProgramme(track: string, after: string | null = null) {
    return this.write(STAFF, (c, d) => queue.addToProgramme(c, d, track, after));
  }
  /** Puts a track first in the priority lane. Returns the entry id. */
  playNext(track: string) {
    return this.write(STAFF, (c, d) => queue.playNext(c, d, track));
  }
  /** A guest's request (from a kiosk, or applied by the player from the journal). */
  guestRequest(guest: string, track: queue.TrackInfo, id?: string) {
    return this.write(GUESTS, (c, d) => queue.guestRequest(c, d, guest, track, id));
  }
  /** A guest likes a pending request. */
  vote(entry: string, guest: string) {
    return this.write(['kiosk', 'player'], (c, d) => queue.vote(c, d, entry, guest));
  }
  /** Removes an entry from the lane or the programme. */
  remove(entry: string) {
    return this.write(STAFF, (c, d) => queue.remove(c, d, entry));
  }
  /** Moves an entry before another one of its list, or to the end. */
  move(entry: string, before: string | null) {
    return this.write(STAFF, (c, d) => queue.move(c, d, entry, before));
  }
  /** Empties the programme. */
  clearProgramme() {
    return this.write(STAFF, (c, d) => queue.loadProgramme(c, d, []));
  }
  /** Empties the priority lane. */
  clearLane() {
    return this.write(STAFF, (c, d) => queue.clearLane(c, d));
  }
  /** Makes a playlist's tracks the programme. */
  loadPlaylist(tracks: string[]) {
    return this.write(STAFF, (c, d) => queue.loadProgramme(c, d, tracks));
  }
  /** Changes a setting (newest stamp wins). */
  setSetting<K extends SettingName>(name: K, value: VenueSettings[K]) {
    return this.write(STAFF, (c, d) => staff.setSetting(c, d, name, value));
  }
  /** Shuffle on (with a fresh seed) or off. */
  setShuffle(on: boolean) {
    return this.write(STAFF, (c, d) => staff.setShuffle(c, d, on));
  }
  /** Bans a track here, or lifts the ban. */
  banTrack(track: string, banned = true) {
    return this.write(STAFF, (c, d) => staff.banTrack(c, d, track, banned));
  }
  /** Adds or replaces a schedule slot. */
  setSlot(slot: Slot) {
    return this.write(STAFF, (c, d) => staff.setSlot(c, d, slot));
  }
  /** Removes a schedule slot. */
  removeSlot(id: string) {
    return this.write(STAFF, (c, d) => staff.removeSlot(c, d, id));
  }
  /** Sends a transport intent to the active player. Returns the intent id. */
  sendIntent(kind: IntentKind, target?: staff.IntentTarget) {
    return this.write(STAFF, (c, d) => staff.sendIntent(c, d, kind, target));
  }

  // Player

  /** Registers this player or records that it is alive; renews its lease. */
  heartbeat() {
    return this.write(PLAYERS, (c, d) => player.heartbeat(c, d));
  }
  /** Claims the active-player lease (`force` takes over a live one). Returns the epoch. */
  claimLease(force = false) {
    return this.write(PLAYERS, (c, d) => player.claimLease(c, d, force));
  }
  /** Releases the lease. */
  releaseLease() {
    return this.write(PLAYERS, (c, d) => player.releaseLease(c, d));
  }
  /** Finishes `finishing` and starts the next entry. Returns what plays now. */
  advance(finishing: string | null) {
    return this.write(PLAYERS, (c, d) => player.advance(c, d, finishing));
  }
  /** Reports playback state and position. */
  reportState(state: 'playing' | 'paused' | 'buffering', positionMs: number) {
    return this.write(PLAYERS, (c, d) => player.reportState(c, d, state, positionMs));
  }
  /** Applies pending intents; returns their outcomes. */
  applyIntents() {
    return this.write(PLAYERS, (c, d) => player.applyIntents(c, d));
  }
  /** Applies guest requests and votes from the journal. */
  applyGuestEntries(entries: player.GuestEntry[], cursor: string) {
    return this.write(PLAYERS, (c, d) => player.applyGuestEntries(c, d, entries, cursor));
  }
  /** Follows the schedule at `local` time. */
  applySchedule(local: LocalTime, tracksOf: (playlist: string) => string[] | null) {
    return this.write(PLAYERS, (c, d) => player.applySchedule(c, d, local, tracksOf));
  }
}
