/**
 * What a ledger still needs to hold (VM20). Every write tidies the writer's own ledger, and a retired
 * writer's ledger is tidied the same way before what is left is folded into a live one (VM24). Tidying
 * only drops facts that can no longer change what any replica shows.
 */
import type { Draft, DraftRecord } from './Draft';
import { hlcWall } from './hlc';
import type { OpContext } from './op-context';
import { baseIds, currentBase } from './programme';
import type { Removal } from './queue-ops';
import { LIMITS, TIMING, type Fact } from './schema';
import { isObj, isTime } from './validate';

function keep<T extends Fact>(record: DraftRecord<T>, wanted: (id: string, fact: T) => boolean) {
  const dropped: string[] = [];
  record.forEach((id, fact) => {
    if (!wanted(id, fact)) dropped.push(id);
  });
  for (const id of dropped) record.delete(id);
}

/**
 * Drops what no longer matters from `draft`, judged against the venue as it stood before this
 * operation: anything this operation made droppable goes at the next one. What only time makes
 * droppable (expired requests, old outcomes, removals past their grace) is dropped only by a device
 * whose clock was corrected from the relay's: a clock reading the far future would otherwise throw
 * away what every other device still counts (VM25).
 */
export function tidyLedger(draft: Draft, { facts, now: clock, view, correction }: OpContext) {
  // A clock never corrected drops nothing by time.
  const now = correction === null ? -Infinity : clock;
  let visible: Set<string> | undefined;
  const isVisible = (id: string) =>
    (visible ??= new Set([...view.programme.entries, ...view.lane].map((e) => e.id))).has(id);
  const base = currentBase(facts).base;
  const inBase = (id: string) => baseIds(base).has(id);
  let devices: Set<string> | undefined;
  const hasLedger = (device: string) =>
    (devices ??= new Set(facts.ledgers.map((l) => l.me.dev))).has(device);
  const old = (h: string) => now - hlcWall(h) > TIMING.grace;
  /**
   * A removal stays as long as what it removed could show again (VM10): a request until it would
   * have expired, a programme entry while its programme plays (for at most four weeks once its add
   * is gone), an entry of the programme base while that base does; schema 1's removals say nothing
   * of their entry and stay while their add does.
   */
  const removalNeeded = (v: Removal, id: string, h: string) => {
    if (isObj(v) && v.lane === 'priority' && isTime(v.at)) return v.at + TIMING.laneTtl > now;
    if (isObj(v) && v.lane === 'programme') {
      if (v.prog !== base.id) return false;
      return facts.adds.has(id) || inBase(id) || now - hlcWall(h) < 4 * TIMING.retireAfter;
    }
    return facts.adds.has(id) || inBase(id);
  };
  keep(draft.regs, (key, reg) => {
    const winner = facts.registers.get(key);
    if (winner && (winner.h > reg.h || (winner.h === reg.h && winner.holder !== draft.w))) {
      return false;
    }
    const colon = key.indexOf(':');
    if (colon < 0) return true;
    const id = key.slice(colon + 1);
    switch (key.slice(0, colon)) {
      case 'pos':
        return isVisible(id);
      case 'rm':
        return removalNeeded(reg.v as Removal, id, reg.h) || !old(reg.h);
      case 'slot':
      case 'ban':
      case 'pl':
        return !!reg.v || !old(reg.h);
      case 'rev':
        return hasLedger(id) || !old(reg.h);
      default:
        return true;
    }
  });
  keep(draft.adds, (id, add) => {
    if (facts.removed.has(id) || facts.played.has(id)) return false;
    if (add.lane === 'priority') return add.at + TIMING.laneTtl > now;
    return add.prog === base.id;
  });
  keep(draft.votes, (entry) => isVisible(entry));
  keep(
    draft.intents,
    (id, intent) => !facts.outcomes.has(id) && now - intent.at < TIMING.outcomeTtl,
  );
  keep(draft.played, (_, p) => now - p.at < TIMING.laneTtl + TIMING.grace);
  keep(draft.outcomes, (_, o) => now - o.at < TIMING.outcomeTtl);
  keep(draft.guest, (_, o) => now - o.at < TIMING.outcomeTtl);
  keep(draft.failed, (_, f) => now - f.at < TIMING.failureTtl);
  // A lease another player has since outbid is over: held on, it would come back to life if that
  // player's log were ever retired (VM3).
  const lease = draft.get('lease');
  if (lease && facts.players.some((p) => (p.lease?.epoch ?? -1) > lease.epoch)) {
    draft.put('lease', undefined);
  }
  for (const [seq] of draft.pastPlays().slice(0, -LIMITS.history)) {
    draft.history.delete(seq.toString(36));
  }
}
