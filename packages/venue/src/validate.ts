/**
 * Validation on read (VM16): every fact in a writer's log is untrusted. A well-formed fact is handed
 * back as the very object stored (its type is read-only: the model replaces facts, never edits the
 * objects the document holds); a malformed one is skipped and reported, and never hides the
 * well-formed facts beside it.
 */
import { isHlc } from './hlc';
import { isOrderKey } from './order';
import { isClockDoubt } from './schedule';
import {
  INTENT_KINDS,
  LIMITS,
  PLAYBACK_STATES,
  STOP_REASONS,
  WRITER_ROLES,
  type Fact,
} from './schema';

/** Something malformed found while reading the document. */
export interface Problem {
  /** Where: the writer's log and the fact. */
  where: string;
  /** What was wrong. */
  what: string;
}

type Obj = Record<string, unknown>;
/** A plain object (not an array). */
export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Ids of entries, tracks, guests, intents and journal entries (as the relay's journal allows). */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,80}$/;
export const isId = (v: unknown): v is string => typeof v === 'string' && ID_PATTERN.test(v);
export const isTime = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e14;
export const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= LIMITS.text;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isLane = (v: unknown) => v === 'priority' || v === 'programme';
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);

/** Register keys: `prog`, or `<kind>:<id>` such as `set:volume`, `rm:<entry>`, `ban:<track>`. */
const REGISTER_KEY = /^(prog|era|[a-z]+:[A-Za-z0-9_.:-]{1,80})$/;

/** A fact's identity key: a singleton name, or a prefix and an id. */
const FACT_KEY =
  /^(me|beat|lease|play|cursor|stops|journal|slot|r:(prog|era|[a-z]+:[A-Za-z0-9_.:-]{1,80})|(a|v|i|o|g|p|x|hi):[A-Za-z0-9_.:-]{1,80})$/;

/** The checks of each kind of fact, by the part of its key before the first `:`. */
const CHECKS: Record<string, (f: Obj) => boolean> = {
  me: (f) =>
    isId(f.dev) &&
    WRITER_ROLES.includes(f.role as never) &&
    isText(f.name) &&
    isTime(f.at) &&
    optional(f.era, isId),
  r: (f) => isHlc(f.h) && 'v' in f && REGISTER_KEY.test((f.k as string).slice(2)),
  a: (f) =>
    isId(f.track) &&
    isOrderKey(f.key) &&
    isHlc(f.h) &&
    isTime(f.at) &&
    (f.lane === 'priority'
      ? f.prog === undefined && optional(f.guest, isId) && optional(f.kiosk, (v) => v === true)
      : f.lane === 'programme' && isId(f.prog) && f.guest === undefined && f.kiosk === undefined),
  v: (f) =>
    Array.isArray(f.g) &&
    f.g.length <= LIMITS.votes &&
    f.g.every(isId) &&
    new Set(f.g).size === f.g.length,
  i: (f) =>
    INTENT_KINDS.includes(f.kind as never) &&
    isTime(f.at) &&
    isHlc(f.h) &&
    isCount(f.stop) &&
    optional(f.entry, isId) &&
    optional(f.pos, isTime),
  o: (f) =>
    ['applied', 'expired', 'rejected'].includes(f.s as string) &&
    INTENT_KINDS.includes(f.kind as never) &&
    isId(f.by) &&
    isTime(f.at) &&
    optional(f.why, isText),
  g: (f) => (f.s === 'accepted' || f.s === 'refused') && isTime(f.at) && optional(f.why, isText),
  play: (f) =>
    isId(f.entry) &&
    isId(f.track) &&
    isLane(f.lane) &&
    PLAYBACK_STATES.includes(f.state as never) &&
    isTime(f.pos) &&
    isTime(f.at) &&
    optional(f.why, (v) => f.state === 'stopped' && STOP_REASONS.includes(v as never)) &&
    optional(f.guest, isId) &&
    optional(f.kiosk, (v) => v === true),
  beat: (f) =>
    isTime(f.at) &&
    (f.off === undefined || f.off === true) &&
    (f.clock === undefined || isClockDoubt(f.clock)),
  lease: (f) => isCount(f.epoch) && isTime(f.at),
  cursor: (f) => isId(f.entry) && isOrderKey(f.key) && (f.prog === undefined || isId(f.prog)),
  stops: (f) => isCount(f.n),
  journal: (f) => typeof f.c === 'string' && f.c.length <= LIMITS.text,
  slot: (f) =>
    typeof f.occ === 'string' &&
    f.occ.length <= LIMITS.text &&
    (f.seen === undefined ||
      (Array.isArray(f.seen) &&
        f.seen.length <= 16 &&
        f.seen.every((o) => typeof o === 'string' && o.length <= LIMITS.text))),
  p: (f) => isTime(f.at),
  x: (f) => isId(f.entry) && isText(f.why) && isTime(f.at),
  hi: (f) => isId(f.entry) && isId(f.track) && isLane(f.lane) && isTime(f.at),
};

const checked = new WeakMap<object, boolean>();

/**
 * The fact itself when `value` is a well-formed fact, else null. Judged once per stored object:
 * Yjs hands back the same object until the fact is replaced.
 */
export function readFact(value: unknown): Fact | null {
  if (!isObj(value)) return null;
  let good = checked.get(value);
  if (good === undefined) {
    const k = value.k;
    good =
      typeof k === 'string' &&
      FACT_KEY.test(k) &&
      (CHECKS[k.slice(0, k.indexOf(':') >>> 0)]?.(value) ?? false);
    checked.set(value, good);
  }
  return good ? (value as unknown as Fact) : null;
}
