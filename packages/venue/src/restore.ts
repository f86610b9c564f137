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
 *
 * What the players did since the backup is not the backup's to undo: music that played cannot be
 * unplayed. So the restore carries the venue's playback as it stands (what plays now, the stop
 * count, the recent history and every request played) into the restored player log that holds the
 * lease: what plays goes on, and a request played since the backup does not come back.
 */
import * as Y from 'yjs';
import { hlcWall, type Hlc } from './hlc';
import { factsOf, fact } from './ledger';
import { leaseHolder } from './merge';
import { mayHoldRegister } from './rights';
import { TIMING, type Fact, type Ledger, type PlayedFact, type WriterFact } from './schema';
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

/** What a restore keeps of the venue as it stands: what its players did (VM36). */
export interface CarriedPlayback {
  /** The player log that held the lease when the restore was made. */
  holder: Ledger | null;
  /** Every request any player started. */
  played: ReadonlyMap<string, PlayedFact>;
}

/**
 * The backup's logs with the venue's playback as it stands carried into the one holding the lease
 * (or, when the backup has no player, the current holder's player facts as a log of their own): its
 * playback, stop count and history are the current holder's, and every request played since is
 * played in it too. Registers, adds and the schedule's slot stay the backup's.
 */
export function carryPlayback(backup: readonly Ledger[], now: CarriedPlayback): Ledger[] {
  const current = now.holder;
  if (!current && !now.played.size) return [...backup];
  const players = backup.filter((l) => l.me.role === 'player');
  const into = leaseHolder(players);
  const carrier: Ledger = into
    ? { ...into, played: new Map(into.played), history: new Map(into.history) }
    : {
        ...current!,
        regs: new Map(),
        adds: new Map(),
        votes: new Map(),
        intents: new Map(),
        outcomes: new Map(),
        guest: new Map(),
        failed: new Map(),
        played: new Map(),
        history: new Map(),
      };
  if (current) {
    if (current.play) carrier.play = current.play;
    if (current.stops && current.stops.n > (carrier.stops?.n ?? -1)) carrier.stops = current.stops;
    if (current.history.size) carrier.history = new Map(current.history);
  }
  for (const [entry, played] of now.played) {
    if (!carrier.played.has(entry)) carrier.played.set(entry, played);
  }
  if (!into && !current) return [...backup];
  return into ? backup.map((l) => (l === into ? carrier : l)) : [...backup, carrier];
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
