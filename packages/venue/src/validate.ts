/**
 * Validation on read (VM16): a ledger from a peer is untrusted. Each malformed fact is skipped and
 * reported; a malformed ledger never throws and never hides the well-formed facts beside it.
 */
import { isHlc } from './hlc';
import { isOrderKey } from './order';
import {
  INTENT_KINDS,
  LEDGER_VERSION,
  PLAYBACK_STATES,
  ROLES,
  type AddFact,
  type HistoryFact,
  type IntentFact,
  type LedgerFact,
  type OutcomeFact,
  type PlaybackFact,
  type PlayerFact,
  type RegisterFact,
} from './schema';

/** Something malformed found while reading the document. */
export interface Problem {
  /** Where: the ledger key and the fact. */
  where: string;
  /** What was wrong. */
  what: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_:-]{1,64}$/.test(v);
const isKey = (v: string) => /^[A-Za-z0-9_:-]{1,100}$/.test(v);
const isTime = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e14;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= 200;

/** Own enumerable entries, skipping prototype-polluting keys. */
function entries(obj: Obj): [string, unknown][] {
  return Object.entries(obj).filter(([k]) => k !== '__proto__' && k !== 'constructor');
}

class Reader {
  readonly problems: Problem[] = [];
  constructor(private readonly where: string) {}
  report(fact: string, what: string) {
    this.problems.push({ where: `${this.where}${fact ? `.${fact}` : ''}`, what });
  }
  /** Keeps the entries of a record whose values pass `check`. */
  record<T>(value: unknown, name: string, check: (v: unknown, key: string) => T | null) {
    const out: Record<string, T> = {};
    if (value === undefined) return out;
    if (!isObj(value)) {
      this.report(name, 'not an object');
      return out;
    }
    for (const [key, item] of entries(value)) {
      const good = isKey(key) ? check(item, key) : null;
      if (good === null) this.report(`${name}.${key}`, 'malformed, skipped');
      else out[key] = good;
    }
    return out;
  }
  list<T>(value: unknown, name: string, check: (v: unknown) => T | null): T[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.report(name, 'not a list');
      return [];
    }
    const out: T[] = [];
    value.forEach((item, i) => {
      const good = check(item);
      if (good === null) this.report(`${name}[${i}]`, 'malformed, skipped');
      else out.push(good);
    });
    return out;
  }
}

const readRegister = (v: unknown, key: string): RegisterFact | null =>
  isObj(v) && isHlc(v.h) && 'v' in v && /^[a-z]+:[A-Za-z0-9_-]{1,64}$|^prog$/.test(key)
    ? { v: v.v, h: v.h }
    : null;

function readAdd(v: unknown): AddFact | null {
  if (!isObj(v) || !isId(v.track) || !isOrderKey(v.key) || !isHlc(v.h) || !isTime(v.at)) {
    return null;
  }
  if (v.lane === 'priority') {
    if (v.guest !== undefined && !isId(v.guest)) return null;
    const add: AddFact = { lane: 'priority', track: v.track, key: v.key, h: v.h, at: v.at };
    if (v.guest !== undefined) add.guest = v.guest as string;
    return add;
  }
  if (v.lane === 'programme' && isId(v.prog)) {
    return { lane: 'programme', prog: v.prog, track: v.track, key: v.key, h: v.h, at: v.at };
  }
  return null;
}

const readVotes = (v: unknown): string[] | null =>
  Array.isArray(v) && v.length <= 1000 && v.every(isId) ? [...new Set(v as string[])] : null;

function readIntent(v: unknown): IntentFact | null {
  if (!isObj(v) || !isId(v.id) || !INTENT_KINDS.includes(v.kind as never)) return null;
  if (!isTime(v.at) || !isHlc(v.h) || typeof v.stop !== 'number' || !(v.stop >= 0)) return null;
  if (v.entry !== undefined && !isId(v.entry)) return null;
  if (v.pos !== undefined && !isTime(v.pos)) return null;
  const intent: IntentFact = {
    id: v.id,
    kind: v.kind as IntentFact['kind'],
    at: v.at,
    h: v.h,
    stop: v.stop,
  };
  if (v.entry !== undefined) intent.entry = v.entry as string;
  if (v.pos !== undefined) intent.pos = v.pos as number;
  return intent;
}

function readPlayback(v: unknown): PlaybackFact | null {
  if (!isObj(v) || !isId(v.entry) || !isId(v.track) || !isTime(v.pos) || !isTime(v.at)) {
    return null;
  }
  if (v.lane !== 'priority' && v.lane !== 'programme') return null;
  if (!PLAYBACK_STATES.includes(v.state as never)) return null;
  return {
    entry: v.entry,
    track: v.track,
    lane: v.lane,
    state: v.state as PlaybackFact['state'],
    pos: v.pos,
    at: v.at,
  };
}

const readHistory = (v: unknown): HistoryFact | null =>
  isObj(v) &&
  isId(v.entry) &&
  isId(v.track) &&
  isTime(v.at) &&
  (v.lane === 'priority' || v.lane === 'programme')
    ? { entry: v.entry, track: v.track, lane: v.lane, at: v.at }
    : null;

function readOutcome(v: unknown): OutcomeFact | null {
  if (!isObj(v) || !['applied', 'expired', 'rejected'].includes(v.s as string)) return null;
  if (!INTENT_KINDS.includes(v.kind as never) || !isId(v.by) || !isTime(v.at)) return null;
  const outcome: OutcomeFact = {
    s: v.s as OutcomeFact['s'],
    kind: v.kind as OutcomeFact['kind'],
    by: v.by,
    at: v.at,
  };
  if (isText(v.why)) outcome.why = v.why;
  return outcome;
}

function readPlayer(v: unknown, r: Reader): PlayerFact | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v) || !isTime(v.beat)) {
    r.report('player', 'malformed, skipped');
    return undefined;
  }
  const lease =
    isObj(v.lease) && Number.isInteger(v.lease.epoch) && isTime(v.lease.at)
      ? { epoch: v.lease.epoch as number, at: v.lease.at }
      : null;
  if (v.lease !== null && lease === null) r.report('player.lease', 'malformed, skipped');
  const playback = v.playback === null ? null : readPlayback(v.playback);
  if (v.playback !== null && playback === null) r.report('player.playback', 'malformed, skipped');
  const cursor =
    isObj(v.cursor) && isId(v.cursor.entry) && isOrderKey(v.cursor.key)
      ? { entry: v.cursor.entry, key: v.cursor.key }
      : null;
  return {
    beat: v.beat,
    lease,
    playback,
    cursor,
    played: r.record(v.played, 'player.played', (t) => (isTime(t) ? t : null)),
    history: r.list(v.history, 'player.history', readHistory),
    outcomes: r.record(v.outcomes, 'player.outcomes', readOutcome),
    stop: Number.isInteger(v.stop) && (v.stop as number) >= 0 ? (v.stop as number) : 0,
    journal: typeof v.journal === 'string' && v.journal.length <= 200 ? v.journal : null,
    slot: typeof v.slot === 'string' && v.slot.length <= 200 ? v.slot : null,
  };
}

/**
 * Reads one ledger value from the document. Returns null (with a problem) when the value is not a
 * ledger at all; otherwise a ledger holding only its well-formed facts.
 */
export function readLedger(
  key: string,
  value: unknown,
): { ledger: LedgerFact | null } & {
  problems: Problem[];
} {
  const r = new Reader(`ledgers.${key}`);
  if (!isId(key) || !isObj(value) || value.w !== key || !isId(value.dev) || !isHlc(value.h)) {
    r.report('', 'not a ledger, ignored');
    return { ledger: null, problems: r.problems };
  }
  if (value.v !== LEDGER_VERSION || !ROLES.includes(value.role as never)) {
    r.report('', `unknown ledger version ${String(value.v)} or role, ignored`);
    return { ledger: null, problems: r.problems };
  }
  const ledger: LedgerFact = {
    v: LEDGER_VERSION,
    w: key,
    dev: value.dev,
    role: value.role as LedgerFact['role'],
    name: isText(value.name) ? value.name : '',
    h: value.h,
    regs: r.record(value.regs, 'regs', readRegister),
    adds: r.record(value.adds, 'adds', readAdd),
    votes: r.record(value.votes, 'votes', readVotes),
    intents: r.list(value.intents, 'intents', readIntent),
  };
  const player = readPlayer(value.player, r);
  if (player) ledger.player = player;
  return { ledger, problems: r.problems };
}
