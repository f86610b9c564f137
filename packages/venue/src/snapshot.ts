/**
 * The read model: a validated, plain, typed snapshot of a venue at a given time (VM16). Pure: the
 * same facts and the same `now` give the same snapshot on every device (VM19).
 */
import { hlcWall, hlcWriter } from './hlc';
import type { MergedAdd, MergedIntent, VenueFacts } from './merge';
import { compareByKey, isOrderKey, shuffleRank } from './order';
import { baseEntries, baseIds, currentBase, type ProgrammeBase } from './programme';
import { isSlot, type Slot } from './schedule';
import {
  TIMING,
  type ClockDoubt,
  type CursorFact,
  type IntentKind,
  type IntentOutcome,
  type Lane,
  type Ledger,
  type PlaybackState,
  type StopReason,
  type VenueMeta,
} from './schema';
import {
  defaultSettings,
  effectiveVolume,
  isValidSetting,
  SETTING_NAMES,
  settingKey,
  type VenueSettings,
} from './settings';
import type { Problem } from './validate';

/** The programme entry last started (VM8), and the programme it was in when known (VM13). */
export interface CursorView {
  entry: string;
  key: string;
  programme?: string;
}

/** A player's cursor fact as the snapshot shows it. */
export function cursorView(cursor: CursorFact): CursorView {
  const { entry, key, prog } = cursor;
  return prog === undefined ? { entry, key } : { entry, key, programme: prog };
}

/** An entry of the programme or the priority lane, in play order. */
export interface EntryView {
  id: string;
  track: string;
  lane: Lane;
  key: string;
  /** Writer id of whoever added it. */
  by: string;
  /** The guest who asked for it, or the kiosk it was asked for at. */
  guest?: string;
  /** Asked for at a kiosk. */
  kiosk?: true;
  votes: number;
  addedAt: number;
}

/** What is playing now, with its position derived at the snapshot's time (VM23). */
export interface NowPlaying {
  entry: string;
  track: string;
  lane: Lane;
  state: PlaybackState;
  /** Why it stopped, when it did: a person's emergency or fade-out stop, or the end of the queue. */
  stoppedBy?: StopReason;
  /** Position in milliseconds at the snapshot's time. */
  positionMs: number;
  /** When the state last changed. */
  changedAt: number;
  /** The guest who asked for it, or the kiosk it was asked for at (requests only). */
  guest?: string;
  /** Asked for at a kiosk. */
  kiosk?: true;
}

/** A player device as staff see it. */
export interface PlayerView {
  writer: string;
  device: string;
  name: string;
  online: boolean;
  lastSeen: number;
  active: boolean;
  leaseEpoch: number | null;
  /** Its clock is too doubtful to run the schedule, as of its last heartbeat (VM33). */
  clock: ClockDoubt | null;
}

/** An intent and what became of it (VM2). */
export interface IntentView {
  id: string;
  kind: IntentKind;
  by: string;
  entry?: string;
  issuedAt: number;
  status: 'pending' | IntentOutcome;
  why?: string;
}

/** A track a player could not play (VM27). */
export interface FailureView {
  track: string;
  entry: string;
  why: string;
  at: number;
}

/** What became of a guest's request or vote, by its journal entry id. */
export interface GuestOutcomeView {
  status: 'accepted' | 'refused';
  /** Why it was refused (`duplicate`, `limit`, `banned`, `explicit`, `not-found`…). */
  why?: string;
}

/** A venue as every screen renders it. */
export interface VenueSnapshot {
  at: number;
  meta: VenueMeta;
  settings: VenueSettings;
  /** The volume the player must play (VM6). */
  volume: number;
  programme: { id: string; entries: EntryView[] };
  lane: EntryView[];
  nowPlaying: NowPlaying | null;
  /** The programme entry last started, for walking the programme. */
  cursor: CursorView | null;
  players: PlayerView[];
  activePlayer: string | null;
  intents: IntentView[];
  guestOutcomes: Record<string, GuestOutcomeView>;
  /** Tracks that failed to play in the last day, newest first (VM27). */
  failures: FailureView[];
  schedules: Slot[];
  bans: string[];
  /** The library's playlists this venue chose to show and use, by id (VM31). */
  playlists: string[];
  /** Devices an admin revoked. */
  revoked: string[];
  emergencyStops: number;
  /** Journal cursor of the last guest entry the active player applied. */
  journalCursor: string | null;
  problems: Problem[];
}

function readSettings(facts: VenueFacts, meta: VenueMeta, problems: Problem[]): VenueSettings {
  const settings = defaultSettings(meta.name);
  for (const name of SETTING_NAMES) {
    const reg = facts.registers.get(settingKey(name));
    if (!reg) continue;
    if (isValidSetting(name, reg.v)) (settings as unknown as Record<string, unknown>)[name] = reg.v;
    else problems.push({ where: `writers.${reg.holder}.${reg.k}`, what: 'invalid' });
  }
  return settings;
}

/** The effective order key of an entry: the newest of its own and any move (VM9). */
function keyOf(facts: VenueFacts, id: string, key: string, h: string): string {
  const move = facts.moves.get(id);
  return move && move.h > h && isOrderKey(move.v) ? move.v : key;
}

/** An entry view; every field in one literal, so all views share one shape. */
function entryView(
  add: Pick<EntryView, 'id' | 'track' | 'lane' | 'key' | 'by' | 'addedAt'>,
  key = add.key,
  votes = 0,
  guest?: string,
  kiosk?: true,
): EntryView {
  const { id, track, lane, by, addedAt } = add;
  return { id, track, lane, key, by, guest, kiosk, votes, addedAt };
}

const baseViews = new WeakMap<object, { h: string; views: EntryView[] }>();
const addViews = new WeakMap<MergedAdd, EntryView>();

/** The entries of a base as views, made once per base. */
function viewsOfBase(base: ProgrammeBase, h: string): EntryView[] {
  let known = baseViews.get(base);
  if (known?.h !== h) {
    const by = h ? hlcWriter(h) : '';
    const addedAt = h ? hlcWall(h) : 0;
    const views = baseEntries(base).map(({ id, track, key }) =>
      entryView({ id, track, lane: 'programme', key, by, addedAt }),
    );
    baseViews.set(base, (known = { h, views }));
  }
  return known.views;
}

/** A programme add as a view, made once per add. */
function viewOfAdd(add: MergedAdd): EntryView {
  let view = addViews.get(add);
  if (!view) {
    view = entryView({ ...add, lane: 'programme', addedAt: add.at });
    addViews.set(add, view);
  }
  return view;
}

/** The view with the key its newest move gives it (VM9). */
function placed(facts: VenueFacts, view: EntryView, h: string): EntryView {
  const key = keyOf(facts, view.id, view.key, h);
  return key === view.key ? view : entryView(view, key);
}

/**
 * How many of `tracks` a programme made of them plays here: a track banned at the venue is left
 * out of the programme (VM13), so a loaded playlist is counted without it.
 */
export function playableCount(tracks: readonly string[], bans: readonly string[]): number {
  const banned = new Set(bans);
  return tracks.filter((t) => !banned.has(t)).length;
}

function readProgramme(facts: VenueFacts, bans: Set<string>, problems: Problem[]) {
  const { base, h } = currentBase(facts, problems);
  const list: EntryView[] = [];
  const screen = (id: string, track: string) => !facts.removed.has(id) && !bans.has(track);
  for (const view of viewsOfBase(base, h)) {
    if (screen(view.id, view.track)) list.push(facts.moves.size ? placed(facts, view, h) : view);
  }
  let added = false;
  for (const add of facts.adds.values()) {
    if (add.lane !== 'programme' || add.prog !== base.id || baseIds(base).has(add.id)) continue;
    if (!screen(add.id, add.track)) continue;
    added = true;
    list.push(placed(facts, viewOfAdd(add), add.h));
  }
  // A base alone is already in key order; adds and moves need a sort (nearly sorted: quick).
  return { id: base.id, entries: added || facts.moves.size ? list.sort(compareByKey) : list };
}

/**
 * The priority lane: pending requests and "play next" entries. Expired, removed, played and banned
 * entries are gone; a guest's (or a kiosk's) requests beyond its limit and second requests for a
 * track already pending are refused the same way on every device (VM11). Staff entries come first
 * in their order, then guests' requests by votes, then by when they were asked for (VM26).
 */
function readLane(
  facts: VenueFacts,
  settings: VenueSettings,
  bans: Set<string>,
  now: number,
): EntryView[] {
  const candidates = [...facts.adds.values()]
    .filter(
      (add) =>
        add.lane === 'priority' &&
        !facts.removed.has(add.id) &&
        !facts.played.has(add.id) &&
        add.at + TIMING.laneTtl > now &&
        !bans.has(add.track),
    )
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : a.id < b.id ? -1 : 1));
  const perGuest = new Map<string, number>();
  const tracks = new Set<string>();
  const staff: EntryView[] = [];
  const guests: EntryView[] = [];
  for (const add of candidates) {
    if (add.guest) {
      const count = perGuest.get(add.guest) ?? 0;
      const limit = add.kiosk ? settings.requestsPerKiosk : settings.requestsPerGuest;
      if (count >= limit || tracks.has(add.track)) continue;
      perGuest.set(add.guest, count + 1);
    }
    tracks.add(add.track);
    const entry = entryView(
      { ...add, lane: 'priority', addedAt: add.at },
      keyOf(facts, add.id, add.key, add.h),
      votesFor(facts.votes.get(add.id), add.guest),
      add.guest,
      add.kiosk,
    );
    if (add.guest && !facts.moves.has(add.id)) guests.push(entry);
    else staff.push(entry);
  }
  // A stable sort: among equal votes, the order they were asked in.
  guests.sort((a, b) => b.votes - a.votes);
  return [...staff.sort(compareByKey), ...guests];
}

function readNowPlaying(active: Ledger | null, now: number): NowPlaying | null {
  const playback = active?.play;
  if (!playback) return null;
  const moving = playback.state === 'playing';
  const view: NowPlaying = {
    entry: playback.entry,
    track: playback.track,
    lane: playback.lane,
    state: playback.state,
    positionMs: playback.pos + (moving ? Math.max(0, now - playback.at) : 0),
    changedAt: playback.at,
  };
  if (playback.why) view.stoppedBy = playback.why;
  if (playback.guest !== undefined) view.guest = playback.guest;
  if (playback.kiosk) view.kiosk = true;
  return view;
}

function intentStatus(intent: MergedIntent, facts: VenueFacts, now: number): IntentView {
  const outcome = facts.outcomes.get(intent.id);
  const view: IntentView = {
    id: intent.id,
    kind: intent.kind,
    by: intent.by,
    issuedAt: intent.at,
    status: outcome?.s ?? (Math.abs(now - intent.at) > TIMING.intentTtl ? 'expired' : 'pending'),
  };
  if (intent.entry) view.entry = intent.entry;
  if (outcome?.why) view.why = outcome.why;
  return view;
}

function readIntents(facts: VenueFacts, now: number): IntentView[] {
  const views = new Map<string, IntentView>();
  for (const intent of facts.intents) views.set(intent.id, intentStatus(intent, facts, now));
  for (const [id, outcome] of facts.outcomes) {
    if (views.has(id)) continue;
    const view: IntentView = {
      id,
      kind: outcome.kind,
      by: outcome.by,
      issuedAt: outcome.at,
      status: outcome.s,
    };
    if (outcome.why) view.why = outcome.why;
    views.set(id, view);
  }
  return [...views.values()].sort((a, b) => b.issuedAt - a.issuedAt || (a.id < b.id ? -1 : 1));
}

function readPlayers(facts: VenueFacts, now: number): PlayerView[] {
  return facts.players
    .filter((p) => p.beat)
    .map((p) => ({
      writer: p.w,
      device: p.me.dev,
      name: p.me.name,
      online: !p.beat!.off && now - p.beat!.at <= TIMING.onlineWindow,
      lastSeen: p.beat!.at,
      active: p === facts.active,
      leaseEpoch: p.lease?.epoch ?? null,
      clock: p.beat!.clock ?? null,
    }));
}

function readGuestOutcomes(facts: VenueFacts): Record<string, GuestOutcomeView> {
  const out: Record<string, GuestOutcomeView> = {};
  for (const [id, o] of facts.guestOutcomes) {
    out[id] = o.why ? { status: o.s, why: o.why } : { status: o.s };
  }
  return out;
}

function readRegisterSet<T>(facts: VenueFacts, prefix: string, check: (v: unknown) => T | null) {
  const out: { id: string; value: T }[] = [];
  for (const [key, reg] of facts.registers) {
    if (!key.startsWith(prefix)) continue;
    const value = check(reg.v);
    if (value !== null) out.push({ id: key.slice(prefix.length), value });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Builds the snapshot of a venue at `now` from its merged facts. */
export function buildSnapshot(facts: VenueFacts, meta: VenueMeta, now: number): VenueSnapshot {
  const problems = [...facts.problems];
  const settings = readSettings(facts, meta, problems);
  const bans = new Set(
    readRegisterSet(facts, 'ban:', (v) => (v === true ? true : null)).map((b) => b.id),
  );
  const schedules = readRegisterSet(facts, 'slot:', (v) => (isSlot(v) ? v : null)).map(
    (s) => s.value,
  );
  const cursor = facts.active?.cursor;
  return {
    at: now,
    meta,
    settings,
    volume: effectiveVolume(settings),
    programme: readProgramme(facts, bans, problems),
    lane: readLane(facts, settings, bans, now),
    nowPlaying: readNowPlaying(facts.active, now),
    cursor: cursor ? cursorView(cursor) : null,
    players: readPlayers(facts, now),
    activePlayer: facts.active?.w ?? null,
    intents: readIntents(facts, now),
    guestOutcomes: readGuestOutcomes(facts),
    failures: [...facts.failed]
      .map(([track, f]) => ({ track, entry: f.entry, why: f.why, at: f.at }))
      .sort((a, b) => b.at - a.at || (a.track < b.track ? -1 : 1)),
    schedules,
    bans: [...bans],
    playlists: readRegisterSet(facts, 'pl:', (v) => (v === true ? true : null)).map((p) => p.id),
    revoked: [...facts.revoked].sort(),
    emergencyStops: facts.active?.stops?.n ?? 0,
    journalCursor: facts.active?.journal?.c ?? null,
    problems,
  };
}

/**
 * Position of what is playing at `now`, for a progress bar that ticks without document writes.
 * It is an estimate: a player cut off from this device cannot say that the track ended, so the
 * track's length (`lengthMs`, when the caller knows it) caps it.
 */
export function progress(
  nowPlaying: NowPlaying | null,
  snapshotAt: number,
  now: number,
  lengthMs = 0,
): number {
  if (!nowPlaying) return 0;
  const moving = nowPlaying.state === 'playing';
  const position = nowPlaying.positionMs + (moving ? Math.max(0, now - snapshotAt) : 0);
  return lengthMs > 0 ? Math.min(position, lengthMs) : position;
}

/** The programme in play order under the current shuffle (VM7). */
export function programmeOrder(snapshot: VenueSnapshot): EntryView[] {
  const { shuffle } = snapshot.settings;
  if (!shuffle.on) return snapshot.programme.entries;
  return [...snapshot.programme.entries].sort(
    (a, b) =>
      shuffleRank(shuffle.seed, a.id) - shuffleRank(shuffle.seed, b.id) || (a.id < b.id ? -1 : 1),
  );
}

/**
 * The next `n` entries the player will play: the priority lane first, then the programme from the
 * cursor, honouring shuffle and repeat (VM7, VM8).
 */
export function upNext(snapshot: VenueSnapshot, n: number): EntryView[] {
  const playing = snapshot.nowPlaying?.entry;
  const out = snapshot.lane.filter((e) => e.id !== playing).slice(0, n);
  const order = programmeOrder(snapshot);
  if (out.length >= n || order.length === 0) return out;
  const { repeat, shuffle } = snapshot.settings;
  // A programme loaded since the cursor was set starts from its first entry (VM13).
  const cursor =
    (snapshot.cursor?.programme ?? snapshot.programme.id) === snapshot.programme.id
      ? snapshot.cursor
      : null;
  let start = 0;
  if (cursor) {
    const rankOf = (id: string, key: string) =>
      shuffle.on
        ? { key: shuffleRank(shuffle.seed, id).toString(36).padStart(7, '0'), id }
        : { key, id };
    const at = rankOf(cursor.entry, cursor.key);
    const index = order.findIndex((e) => compareByKey(rankOf(e.id, e.key), at) > 0);
    const current = order.findIndex((e) => e.id === cursor.entry);
    if (repeat === 'one' && current >= 0) return [...out, order[current]!].slice(0, n);
    start = index < 0 ? order.length : index;
  }
  const walk =
    repeat === 'all' ? [...order.slice(start), ...order.slice(0, start)] : order.slice(start);
  return [...out, ...walk].slice(0, n);
}

/** The votes a request counts: its requester's own vote, had one slipped in, is not one (VM39). */
function votesFor(voters: ReadonlySet<string> | undefined, requester: string | undefined): number {
  if (!voters) return 0;
  return requester && voters.has(requester) ? voters.size - 1 : voters.size;
}
