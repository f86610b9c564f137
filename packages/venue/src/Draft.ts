/**
 * A writer's ledger being changed by one operation (VM1, VM22). Reads see the stored ledger with
 * this operation's changes on top; only the changes are kept, so an operation costs what it changes
 * however large the ledger is, and writing it appends just the changed facts to the writer's log.
 */
import {
  RECORDS,
  SINGLETONS,
  fact,
  factTime,
  factsOf,
  recordOf,
  type LogChange,
  type RecordName,
  type Singleton,
} from './ledger';
import type {
  AddFact,
  Fact,
  FailureFact,
  GuestOutcomeFact,
  HistoryFact,
  IntentFact,
  Ledger,
  OutcomeFact,
  PlayedFact,
  RegisterFact,
  VoteFact,
  WriterFact,
} from './schema';

/** One keyed record of a draft (registers, adds, votes…): the stored facts with the changes on top. */
export class DraftRecord<T extends Fact> {
  /** This record's changes by id (also in the draft's changes, by key). */
  private readonly changed = new Map<string, T | null>();

  constructor(
    private readonly draft: Draft,
    private readonly name: RecordName,
    private readonly prefix: string,
  ) {}

  private get stored(): Map<string, T> {
    return this.draft.base[this.name] as Map<string, T>;
  }

  /** The fact with id `id`, if any. */
  get(id: string): T | undefined {
    const changed = this.changed.get(id);
    return changed === undefined ? this.stored.get(id) : (changed ?? undefined);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Sets the fact with id `id` (its key must be this record's prefix and `id`). */
  set(id: string, fact: T) {
    if (fact.k !== this.prefix + id) throw new Error(`fact ${fact.k} is not ${this.prefix}${id}`);
    this.changed.set(id, fact);
    this.draft.changes.set(fact.k, fact);
  }

  delete(id: string) {
    if (!this.has(id)) return;
    this.changed.set(id, null);
    this.draft.changes.set(this.prefix + id, null);
  }

  /** Calls `visit` with every (id, fact), stored ones first (the fast way through a large record). */
  forEach(visit: (id: string, fact: T) => void) {
    const changed = this.changed;
    for (const [id, fact] of this.stored) if (!changed.has(id)) visit(id, fact);
    for (const [id, fact] of changed) if (fact) visit(id, fact);
  }

  /** Every (id, fact), stored ones first. */
  *entries(): Generator<[string, T]> {
    const changed = this.changed;
    for (const [id, fact] of this.stored) if (!changed.has(id)) yield [id, fact];
    for (const [id, fact] of changed) if (fact) yield [id, fact];
  }

  *values(): Generator<T> {
    for (const [, fact] of this.entries()) yield fact;
  }
}

/** A ledger being changed by one operation. */
export class Draft {
  /** Changed facts by key; null for a fact dropped. */
  readonly changes = new Map<string, Fact | null>();
  readonly regs = new DraftRecord<RegisterFact>(this, 'regs', 'r:');
  readonly adds = new DraftRecord<AddFact>(this, 'adds', 'a:');
  readonly votes = new DraftRecord<VoteFact>(this, 'votes', 'v:');
  readonly intents = new DraftRecord<IntentFact>(this, 'intents', 'i:');
  readonly played = new DraftRecord<PlayedFact>(this, 'played', 'p:');
  readonly history = new DraftRecord<HistoryFact>(this, 'history', 'hi:');
  readonly outcomes = new DraftRecord<OutcomeFact>(this, 'outcomes', 'o:');
  readonly guest = new DraftRecord<GuestOutcomeFact>(this, 'guest', 'g:');
  readonly failed = new DraftRecord<FailureFact>(this, 'failed', 'x:');

  constructor(readonly base: Ledger) {}

  /** The player's past plays, oldest first, with their sequence numbers. */
  pastPlays(): [number, HistoryFact][] {
    return [...this.history.entries()]
      .map(([seq, h]): [number, HistoryFact] => [parseInt(seq, 36), h])
      .sort((a, b) => a[0] - b[0]);
  }

  /** Sets register `key` to `v`, stamped `h` (VM5). */
  setRegister(key: string, v: unknown, h: string) {
    this.regs.set(key, fact.register(key, v, h));
  }

  /** The writer id. */
  get w(): string {
    return this.base.w;
  }

  get me(): WriterFact {
    return (this.changes.get('me') as WriterFact | undefined) ?? this.base.me;
  }

  set me(fact: WriterFact) {
    this.changes.set('me', fact);
  }

  /** A singleton fact (heartbeat, lease, playback…), if any. */
  get<K extends Singleton>(name: K): Ledger[K] {
    const changed = this.changes.get(name);
    return (changed === undefined ? this.base[name] : (changed ?? undefined)) as Ledger[K];
  }

  /** Sets a singleton fact, or drops it (`undefined`). */
  put<K extends Singleton>(name: K, fact: Ledger[K]) {
    if (fact && fact.k !== name) throw new Error(`fact ${fact.k} is not ${name}`);
    if (fact) this.changes.set(name, fact);
    else if (this.get(name)) this.changes.set(name, null);
  }

  /**
   * What writing this draft changes in a log holding `elements` (the stored facts and any malformed
   * ones, which are never touched). When `complete`, every fact the log does not hold yet is
   * appended too: a new log, or a schema-1 ledger being converted. `superseded` versions (they lost
   * to a newer version of their key) are deleted with any write. Null when nothing changed.
   */
  changeFor(
    elements: readonly unknown[],
    complete: boolean,
    superseded: readonly unknown[] = [],
  ): LogChange | null {
    const inLog = complete ? new Set(elements) : null;
    const append: Fact[] = [];
    const replaced = new Set<unknown>(superseded);
    for (const [k, fact] of this.changes) {
      const before = this.storedFact(k);
      if (fact === before) continue;
      if (fact) append.push(fact);
      if (before && (!inLog || inLog.has(before))) replaced.add(before);
    }
    if (inLog) {
      for (const fact of this.facts()) {
        if (!inLog.has(fact) && !this.changes.has(fact.k)) append.push(fact);
      }
    }
    if (append.length === 0 && replaced.size === 0) return null;
    const remove: number[] = [];
    if (replaced.size) {
      elements.forEach((element, index) => {
        if (replaced.has(element)) remove.push(index);
      });
    }
    return { append, remove };
  }

  private storedFact(k: string): Fact | undefined {
    if (k === 'me') return this.base.me;
    const record = recordOf(k);
    if (!record) return this.base[k as Singleton];
    return (this.base[record] as Map<string, Fact>).get(k.slice(k.indexOf(':') + 1));
  }

  /** Applies the changes to the stored ledger itself, once they are written, and returns it. */
  commit(): Ledger {
    const base = this.base;
    for (const [k, fact] of this.changes) {
      const record = recordOf(k);
      if (k === 'me') base.me = fact as WriterFact;
      else if (!record) {
        if (fact) (base as unknown as Record<string, Fact>)[k] = fact;
        else delete base[k as Singleton];
      } else {
        const facts = base[record] as Map<string, Fact>;
        const id = k.slice(k.indexOf(':') + 1);
        if (fact) facts.set(id, fact);
        else facts.delete(id);
      }
      if (fact) base.latest = Math.max(base.latest, factTime(fact));
    }
    delete base.legacy;
    base.version++;
    return base;
  }

  /** Every fact of the ledger as this operation leaves it. */
  *facts(): Generator<Fact> {
    if (this.changes.size === 0) return yield* factsOf(this.base);
    yield this.me;
    for (const name of Object.values(RECORDS)) {
      yield* (this[name] as DraftRecord<Fact>).values();
    }
    for (const name of SINGLETONS) {
      const fact = this.get(name);
      if (fact) yield fact;
    }
  }
}
