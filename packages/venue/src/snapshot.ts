/**
 * The read model: a validated, plain, typed snapshot of a venue at a given time (VM16). Pure: the
 * same facts and the same `now` give the same snapshot on every device.
 */
import { hlcWall } from './hlc';
import type { MergedIntent, PlayerLedger, VenueFacts } from './facts';
import { compareByKey, isOrderKey, shuffleRank } from './order';
import { isSlot, type Slot } from './schedule';
import {
  LIMITS,
  TIMING,
  type IntentKind,
  type IntentOutcome,
  type Lane,
  type PlaybackState,
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

/** An entry of the programme or the priority lane, in play order. */
export interface EntryView {
  id: string;
  track: string;
  lane: Lane;
  key: string;
  /** Writer id of whoever added it. */
  by: string;
  guest?: string;
  votes: number;
  addedAt: number;
}

/** What is playing now, with its position derived at the snapshot's time (VM20). */
export interface NowPlaying {
  entry: string;
  track: string;
  lane: Lane;
  state: PlaybackState;
  /** Position in milliseconds at the snapshot's time. */
  positionMs: number;
  /** When the state last changed. */
  changedAt: number;
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
  cursor: { entry: string; key: string } | null;
  players: PlayerView[];
  activePlayer: string | null;
  intents: IntentView[];
  schedules: Slot[];
  bans: string[];
  emergencyStops: number;
  /** Journal cursor of the last guest entry the active player applied. */
  journalCursor: string | null;
  problems: Problem[];
}

/** The programme base a writer loaded (a playlist, or an empty programme after "clear"). */
export interface ProgrammeBase {
  id: string;
  e: [string, string, string][];
}

const checkedBases = new WeakMap<object, boolean>();

/** True when `v` is a well-formed programme base (remembered per stored value). */
export function isProgrammeBase(v: unknown): v is ProgrammeBase {
  if (typeof v !== 'object' || v === null) return false;
  const known = checkedBases.get(v);
  if (known !== undefined) return known;
  const good = checkBase(v);
  checkedBases.set(v, good);
  return good;
}

function checkBase(v: object): boolean {
  const base = v as Record<string, unknown>;
  return (
    typeof base.id === 'string' &&
    /^[A-Za-z0-9_-]{1,64}$/.test(base.id) &&
    Array.isArray(base.e) &&
    base.e.length <= LIMITS.programme &&
    base.e.every(
      (row) =>
        Array.isArray(row) &&
        row.length === 3 &&
        typeof row[0] === 'string' &&
        typeof row[1] === 'string' &&
        isOrderKey(row[2]),
    )
  );
}

/** The id of the programme before any playlist was loaded. */
export const FIRST_PROGRAMME = 'main';

function readSettings(facts: VenueFacts, meta: VenueMeta, problems: Problem[]): VenueSettings {
  const settings = defaultSettings(meta.name);
  for (const name of SETTING_NAMES) {
    const reg = facts.registers.get(settingKey(name));
    if (!reg) continue;
    if (isValidSetting(name, reg.v)) (settings as unknown as Record<string, unknown>)[name] = reg.v;
    else problems.push({ where: `ledgers.${reg.by}.regs.${settingKey(name)}`, what: 'invalid' });
  }
  return settings;
}

/** The effective order key of an entry: the newest of its own and any move (VM9). */
function keyOf(facts: VenueFacts, id: string, key: string, h: string): string {
  const move = facts.moves.get(id);
  return move && move.h > h && isOrderKey(move.v) ? move.v : key;
}

const removed = (facts: VenueFacts, id: string) => facts.removed.has(id);

function readProgramme(facts: VenueFacts, bans: Set<string>, problems: Problem[]) {
  const reg = facts.registers.get('prog');
  let base: ProgrammeBase = { id: FIRST_PROGRAMME, e: [] };
  if (reg && isProgrammeBase(reg.v)) base = reg.v;
  else if (reg) problems.push({ where: `ledgers.${reg.by}.regs.prog`, what: 'invalid' });
  const entries = new Map<string, EntryView>();
  const baseAt = reg ? hlcWall(reg.h) : 0;
  for (const [id, track, key] of base.e) {
    if (removed(facts, id) || bans.has(track)) continue;
    const by = reg?.by ?? '';
    entries.set(id, {
      id,
      track,
      lane: 'programme',
      key: keyOf(facts, id, key, reg?.h ?? ''),
      by,
      votes: 0,
      addedAt: baseAt,
    });
  }
  for (const add of facts.adds.values()) {
    if (add.lane !== 'programme' || add.prog !== base.id || entries.has(add.id)) continue;
    if (removed(facts, add.id) || bans.has(add.track)) continue;
    entries.set(add.id, {
      id: add.id,
      track: add.track,
      lane: 'programme',
      key: keyOf(facts, add.id, add.key, add.h),
      by: add.by,
      votes: 0,
      addedAt: add.at,
    });
  }
  return { id: base.id, entries: [...entries.values()].sort(compareByKey) };
}

/**
 * The priority lane: pending requests and "play next" entries. Expired, removed, played and banned
 * entries are gone; a guest's requests beyond the limit and second requests for a track already
 * pending are refused the same way on every device (VM11).
 */
function readLane(facts: VenueFacts, bans: Set<string>, now: number): EntryView[] {
  const played = facts.played;
  const candidates = [...facts.adds.values()]
    .filter(
      (add) =>
        add.lane === 'priority' &&
        !removed(facts, add.id) &&
        played[add.id] === undefined &&
        add.at + TIMING.laneTtl > now &&
        !bans.has(add.track),
    )
    .sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : a.id < b.id ? -1 : 1));
  const perGuest = new Map<string, number>();
  const tracks = new Set<string>();
  const lane: EntryView[] = [];
  for (const add of candidates) {
    if (add.guest) {
      const count = perGuest.get(add.guest) ?? 0;
      if (count >= LIMITS.requestsPerGuest || tracks.has(add.track)) continue;
      perGuest.set(add.guest, count + 1);
    }
    tracks.add(add.track);
    const entry: EntryView = {
      id: add.id,
      track: add.track,
      lane: 'priority',
      key: keyOf(facts, add.id, add.key, add.h),
      by: add.by,
      votes: facts.votes.get(add.id)?.size ?? 0,
      addedAt: add.at,
    };
    if (add.guest) entry.guest = add.guest;
    lane.push(entry);
  }
  return lane.sort(compareByKey);
}

function readNowPlaying(active: PlayerLedger | null, now: number): NowPlaying | null {
  const playback = active?.fact.playback;
  if (!playback) return null;
  const moving = playback.state === 'playing';
  return {
    entry: playback.entry,
    track: playback.track,
    lane: playback.lane,
    state: playback.state,
    positionMs: playback.pos + (moving ? Math.max(0, now - playback.at) : 0),
    changedAt: playback.at,
  };
}

function intentStatus(intent: MergedIntent, facts: VenueFacts, now: number): IntentView {
  const outcome = facts.outcomes[intent.id];
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
  for (const [id, outcome] of Object.entries(facts.outcomes)) {
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
    .map((p) => ({
      writer: p.writer,
      device: p.device,
      name: p.name,
      online: now - p.fact.beat <= TIMING.onlineWindow,
      lastSeen: p.fact.beat,
      active: p === facts.active,
      leaseEpoch: p.fact.lease?.epoch ?? null,
    }))
    .sort((a, b) => (a.writer < b.writer ? -1 : 1));
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
  return {
    at: now,
    meta,
    settings,
    volume: effectiveVolume(settings),
    programme: readProgramme(facts, bans, problems),
    lane: readLane(facts, bans, now),
    nowPlaying: readNowPlaying(facts.active, now),
    cursor: facts.active?.fact.cursor ?? null,
    players: readPlayers(facts, now),
    activePlayer: facts.active?.writer ?? null,
    intents: readIntents(facts, now),
    schedules,
    bans: [...bans],
    emergencyStops: facts.active?.fact.stop ?? 0,
    journalCursor: facts.active?.fact.journal ?? null,
    problems,
  };
}

/** Position of what is playing at `now`, for a progress bar that ticks without document writes. */
export function progress(nowPlaying: NowPlaying | null, snapshotAt: number, now: number): number {
  if (!nowPlaying) return 0;
  const moving = nowPlaying.state === 'playing';
  return nowPlaying.positionMs + (moving ? Math.max(0, now - snapshotAt) : 0);
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
  const cursor = snapshot.cursor;
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
