/**
 * The programme base (VM13): the list a writer loaded as a whole (a playlist, or nothing after
 * "clear"), held as one register `prog`, newest stamp wins. Its entries' ids and keys are derived
 * from their index, so a 20,000-entry base stores little more than its track ids.
 */
import type { MergedRegister, VenueFacts } from './merge';
import { isOrderKey, nthKey } from './order';
import { LIMITS } from './schema';
import { isId, isObj, type Problem } from './validate';

/** The id of the programme before any playlist was loaded. */
export const FIRST_PROGRAMME = 'main';

/** The programme a writer loaded: its id and tracks, in order (entry `i` is `<id>_<i>`). */
export interface ProgrammeBase {
  id: string;
  /** Track ids in order. */
  e: string[];
  /** Entry ids and order keys of a base converted from schema 1 (else derived from the index). */
  ids?: string[];
  keys?: string[];
}

const checkedBases = new WeakMap<object, boolean>();

/** True when `v` is a well-formed programme base (judged once per stored value). */
export function isProgrammeBase(v: unknown): v is ProgrammeBase {
  if (!isObj(v)) return false;
  let good = checkedBases.get(v);
  if (good === undefined) {
    const n = Array.isArray(v.e) ? v.e.length : -1;
    good =
      isId(v.id) &&
      !v.id.includes('_') &&
      n >= 0 &&
      n <= LIMITS.programme &&
      (v.e as unknown[]).every(isId) &&
      (v.ids === undefined
        ? v.keys === undefined
        : Array.isArray(v.ids) &&
          Array.isArray(v.keys) &&
          v.ids.length === n &&
          v.keys.length === n &&
          v.ids.every(isId) &&
          v.keys.every(isOrderKey));
    checkedBases.set(v, good);
  }
  return good;
}

/** An entry of a base. */
export interface BaseEntry {
  id: string;
  track: string;
  key: string;
}

const entriesOf = new WeakMap<ProgrammeBase, readonly BaseEntry[]>();

/** The entries of a base: ids `<base id>_<index>` and integer keys, unless stored (schema 1). */
export function baseEntries(base: ProgrammeBase): readonly BaseEntry[] {
  let entries = entriesOf.get(base);
  if (!entries) {
    entries = base.e.map((track, i) => ({
      id: base.ids?.[i] ?? `${base.id}_${i}`,
      track,
      key: base.keys?.[i] ?? nthKey(i),
    }));
    entriesOf.set(base, entries);
  }
  return entries;
}

const idsOf = new WeakMap<ProgrammeBase, Set<string>>();

/** The entry ids of a base, as a set. */
export function baseIds(base: ProgrammeBase): Set<string> {
  let ids = idsOf.get(base);
  if (!ids) idsOf.set(base, (ids = new Set(baseEntries(base).map((e) => e.id))));
  return ids;
}

const EMPTY: ProgrammeBase = { id: FIRST_PROGRAMME, e: [] };

/** The base that counts (the newest, VM13) and its stamp, or the empty first programme. */
export function currentBase(facts: VenueFacts, problems?: Problem[]) {
  const reg: MergedRegister | undefined = facts.registers.get('prog');
  if (reg && isProgrammeBase(reg.v)) return { base: reg.v, h: reg.h };
  if (reg) problems?.push({ where: `writers.${reg.holder}.${reg.k}`, what: 'invalid' });
  return { base: EMPTY, h: '' };
}
