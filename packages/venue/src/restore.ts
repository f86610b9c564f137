/**
 * Restoring a venue from a backup over its current state (VM36).
 *
 * Yjs merges and never rolls back: applying a backup's old update to a venue changes nothing that
 * was deleted or overwritten since. So a restore starts a new **era** instead. The restoring admin,
 * in one transaction, deletes every log, writes each of the backup's logs again under a new key with
 * the new era in its writer fact, and states the era in a register stamped after everything it has
 * seen. On read, only the logs of the newest era count: a device that had not seen the restore when
 * it wrote (offline at the time, or still sending) speaks in an older era and is not counted, and it
 * starts a fresh log in the new era the next time it writes, leaving its old facts behind.
 */
import * as Y from 'yjs';
import { hlcWall, type Hlc } from './hlc';
import { factsOf, fact } from './ledger';
import { mayHoldRegister } from './rights';
import { TIMING, type Fact, type Ledger, type WriterFact } from './schema';
import { isId, isObj, isTime } from './validate';

/** The register key of the era (`r:era`). */
export const ERA_REGISTER = 'era';

/** A restore as its register states it. */
export interface Era {
  /** The era's id, carried by the writer fact of every log written in it. */
  id: string;
  /** When the restore was made. */
  at: number;
  /** When the backup it restored was made. */
  backup: number;
  h: Hlc;
}

const isEraValue = (v: unknown): v is Omit<Era, 'h'> =>
  isObj(v) && isId(v.id) && isTime(v.at) && isTime(v.backup);

/**
 * The newest restore an admin stated, or null before the venue's first restore. A stamp more than
 * {@link TIMING.maxAhead} past `now` is not counted yet (VM25), like every other register.
 */
export function currentEra(ledgers: Iterable<Ledger>, now: number): Era | null {
  let era: Era | null = null;
  for (const ledger of ledgers) {
    const reg = ledger.regs.get(ERA_REGISTER);
    if (!reg || !mayHoldRegister(ledger.me.role, ERA_REGISTER) || !isEraValue(reg.v)) continue;
    if (hlcWall(reg.h) > now + TIMING.maxAhead) continue;
    if (!era || reg.h > era.h) era = { ...reg.v, h: reg.h };
  }
  return era;
}

/** True when `ledger` was written in `era` (null: before any restore): only those count (VM36). */
export function inEra(ledger: Ledger, era: Era | null): boolean {
  return (ledger.me.era ?? null) === (era?.id ?? null);
}

/** What a restore writes: the new era's id, its stamp, and the restorer's own writer fact. */
export interface RestorePlan {
  era: Omit<Era, 'h'>;
  h: Hlc;
  /** The restoring writer's log key and its writer fact (before the era is added). */
  writer: string;
  me: WriterFact;
}

/**
 * Replaces every log of `writers` (and every schema-1 ledger) by the backup's ledgers, each under a
 * new key in the new era, plus the restorer's own log stating the era. Runs inside the caller's
 * transaction. A restored player's heartbeat says it handed over, so a live player takes the lease
 * at once instead of waiting for an old heartbeat to time out (VM3).
 */
export function writeRestore(
  writers: Y.Map<unknown>,
  legacy: Y.Map<unknown>,
  backup: readonly Ledger[],
  plan: RestorePlan,
) {
  const id = plan.era.id;
  for (const key of [...writers.keys()]) writers.delete(key);
  for (const key of [...legacy.keys()]) legacy.delete(key);
  backup.forEach((ledger, i) => {
    const facts = [...factsOf(ledger)].map((f): Fact => {
      if (f === ledger.me) return { ...ledger.me, era: id };
      return f === ledger.beat ? { ...ledger.beat, off: true } : { ...f };
    });
    writers.set(`${id}.${i}`, logOf(facts));
  });
  const me: WriterFact = { ...plan.me, era: id };
  writers.set(plan.writer, logOf([me, fact.register(ERA_REGISTER, { ...plan.era }, plan.h)]));
}

function logOf(facts: Fact[]): Y.Array<unknown> {
  const log = new Y.Array<unknown>();
  log.push(facts);
  return log;
}
