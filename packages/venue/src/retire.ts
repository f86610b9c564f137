/**
 * Retiring gone writers (VM24). A writer is gone when an admin revoked its device, or when it has
 * said nothing for {@link TIMING.retireAfter}; the active player is never gone by age. Whoever writes
 * next (and may state everything the gone ledger still says) folds what still matters into its own
 * ledger, stamps unchanged, and deletes the gone log in the same transaction. Folded facts keep their
 * stamps, so every rule reads them exactly as before; two writers folding the same ledger at once
 * only leave two copies of the same facts. A writer that was not gone after all writes its facts
 * back (the rehome): that brings back nothing anyone judged gone, because what made a fact drop —
 * a removal, a play, a newer register — is kept as long as the fact could show (VM10, VM24).
 */
import { Draft } from './Draft';
import { fact } from './ledger';
import { hlcWall } from './hlc';
import { leaseHolder } from './merge';
import type { OpContext } from './op-context';
import { compareCursors } from './player-ops';
import { mayAdd, mayHoldRegister, RIGHTS } from './rights';
import { TIMING, type Ledger, type WriterRole } from './schema';
import { tidyLedger } from './tidy';

/**
 * True when `ledger` is gone at `ctx.now` (VM24): its device was revoked, or it has been silent for
 * {@link TIMING.retireAfter} while a third writer was heard from. Only a device whose clock was
 * corrected from the relay's retires anyone: a clock reading the far future would take everyone for
 * gone, and judges wrongly which facts are from the future.
 */
export function isGone(ledger: Ledger, ctx: OpContext): boolean {
  // The lease holder (even a revoked one) stays until another player claims: the next holder
  // continues from it (VM3).
  if (ledger.w === ctx.identity.writer || ledger === leaseHolder(ctx.facts.players)) return false;
  if (ctx.correction === null) return false;
  if (ctx.facts.revoked.has(ledger.me.dev)) return true;
  // Silence only counts while someone else was heard: a device cut off from the venue hears from no
  // one, and must not take the others for gone.
  const heard = ctx.facts.ledgers.reduce(
    (latest, other) =>
      other === ledger || other.w === ctx.identity.writer ? latest : Math.max(latest, other.latest),
    0,
  );
  const silence = Math.min(ctx.now, heard) - ledger.latest;
  return silence > TIMING.retireAfter;
}

/** What a gone ledger still says that matters: its tidied registers, adds, votes and unions. */
function stillMatters(ledger: Ledger, ctx: OpContext): Draft {
  const rest = new Draft(ledger);
  tidyLedger(rest, ctx);
  // Facts stamped in the future never counted, and their gone writer will not re-date them.
  const horizon = ctx.now + TIMING.maxAhead;
  for (const [key, reg] of [...rest.regs.entries()]) {
    if (hlcWall(reg.h) > horizon) rest.regs.delete(key);
  }
  for (const [id, add] of [...rest.adds.entries()]) {
    if (hlcWall(add.h) > horizon || add.at > horizon) rest.adds.delete(id);
  }
  const journal = rest.get('journal');
  const holder = ctx.facts.active?.journal;
  if (journal && holder && compareCursors(journal.c, holder.c) <= 0) rest.put('journal', undefined);
  return rest;
}

/** True when `role` may state every fact of `rest` that matters once its writer is gone. */
function mayFold(role: WriterRole, rest: Draft): boolean {
  const rights = RIGHTS[role];
  const none = (record: Iterable<unknown>) => record[Symbol.iterator]().next().done === true;
  return (
    [...rest.regs.entries()].every(([key]) => mayHoldRegister(role, key)) &&
    [...rest.adds.values()].every((add) => mayAdd(role, add)) &&
    (rights.votes || none(rest.votes.values())) &&
    (rights.player ||
      (none(rest.played.values()) &&
        none(rest.outcomes.values()) &&
        none(rest.guest.values()) &&
        none(rest.failed.values()) &&
        !rest.get('journal')))
  );
}

/**
 * Folds every gone ledger this writer may fold into `draft` and returns their writer ids (and
 * whether each is a schema-1 ledger) for the caller to delete in the same transaction. Only the
 * lease holder's playback counts and a gone writer's intents are long stale, so neither is folded;
 * a gone player's journal cursor is, when it is further along than the folder's.
 */
export function foldGone(draft: Draft, ctx: OpContext): { writer: string; legacy: boolean }[] {
  const retired: { writer: string; legacy: boolean }[] = [];
  for (const gone of ctx.facts.ledgers) {
    if (!isGone(gone, ctx)) continue;
    const rest = stillMatters(gone, ctx);
    if (!mayFold(draft.me.role, rest)) continue;
    for (const [key, reg] of rest.regs.entries()) {
      const mine = draft.regs.get(key);
      if (!mine || mine.h < reg.h) draft.regs.set(key, { ...reg });
    }
    for (const [id, add] of rest.adds.entries()) {
      if (!draft.adds.has(id)) draft.adds.set(id, { ...add });
    }
    for (const [entry, vote] of rest.votes.entries()) {
      const mine = draft.votes.get(entry)?.g ?? [];
      const union = [...new Set([...mine, ...vote.g])];
      if (union.length > mine.length) draft.votes.set(entry, fact.votes(entry, union));
    }
    for (const [id, played] of rest.played.entries()) {
      const mine = draft.played.get(id);
      if (!mine || mine.at > played.at) draft.played.set(id, { ...played });
    }
    for (const [id, o] of rest.outcomes.entries()) {
      if (!draft.outcomes.has(id)) draft.outcomes.set(id, { ...o });
    }
    for (const [id, o] of rest.guest.entries()) {
      if (!draft.guest.has(id)) draft.guest.set(id, { ...o });
    }
    // Journal entries up to a player's cursor were applied: the next holder goes on from there.
    const journal = rest.get('journal');
    const mine = draft.get('journal');
    if (journal && (!mine || compareCursors(journal.c, mine.c) > 0))
      draft.put('journal', { ...journal });
    retired.push({ writer: gone.w, legacy: gone.legacy === true });
  }
  return retired;
}
