/**
 * A venue bound to its Yjs document, a writer identity and the ports (clock, random source). The app
 * never touches the venue's Yjs types: every read goes through {@link Venue.snapshot} and every write
 * is one of the operations below, each a single transaction on the writer's own log (VM1, VM22).
 */
import * as Y from 'yjs';
import { encodeHlc, hlcWall, laterHlc, nextHlc } from './hlc';
import { readLegacyLedger } from './legacy';
import { Draft } from './Draft';
import {
  applyChange,
  emptyLedger,
  factsOf,
  place,
  readLog,
  type LogChange,
  type ReadLog,
} from './ledger';
import { mergeLedgers, refreshContribution, type VenueFacts } from './merge';
import { migrateVenue, readMeta } from './meta';
import type { OpContext } from './op-context';
import * as player from './player-ops';
import type { VenuePorts } from './ports';
import * as queue from './queue-ops';
import { foldGone } from './retire';
import { fail, type Result } from './result';
import { mayAdd, mayHoldRegister, RIGHTS } from './rights';
import { clockDoubt, type LocalTime, type Slot } from './schedule';
import {
  LEGACY_LEDGERS_MAP,
  META_MAP,
  SCHEMA_VERSION,
  TIMING,
  WRITERS_MAP,
  type ClockDoubt,
  type IntentKind,
  type Ledger,
  type VenueMeta,
  type WriterIdentity,
  type WriterRole,
} from './schema';
import { settingKey, type SettingName, type VenueSettings } from './settings';
import { buildSnapshot, upNext, type EntryView, type VenueSnapshot } from './snapshot';
import * as staff from './staff-ops';
import { tidyLedger } from './tidy';
import { readFact, type Problem } from './validate';
import { randomId } from './ids';
import { carryPlayback, currentEra, ERA_REGISTER, inEra, writeRestore, type Era } from './restore';

/** A placeholder until the venue's genesis has arrived. */
const UNLOADED: VenueMeta = {
  schemaVersion: 0,
  venueId: '',
  libraryId: '',
  name: '',
  created: 0,
  epoch: '',
};

/** What one writer key holds: its log, its schema-1 ledger, or both, read and combined. */
interface WriterState {
  log: ReadLog | null;
  legacy: ReadLog | null;
  ledger: Ledger | null;
  problems: Problem[];
}

const NO_LOG: ReadLog = { ledger: null, elements: [], problems: [], superseded: [] };

/** One device's handle on one venue document. */
export class Venue {
  private readonly writers: Y.Map<unknown>;
  private readonly legacyLedgers: Y.Map<unknown>;
  private readonly states = new Map<string, WriterState>();
  private readonly dirty = new Set<string>();
  private allDirty = true;
  private merged: { facts: VenueFacts; at: number } | null = null;
  /** The era of the last read (VM36): only logs written in it count. */
  private era: Era | null = null;
  /** This writer's ledger as last read: written back if someone retires it while it speaks (VM24). */
  private lastOwn: Ledger | null = null;
  /** Whether this session has written yet (its first write says when it began). */
  private spoke = false;
  /** Writes since the last full tidy, and when it was. */
  private sinceTidy = 0;
  private tidiedAt = -Infinity;

  private readonly onWriters = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    for (const event of events) {
      if (event.target === this.writers) {
        for (const key of (event as Y.YMapEvent<unknown>).keysChanged) this.dirty.add(key);
      } else this.dirty.add(String(event.path[0]));
    }
    this.merged = null;
    const own = this.identity.writer;
    if (this.dirty.has(own) && !this.writers.has(own)) this.rehome();
  };
  private readonly onLegacy = (event: Y.YMapEvent<unknown>) => {
    for (const key of event.keysChanged) this.dirty.add(key);
    this.merged = null;
  };
  private readonly onMeta = () => {
    this.merged = null;
  };

  constructor(
    readonly doc: Y.Doc,
    readonly identity: WriterIdentity,
    private readonly ports: VenuePorts,
  ) {
    this.writers = doc.getMap(WRITERS_MAP);
    this.legacyLedgers = doc.getMap(LEGACY_LEDGERS_MAP);
    this.writers.observeDeep(this.onWriters);
    this.legacyLedgers.observe(this.onLegacy);
    doc.getMap(META_MAP).observe(this.onMeta);
    // What this writer said in an earlier session: kept in case its log is retired under it.
    const log = this.writers.get(identity.writer);
    if (log instanceof Y.Array) this.lastOwn = readLog(identity.writer, log).ledger;
  }

  /** Stops observing the document. */
  destroy() {
    this.writers.unobserveDeep(this.onWriters);
    this.legacyLedgers.unobserve(this.onLegacy);
    this.doc.getMap(META_MAP).unobserve(this.onMeta);
  }

  /** Re-reads the writers whose logs changed since the last read. */
  private readWriters() {
    const keys = this.allDirty
      ? new Set([...this.writers.keys(), ...this.legacyLedgers.keys(), ...this.states.keys()])
      : this.dirty;
    for (const key of keys) {
      const value = this.writers.get(key);
      const legacyValue = this.legacyLedgers.get(key);
      const log = value instanceof Y.Array ? readLog(key, value) : null;
      const legacy = legacyValue === undefined ? null : readLegacyLedger(key, legacyValue);
      const problems = [...(log?.problems ?? []), ...(legacy?.problems ?? [])];
      if (value !== undefined && !log) {
        problems.push({ where: `writers.${key}`, what: 'not a log, ignored' });
      }
      if (value === undefined && legacyValue === undefined) this.states.delete(key);
      else this.states.set(key, { log, legacy, ledger: combine(log, legacy), problems });
    }
    this.dirty.clear();
    this.allDirty = false;
  }

  private read(now: number): VenueFacts {
    const cached = this.merged;
    if (cached && now >= cached.at && now < cached.facts.revealAt) return cached.facts;
    this.readWriters();
    const problems: Problem[] = [];
    const ledgers: Ledger[] = [];
    for (const [, state] of [...this.states].sort(([a], [b]) => (a < b ? -1 : 1))) {
      problems.push(...state.problems);
      if (state.ledger) ledgers.push(state.ledger);
    }
    const era = (this.era = currentEra(ledgers, now));
    const facts = mergeLedgers(
      ledgers.filter((ledger) => inEra(ledger, era)),
      now,
      problems,
    );
    this.merged = { facts, at: now };
    const own = this.states.get(this.identity.writer)?.ledger;
    if (own) this.lastOwn = own;
    return facts;
  }

  /** The venue's fixed facts, or null until they have loaded. */
  meta(): VenueMeta | null {
    return readMeta(this.doc);
  }

  /** The venue as every screen renders it, at the clock's now. Never throws on peer data. */
  snapshot(now = this.ports.now()): VenueSnapshot {
    const meta = readMeta(this.doc);
    const snapshot = buildSnapshot(this.read(now), meta ?? UNLOADED, now);
    if (!meta) snapshot.problems.unshift({ where: 'meta', what: 'the venue has not loaded yet' });
    return snapshot;
  }

  /**
   * The entries `guest` (a guest, or a kiosk's patron) has voted for, as every device counts the
   * votes: a screen shows those votes as cast. A vote is kept once, so a second one changes nothing.
   */
  votedBy(guest: string, now = this.ports.now()): Set<string> {
    const voted = new Set<string>();
    for (const [entry, guests] of this.read(now).votes) if (guests.has(guest)) voted.add(entry);
    return voted;
  }

  /** The next `n` entries to play. */
  upNext(n: number, now = this.ports.now()): EntryView[] {
    return upNext(this.snapshot(now), n);
  }

  /**
   * Brings a schema-1 document up to this schema (VM15), as one transaction. Writers run it when
   * they open a venue; an operation on an old document runs it too.
   */
  migrate(): Result<number> {
    if (this.identity.role === 'viewer') return fail('read-only', 'this device can only watch');
    return migrateVenue(this.doc);
  }

  /**
   * Runs one operation as one transaction on this writer's log: the operation, then re-stamping
   * this writer's facts from the future, tidying, and folding gone writers (VM24).
   */
  private write<T>(
    allowed: (role: WriterRole) => boolean,
    op: (ctx: OpContext, draft: Draft) => Result<T>,
    from?: Ledger,
  ): Result<T> {
    const { role, writer } = this.identity;
    if (role === 'viewer') return fail('read-only', 'this device can only watch');
    if (!allowed(role)) return fail('not-allowed', `a ${role} cannot do that`);
    const meta = readMeta(this.doc);
    if (!meta) return fail('not-loaded', 'the venue has not loaded yet');
    if (meta.schemaVersion > SCHEMA_VERSION) return migrateVenue(this.doc) as Result<never>;
    const now = this.ports.now();
    const facts = this.read(now);
    const h = nextHlc(now, writer, facts.latest);
    const state = this.states.get(writer);
    const era = this.era?.id;
    // A log written before the newest restore is left behind: this session starts afresh (VM36).
    const stale = !!state?.ledger && state.ledger.me.era !== era;
    const draft = new Draft(from ?? (stale ? null : state?.ledger) ?? emptyLedger(this.identity));
    const name = this.identity.name ?? draft.me.name;
    if (!this.spoke || draft.me.role !== role || draft.me.name !== name || draft.me.era !== era) {
      draft.me = { k: 'me', dev: this.identity.device, role, name, at: now, ...(era && { era }) };
    }
    let view: VenueSnapshot | undefined;
    const ctx: OpContext = {
      identity: this.identity,
      now,
      h,
      random: this.ports.random,
      correction: this.ports.correction ? this.ports.correction() : 0,
      facts,
      // Built only when an operation or the tidy needs it: heartbeats never do.
      get view() {
        return (view ??= buildSnapshot(facts, meta, now));
      },
    };
    const result = op(ctx, draft);
    if (!result.ok) return result;
    // Written back as it was: the venue as it stands no longer holds these facts to judge them by.
    const retired = from ? [] : this.upkeep(draft, ctx);
    const log = this.writers.get(writer);
    const fresh = !(log instanceof Y.Array) || !state?.log || stale;
    const legacy = !!state?.legacy && this.legacyLedgers.has(writer);
    const stored = fresh ? NO_LOG : state.log!;
    const change = draft.changeFor(stored.elements, fresh || legacy, stored.superseded);
    const migrate = meta.schemaVersion < SCHEMA_VERSION;
    if (!change && !retired.length && !legacy && !migrate) return result;
    if (change?.append.some((f) => readFact(f) === null)) {
      return fail('invalid', 'that would write a fact no device could read');
    }
    this.doc.transact(() => {
      if (migrate) migrateVenue(this.doc);
      if (change) {
        let target = log;
        if (fresh) {
          target = new Y.Array<unknown>();
          this.writers.set(writer, target);
        }
        applyChange(target as Y.Array<unknown>, change);
      }
      if (legacy) this.legacyLedgers.delete(writer);
      for (const gone of retired) {
        (gone.legacy ? this.legacyLedgers : this.writers).delete(gone.writer);
        if (!gone.legacy) this.legacyLedgers.delete(gone.writer);
      }
    }, this);
    this.spoke = true;
    const ledger = draft.commit();
    refreshContribution(ledger, draft.changes, now);
    this.lastOwn = ledger;
    if (change) this.wrote(ledger, stored, change);
    return result;
  }

  /**
   * Re-dates, tidies and folds gone writers into `draft`; returns the logs to delete (VM20, VM24,
   * VM25). A small ledger is tidied on every write; a large one at least every minute or every
   * {@link TIDY_EVERY} writes, so that a write costs what it changes (tidying never changes what
   * anyone sees, only what is kept).
   */
  private upkeep(draft: Draft, ctx: OpContext) {
    restampFuture(draft, ctx);
    const base = draft.base;
    const size = base.regs.size + base.adds.size + base.played.size + base.guest.size;
    this.sinceTidy++;
    if (size < TIDY_EVERY * 4 || this.sinceTidy >= TIDY_EVERY || ctx.now - this.tidiedAt > 60_000) {
      tidyLedger(draft, ctx);
      this.sinceTidy = 0;
      this.tidiedAt = ctx.now;
    }
    return foldGone(draft, ctx);
  }

  /** Updates the cached read of this writer's log after its own write, without reading it again. */
  private wrote(ledger: Ledger, before: ReadLog, change: LogChange) {
    const removed = new Set(change.remove);
    const elements = before.elements.filter((_, i) => !removed.has(i)).concat(change.append);
    const log = { ledger, elements, problems: before.problems, superseded: [] };
    this.states.set(ledger.w, { log, legacy: null, ledger, problems: before.problems });
    this.dirty.delete(ledger.w);
  }

  /**
   * Writes this writer's facts again after someone retired its log while it still had something to
   * say (its last writes crossed the retirement on the wire, VM24).
   */
  private rehome() {
    const own = this.lastOwn;
    if (!own || this.read(this.ports.now()).revoked.has(this.identity.device)) return;
    this.lastOwn = null;
    // Deleted by a restore (VM36): what it said belongs to the era before, and stays there.
    if (own.me.era !== this.era?.id) return;
    const facts = [...factsOf(own)].filter((f) => f.k !== 'me');
    // Speaking again as a new session, so that it is not taken for gone at once.
    this.spoke = false;
    if (facts.length) this.write(ANYONE, upkeep, own);
  }

  /**
   * Writes nothing but what upkeep needs: re-dating this writer's facts stamped while its clock was
   * wrong (the shell calls it when it has just corrected the clock, VM25), tidying, and folding gone
   * writers (VM24). Any role that writes may call it.
   */
  settle() {
    return this.write(ANYONE, upkeep);
  }

  /**
   * Restores the venue from a backup (another document of a venue, as {@link Y.encodeStateAsUpdate}
   * wrote it, at time `made`) as one transaction: a new era in which only the backup's logs and this
   * writer's count (VM36). Admins only. A backup that holds no venue, or one written by a newer
   * DJAMMS, is refused and changes nothing. Returns the era's id.
   */
  restore(backup: Y.Doc, made: number): Result<string> {
    const { role, writer } = this.identity;
    if (!mayHoldRegister(role, ERA_REGISTER))
      return fail('not-allowed', `a ${role} cannot do that`);
    if (!readMeta(this.doc)) return fail('not-loaded', 'the venue has not loaded yet');
    const from = readMeta(backup);
    if (!from) return fail('invalid', 'that backup holds no venue');
    if (from.schemaVersion > SCHEMA_VERSION) {
      return fail('newer-schema', 'that backup was made by a newer DJAMMS: update this app first');
    }
    const now = this.ports.now();
    const source = new Venue(backup, { writer: '', device: '', role: 'viewer' }, this.ports);
    const theirs = source.read(now);
    source.destroy();
    const ours = this.read(now);
    const latest = laterHlc(ours.latest, theirs.latest);
    // What the players did since the backup stands: music played is not unplayed (VM36).
    const logs = carryPlayback(theirs.ledgers, { holder: ours.active, played: ours.played });
    const era = { id: randomId(this.ports.random, 'era'), at: now, backup: made };
    const me = emptyLedger(this.identity).me;
    const plan = { era, h: nextHlc(now, writer, latest), writer, me: { ...me, at: now } };
    this.doc.transact(() => {
      writeRestore(this.writers, this.legacyLedgers, logs, plan);
    }, this);
    this.allDirty = true;
    this.merged = null;
    this.lastOwn = null;
    this.spoke = true;
    return { ok: true, value: era.id };
  }

  // Staff and guests

  /** Adds a track to the programme (at the end, or after `after`). Returns the entry id. */
  addToProgramme(track: string, after: string | null = null) {
    return this.write(QUEUE, (c, d) => queue.addToProgramme(c, d, track, after));
  }
  /** Puts a track first in the priority lane. Returns the entry id. */
  playNext(track: string) {
    return this.write(QUEUE, (c, d) => queue.playNext(c, d, track));
  }
  /** A guest's request, applied by the player from the journal (or by an admin). */
  guestRequest(guest: string, track: queue.TrackInfo, id?: string) {
    return this.write(
      (role) => role !== 'kiosk' && mayAdd(role, GUEST_ADD),
      (c, d) => queue.guestRequest(c, d, guest, track, id),
    );
  }
  /** A patron's request at this kiosk: it counts against the kiosk's own limit (VM11). */
  kioskRequest(track: queue.TrackInfo, id?: string) {
    return this.write(
      (role) => role === 'kiosk',
      (c, d) => queue.guestRequest(c, d, this.identity.device, track, id, true),
    );
  }
  /** A guest likes a pending request. */
  vote(entry: string, guest: string) {
    return this.write(
      (role) => RIGHTS[role].votes,
      (c, d) => queue.vote(c, d, entry, guest),
    );
  }
  /** Removes an entry from the lane or the programme. */
  remove(entry: string) {
    return this.write(
      (role) => QUEUE(role) && mayHoldRegister(role, 'rm:x'),
      (c, d) => queue.remove(c, d, entry),
    );
  }
  /** Moves an entry before another one of its list, or to the end. */
  move(entry: string, before: string | null) {
    return this.write(
      (role) => QUEUE(role) && mayHoldRegister(role, 'pos:x'),
      (c, d) => queue.move(c, d, entry, before),
    );
  }
  /** Empties the programme. */
  clearProgramme() {
    return this.loadPlaylist([]);
  }
  /** Empties the priority lane. */
  clearLane() {
    return this.write(
      (role) => QUEUE(role) && mayHoldRegister(role, 'rm:x'),
      (c, d) => queue.clearLane(c, d),
    );
  }
  /** Makes a playlist's tracks the programme. */
  loadPlaylist(tracks: string[]) {
    return this.write(
      (role) => QUEUE(role) && mayHoldRegister(role, 'prog'),
      (c, d) => queue.loadProgramme(c, d, tracks),
    );
  }
  /** Changes a setting (newest stamp wins). */
  setSetting<K extends SettingName>(name: K, value: VenueSettings[K]) {
    return this.write(register(settingKey(name)), (c, d) => staff.setSetting(c, d, name, value));
  }
  /** Shuffle on (with a fresh seed) or off. */
  setShuffle(on: boolean) {
    return this.write(register(settingKey('shuffle')), (c, d) => staff.setShuffle(c, d, on));
  }
  /** Bans a track here, or lifts the ban. */
  banTrack(track: string, banned = true) {
    return this.write(register('ban:x'), (c, d) => staff.banTrack(c, d, track, banned));
  }
  /** Chooses a playlist of the library for this venue, or puts it aside (VM31). */
  choosePlaylist(playlist: string, chosen = true) {
    return this.write(register('pl:x'), (c, d) => staff.choosePlaylist(c, d, playlist, chosen));
  }
  /** Adds or replaces a schedule slot. */
  setSlot(slot: Slot) {
    return this.write(register('slot:x'), (c, d) => staff.setSlot(c, d, slot));
  }
  /** Removes a schedule slot. */
  removeSlot(id: string) {
    return this.write(register('slot:x'), (c, d) => staff.removeSlot(c, d, id));
  }
  /** Sends a transport intent to the active player. Returns the intent id. */
  sendIntent(kind: IntentKind, target?: staff.IntentTarget) {
    return this.write(
      (role) => RIGHTS[role].intents,
      (c, d) => staff.sendIntent(c, d, kind, target),
    );
  }
  /** Records that a device was revoked at the relay: its ledgers are retired (VM24). */
  revokeDevice(device: string) {
    return this.write(register('rev:x'), (c, d) => staff.revokeDevice(c, d, device));
  }

  // Player

  /** Registers this player or records that it is alive. */
  heartbeat() {
    return this.write(PLAYER, (c, d) => player.heartbeat(c, d));
  }
  /** Claims the active-player lease (`force` takes over a live one). Returns the epoch. */
  claimLease(force = false) {
    return this.write(PLAYER, (c, d) => player.claimLease(c, d, force));
  }
  /** Releases the lease. */
  releaseLease() {
    return this.write(PLAYER, (c, d) => player.releaseLease(c, d));
  }
  /** Finishes `finishing` and starts the next entry. Returns what plays now. */
  advance(finishing: string | null) {
    return this.write(PLAYER, (c, d) => player.advance(c, d, finishing));
  }
  /** Reports that the playing entry's track failed (after a retry), and moves on (VM27). */
  reportFailure(entry: string, why: string) {
    return this.write(PLAYER, (c, d) => player.reportFailure(c, d, entry, why));
  }
  /** Reports playback state and position. */
  reportState(state: 'playing' | 'paused' | 'buffering', positionMs: number) {
    return this.write(PLAYER, (c, d) => player.reportState(c, d, state, positionMs));
  }
  /** Applies pending intents; returns their outcomes. */
  applyIntents() {
    return this.write(PLAYER, (c, d) => player.applyIntents(c, d));
  }
  /** Applies guest requests and votes from the journal. */
  applyGuestEntries(entries: player.GuestEntry[], cursor: string) {
    return this.write(PLAYER, (c, d) => player.applyGuestEntries(c, d, entries, cursor));
  }
  /**
   * Whether this device's clock is too doubtful to run the schedule (VM33), at the clock's now:
   * what the player's screen says, and what its heartbeats tell the admin.
   */
  clockDoubt(now = this.ports.now()): ClockDoubt | null {
    const correction = this.ports.correction ? this.ports.correction() : 0;
    return clockDoubt(correction, this.read(now).revealAt, now);
  }
  /** Follows the schedule at `local` time (VM32). Returns the slot applied, or null. */
  applySchedule(local: LocalTime, tracksOf: (playlist: string) => string[] | null) {
    return this.write(PLAYER, (c, d) => player.applySchedule(c, d, local, tracksOf));
  }
}

/** How often a large ledger is tidied, in writes. */
const TIDY_EVERY = 64;

/** An operation that changes nothing itself: the write's upkeep does the work. */
const upkeep = (ctx: OpContext): Result<number> => ({ ok: true, value: ctx.now });

/** Who may run an operation, from the rights table (VM17). */
const ANYONE = () => true;
const GUEST_ADD = { lane: 'priority', guest: 'g' } as const;
const QUEUE = (role: WriterRole) => RIGHTS[role].adds === 'any';
const PLAYER = (role: WriterRole) => RIGHTS[role].player;
const register = (key: string) => (role: WriterRole) => mayHoldRegister(role, key);

/** A writer's log and schema-1 ledger read as one ledger (the log's facts win on a tie). */
function combine(log: ReadLog | null, legacy: ReadLog | null): Ledger | null {
  if (!legacy?.ledger) return log?.ledger ?? null;
  if (!log?.ledger) return legacy.ledger;
  const both = emptyLedger({ writer: log.ledger.w, device: '', role: 'viewer' });
  for (const fact of [...factsOf(legacy.ledger), ...factsOf(log.ledger)]) place(both, fact);
  both.legacy = true;
  return both;
}

/**
 * A writer's own facts stamped more than {@link TIMING.maxAhead} past its corrected clock were
 * written while its clock was wrong. They are re-dated by the correction the device measured (so an
 * edit made offline keeps its real place among others' edits), and never later than now; its
 * intents from the future are stale and dropped (VM25).
 */
function restampFuture(draft: Draft, { now, correction, identity }: OpContext) {
  const horizon = now + TIMING.maxAhead;
  if (draft.base.latest <= horizon) return;
  const redate = (at: number) => Math.max(0, Math.min(now, at + (correction ?? 0)));
  const restamp = (h: string) =>
    encodeHlc({ wall: redate(hlcWall(h)), count: 0, writer: identity.writer });
  for (const [key, reg] of [...draft.regs.entries()]) {
    if (hlcWall(reg.h) > horizon) draft.regs.set(key, { ...reg, h: restamp(reg.h) });
  }
  for (const [id, add] of [...draft.adds.entries()]) {
    if (hlcWall(add.h) > horizon || add.at > horizon) {
      draft.adds.set(id, { ...add, h: restamp(add.h), at: redate(add.at) });
    }
  }
  for (const [id, intent] of [...draft.intents.entries()]) {
    if (hlcWall(intent.h) > horizon || intent.at > horizon) draft.intents.delete(id);
  }
  for (const name of ['beat', 'lease', 'play'] as const) {
    const fact = draft.get(name);
    if (fact && fact.at > horizon) draft.put(name, { ...fact, at: redate(fact.at) });
  }
}
