/**
 * Schema-1 ledgers (VM15): one JSON value per writer in the `ledgers` map. They are read by turning
 * each of their facts into its schema-2 form and validating that, so one set of checks judges both.
 * Order keys become keys of today's scheme that sort the same way (every schema-1 key lies between
 * `a0` and `a1`). Nothing writes a schema-1 ledger any more: its owner converts it on its next write,
 * and once its writer is gone another writer folds what still matters and deletes it (VM24).
 */
import { emptyLedger, place, fact, type ReadLog } from './ledger';
import { legacyKey } from './order';
import { WRITER_ROLES, type Fact, type Ledger, type WriterRole } from './schema';
import { isId, isObj, readFact } from './validate';

type Obj = Record<string, unknown>;
const entries = (v: unknown): [string, unknown][] =>
  isObj(v) ? Object.entries(v).filter(([k]) => k !== '__proto__' && k !== 'constructor') : [];
const fields = (v: unknown): Obj => (isObj(v) ? v : {});

/** A schema-1 order key in today's scheme, or the value unchanged (then the check refuses it). */
const key = (v: unknown) => (typeof v === 'string' ? (legacyKey(v) ?? v) : v);

/** A schema-1 programme base `{ id, e: [id, track, key][] }` as today's base with explicit rows. */
function base(v: unknown): unknown {
  const b = fields(v);
  if (!Array.isArray(b.e)) return v;
  const rows = b.e.map((row) => (Array.isArray(row) ? row : []));
  return {
    id: b.id,
    e: rows.map((r) => r[1]),
    ids: rows.map((r) => r[0]),
    keys: rows.map((r) => key(r[2])),
  };
}

/** Every schema-1 fact of `value`, in today's form (not yet validated). */
function* convert(value: Obj): Generator<unknown> {
  for (const [k, reg] of entries(value.regs)) {
    const r = fields(reg);
    const v = k === 'prog' ? base(r.v) : k.startsWith('pos:') ? key(r.v) : r.v;
    yield fact.register(k, v, r.h as string);
  }
  for (const [id, add] of entries(value.adds)) {
    yield { ...fields(add), k: `a:${id}`, key: key(fields(add).key) };
  }
  for (const [entry, guests] of entries(value.votes)) {
    yield { k: `v:${entry}`, g: Array.isArray(guests) ? [...new Set(guests)] : guests };
  }
  for (const intent of Array.isArray(value.intents) ? value.intents : []) {
    const { id, ...rest } = fields(intent);
    if (isId(id)) yield { ...rest, k: `i:${id}` };
  }
  const player = fields(value.player);
  if (!isObj(value.player)) return;
  yield { k: 'beat', at: player.beat };
  const lease = fields(player.lease);
  if (player.lease) yield { k: 'lease', epoch: lease.epoch, at: lease.at };
  if (player.playback) yield { ...fields(player.playback), k: 'play' };
  const cursor = fields(player.cursor);
  if (player.cursor) yield { k: 'cursor', entry: cursor.entry, key: key(cursor.key) };
  yield { k: 'stops', n: player.stop };
  if (typeof player.journal === 'string') yield { k: 'journal', c: player.journal };
  if (typeof player.slot === 'string') yield { k: 'slot', occ: player.slot };
  for (const [id, at] of entries(player.played)) yield { k: `p:${id}`, at };
  const history = Array.isArray(player.history) ? player.history : [];
  for (const [i, h] of history.entries()) yield { ...fields(h), k: `hi:${i.toString(36)}` };
  for (const [id, o] of entries(player.outcomes)) yield { ...fields(o), k: `o:${id}` };
}

/** Reads one schema-1 ledger value; a value that is not a ledger at all gives null (VM16). */
export function readLegacyLedger(writer: string, value: unknown): ReadLog {
  const where = `ledgers.${writer}`;
  const v = fields(value);
  if (
    !isId(writer) ||
    v.w !== writer ||
    v.v !== 1 ||
    !isId(v.dev) ||
    !WRITER_ROLES.includes(v.role as WriterRole)
  ) {
    return {
      ledger: null,
      elements: [],
      problems: [{ where, what: 'not a ledger, ignored' }],
      superseded: [],
    };
  }
  const ledger: Ledger = emptyLedger({
    writer,
    device: v.dev,
    role: v.role as WriterRole,
    name: typeof v.name === 'string' ? v.name.slice(0, 200) : '',
  });
  ledger.legacy = true;
  const problems = [];
  for (const candidate of convert(v)) {
    const good = readFact(candidate) as Fact | null;
    if (good) place(ledger, good);
    else
      problems.push({
        where: `${where}.${String(fields(candidate).k)}`,
        what: 'malformed, skipped',
      });
  }
  return { ledger, elements: [], problems, superseded: [] };
}
