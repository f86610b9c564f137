/**
 * A writer's own ledger: building a fresh one, and tidying it on every write so the document stays
 * small (VM20). Tidying only ever drops facts that can no longer change what any replica shows.
 */
import { hlcWall, type Hlc } from './hlc';
import type { OpContext } from './context';
import {
  LEDGER_VERSION,
  TIMING,
  LIMITS,
  type LedgerFact,
  type PlayerFact,
  type Role,
} from './schema';
import { isProgrammeBase } from './snapshot';

/** Who is writing: the shell decides, and guarantees one live session per writer id (VM1). */
export interface WriterIdentity {
  /** Ledger key; unique per live session of a device (e.g. device id + tab slot). */
  writer: string;
  /** Stable device id. */
  device: string;
  role: Role;
  name?: string;
}

/** A fresh, empty ledger. */
export function emptyLedger(identity: WriterIdentity, h: Hlc): LedgerFact {
  return {
    v: LEDGER_VERSION,
    w: identity.writer,
    dev: identity.device,
    role: identity.role,
    name: identity.name ?? '',
    h,
    regs: {},
    adds: {},
    votes: {},
    intents: [],
  };
}

/** A fresh player state. */
export function emptyPlayer(now: number): PlayerFact {
  return {
    beat: now,
    lease: null,
    playback: null,
    cursor: null,
    played: {},
    history: [],
    outcomes: {},
    stop: 0,
    journal: null,
    slot: null,
  };
}

function filterRecord<T>(record: Record<string, T>, keep: (key: string, value: T) => boolean) {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(record)) if (keep(key, value)) out[key] = value;
  return out;
}

/**
 * Drops what no longer matters from `draft`, judged against the venue as it stood before this
 * operation (anything this operation made droppable goes at the writer's next operation).
 */
export function tidyLedger(draft: LedgerFact, { facts, now, ...ctx }: OpContext) {
  let visible: Set<string> | undefined;
  const isVisible = (id: string) =>
    (visible ??= new Set([...ctx.view.programme.entries, ...ctx.view.lane].map((e) => e.id))).has(
      id,
    );
  const played = facts.played;
  const base = facts.registers.get('prog')?.v;
  const baseIds = new Set(isProgrammeBase(base) ? base.e.map(([id]) => id) : []);
  const old = (h: Hlc) => now - hlcWall(h) > TIMING.grace;
  draft.regs = filterRecord(draft.regs, (key, reg) => {
    const winner = facts.registers.get(key);
    if (winner && winner.h > reg.h) return false;
    if (key.startsWith('pos:')) return isVisible(key.slice(4));
    if (key.startsWith('rm:')) {
      const id = key.slice(3);
      return facts.adds.has(id) || baseIds.has(id) || !old(reg.h);
    }
    if (key.startsWith('slot:') || key.startsWith('ban:')) return !!reg.v || !old(reg.h);
    return true;
  });
  const prog = draft.regs.prog;
  if (prog && isProgrammeBase(prog.v)) {
    // The winning base sheds removed entries, so their removal facts can go too.
    const rows = prog.v.e.filter(([id]) => !facts.removed.has(id));
    if (rows.length < prog.v.e.length)
      draft.regs.prog = { v: { id: prog.v.id, e: rows }, h: prog.h };
  }
  draft.adds = filterRecord(draft.adds, (id, add) => {
    if (facts.removed.has(id) || played[id] !== undefined) return false;
    if (add.lane === 'priority') return add.at + TIMING.laneTtl > now;
    return add.prog === ctx.view.programme.id;
  });
  draft.votes = filterRecord(draft.votes, (id) => isVisible(id));
  draft.intents = draft.intents.filter(
    (intent) => facts.outcomes[intent.id] === undefined && now - intent.at < TIMING.outcomeTtl,
  );
  if (draft.player) tidyPlayer(draft.player, now);
}

function tidyPlayer(player: PlayerFact, now: number) {
  player.played = filterRecord(player.played, (_, at) => now - at < TIMING.laneTtl + TIMING.grace);
  player.outcomes = filterRecord(player.outcomes, (_, o) => now - o.at < TIMING.outcomeTtl);
  player.history = player.history.slice(-LIMITS.history);
}
