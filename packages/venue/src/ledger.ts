/**
 * A writer's log (VM1, VM20): reading it into a {@link Ledger}, and writing a changed ledger back as
 * the facts that changed. A fact is changed by appending its new version and deleting the old one;
 * the log's deleted versions lie side by side and Yjs merges them into a few tombstone runs, so the
 * log costs what its live facts cost, however often they change.
 */
import type * as Y from 'yjs';
import { hlcWall } from './hlc';
import type {
  Fact,
  Ledger,
  RegisterFact,
  AddFact,
  VoteFact,
  IntentFact,
  OutcomeFact,
  GuestOutcomeFact,
  PlayedFact,
  HistoryFact,
  FailureFact,
  WriterIdentity,
} from './schema';
import { readFact, type Problem } from './validate';

/** The keyed records of a ledger, by the prefix of their facts' keys. */
export const RECORDS = {
  r: 'regs',
  a: 'adds',
  v: 'votes',
  i: 'intents',
  p: 'played',
  hi: 'history',
  o: 'outcomes',
  g: 'guest',
  x: 'failed',
} as const;
/** The name of a keyed record of a ledger. */
export type RecordName = (typeof RECORDS)[keyof typeof RECORDS];
const RECORD_NAMES = Object.values(RECORDS);
/** The facts a ledger holds at most one of. */
export const SINGLETONS = ['beat', 'lease', 'play', 'cursor', 'stops', 'journal', 'slot'] as const;
/** The name of a singleton fact. */
export type Singleton = (typeof SINGLETONS)[number];

/** The record a fact key belongs to, or undefined for `me` and the singletons. */
export function recordOf(k: string): RecordName | undefined {
  const colon = k.indexOf(':');
  return colon < 0 ? undefined : RECORDS[k.slice(0, colon) as keyof typeof RECORDS];
}

/** A ledger with nothing in it yet but whose it is. */
export function emptyLedger(identity: WriterIdentity): Ledger {
  return {
    w: identity.writer,
    me: { k: 'me', dev: identity.device, role: identity.role, name: identity.name ?? '', at: 0 },
    regs: new Map(),
    adds: new Map(),
    votes: new Map(),
    intents: new Map(),
    played: new Map(),
    history: new Map(),
    outcomes: new Map(),
    guest: new Map(),
    failed: new Map(),
    latest: 0,
    version: 0,
  };
}

/** Every fact of a ledger. */
export function* factsOf(ledger: Ledger): Generator<Fact> {
  yield ledger.me;
  for (const name of RECORD_NAMES) yield* ledger[name].values() as Iterable<Fact>;
  for (const name of SINGLETONS) {
    const fact = ledger[name];
    if (fact) yield fact;
  }
}

/** The time a fact speaks of: its stamp's wall time, or its own time. */
export function factTime(fact: Fact): number {
  if ('h' in fact) return hlcWall(fact.h);
  return 'at' in fact ? fact.at : 0;
}

/** Puts a well-formed fact into the ledger; of two versions of one key, the newer counts. */
export function place(ledger: Ledger, fact: Fact) {
  const k = fact.k;
  const colon = k.indexOf(':');
  ledger.latest = Math.max(ledger.latest, factTime(fact));
  if (colon < 0) {
    if (k === 'me') ledger.me = fact as Ledger['me'];
    else (ledger as unknown as Record<string, Fact>)[k] = fact;
    return;
  }
  const record = ledger[recordOf(k)!] as Map<string, Fact>;
  const id = k.slice(colon + 1);
  const known = record.get(id);
  if (known && 'h' in known && 'h' in fact && known.h > fact.h) return;
  record.set(id, fact);
}

/** A ledger read from a log, with the stored elements (for finding a fact's index on write). */
export interface ReadLog {
  ledger: Ledger | null;
  elements: unknown[];
  problems: Problem[];
  /**
   * Well-formed facts that lost to a newer version of their key (two sessions of one writer, or a
   * misbehaving app): they count for no one, and the writer's next write deletes them.
   */
  superseded: unknown[];
}

/** Reads a writer's log. A log without a well-formed `me` fact is not a ledger (VM16). */
export function readLog(writer: string, log: Y.Array<unknown>): ReadLog {
  const elements = log.toArray();
  const problems: Problem[] = [];
  const where = `writers.${writer}`;
  const me = elements.map(readFact).find((f) => f?.k === 'me') as Ledger['me'] | undefined;
  if (!me) {
    problems.push({ where, what: 'no writer fact: not a ledger, ignored' });
    return { ledger: null, elements, problems, superseded: [] };
  }
  const ledger = emptyLedger({ writer, device: me.dev, role: me.role, name: me.name });
  ledger.me = me;
  const valid: Fact[] = [];
  for (const element of elements) {
    const fact = readFact(element);
    if (fact) {
      place(ledger, fact);
      valid.push(fact);
    } else problems.push({ where: `${where}.${describe(element)}`, what: 'malformed, skipped' });
  }
  const counted = new Set<Fact>(factsOf(ledger));
  const superseded = valid.length > counted.size ? valid.filter((f) => !counted.has(f)) : [];
  return { ledger, elements, problems, superseded };
}

function describe(element: unknown): string {
  const k = (element as { k?: unknown } | null)?.k;
  return typeof k === 'string' ? k.slice(0, 80) : '(fact without a key)';
}

/** What a write changes in a log: facts to append and the indices of stored versions to delete. */
export interface LogChange {
  append: Fact[];
  remove: number[];
}

/** Applies a change to a log, inside the caller's transaction. */
export function applyChange(log: Y.Array<unknown>, change: LogChange) {
  if (change.append.length) log.push(change.append);
  const remove = change.remove;
  for (let end = remove.length - 1; end >= 0;) {
    let start = end;
    while (start > 0 && remove[start - 1] === remove[start]! - 1) start--;
    log.delete(remove[start]!, end - start + 1);
    end = start - 1;
  }
}

/** Builders of facts with their keys, so ops never spell a key by hand. */
export const fact = {
  register: (key: string, v: unknown, h: string): RegisterFact => ({ k: `r:${key}`, v, h }),
  add: (id: string, add: Omit<AddFact, 'k'>): AddFact => ({ k: `a:${id}`, ...add }),
  votes: (entry: string, g: string[]): VoteFact => ({ k: `v:${entry}`, g }),
  intent: (id: string, intent: Omit<IntentFact, 'k'>): IntentFact => ({ k: `i:${id}`, ...intent }),
  outcome: (id: string, o: Omit<OutcomeFact, 'k'>): OutcomeFact => ({ k: `o:${id}`, ...o }),
  guestOutcome: (id: string, o: Omit<GuestOutcomeFact, 'k'>): GuestOutcomeFact => ({
    k: `g:${id}`,
    ...o,
  }),
  played: (entry: string, at: number): PlayedFact => ({ k: `p:${entry}`, at }),
  failure: (track: string, f: Omit<FailureFact, 'k'>): FailureFact => ({ k: `x:${track}`, ...f }),
  history: (seq: number, h: Omit<HistoryFact, 'k'>): HistoryFact => ({
    k: `hi:${seq.toString(36)}`,
    ...h,
  }),
};
