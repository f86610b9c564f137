/**
 * Merging the ledgers of a venue into one set of facts. Every replica that holds the same ledgers
 * computes the same facts for the same `now` (VM19): nothing here depends on delivery order or on
 * Yjs client ids. `now` matters in one place only: a stamp more than {@link TIMING.maxAhead} past it
 * is not counted yet (VM25), so a device whose clock reads the far future decides nothing.
 */
import { hlcWall, hlcWriter, type Hlc } from './hlc';
import { factsOf } from './ledger';
import { mayAdd, mayHoldRegister, RIGHTS } from './rights';
import {
  TIMING,
  type AddFact,
  type GuestOutcomeFact,
  type IntentFact,
  type Ledger,
  type OutcomeFact,
  type PlayedFact,
  type Fact,
  type FailureFact,
  type RegisterFact,
  type VoteFact,
} from './schema';
import type { Problem } from './validate';

/** An add with its entry id and who added it (from its stamp, so it survives folding, VM24). */
export interface MergedAdd extends AddFact {
  id: string;
  by: string;
}

/** The winning value of a register, and the writer whose log holds it. */
export interface MergedRegister extends RegisterFact {
  holder: string;
}

/** An intent with its id and sender. */
export interface MergedIntent extends IntentFact {
  id: string;
  by: string;
}

/** Everything the ledgers say, merged. */
export interface VenueFacts {
  /** Every readable ledger, by writer id. */
  ledgers: Ledger[];
  registers: Map<string, MergedRegister>;
  /** Entries with a removal fact (`rm:<id>`, VM10). */
  removed: Set<string>;
  /** Position registers by entry id (`pos:<id>`, VM9). */
  moves: Map<string, MergedRegister>;
  adds: ReadonlyMap<string, MergedAdd>;
  votes: Map<string, Set<string>>;
  intents: MergedIntent[];
  /** Ledgers of players. */
  players: Ledger[];
  /** The player holding the lease with the highest epoch (VM3), if any. */
  active: Ledger | null;
  /**
   * Lane entries any player has started, and when (VM4). A union, so a request played by a player
   * cut off from the others never comes back when they merge.
   */
  played: ReadonlyMap<string, PlayedFact>;
  /** Intent outcomes recorded by any player, the active player's first (VM2). */
  outcomes: ReadonlyMap<string, OutcomeFact>;
  /** What became of guests' journal entries, the active player's word first. */
  guestOutcomes: ReadonlyMap<string, GuestOutcomeFact>;
  /** Tracks players could not play, by track (the latest report). */
  failed: ReadonlyMap<string, FailureFact>;
  /** Devices an admin revoked (`rev:<device>`, VM24). */
  revoked: Set<string>;

  /** The newest stamp counted: the next local stamp comes after it (VM5). */
  latest: Hlc | null;
  /** When the earliest fact not counted for being from the future starts to count. */
  revealAt: number;
  problems: Problem[];
}

/**
 * What one ledger says, judged alone: the facts its role may state, stamped no further ahead than
 * allowed. Cached until the ledger changes or a fact it holds back starts to count; a writer's own
 * write updates it fact by fact ({@link refreshContribution}).
 */
interface Contribution {
  version: number;
  /** Valid for a `now` from `since` (inclusive) until `revealAt` (exclusive). */
  since: number;
  revealAt: number;
  registers: Map<string, MergedRegister>;
  adds: Map<string, MergedAdd>;
  votes: Map<string, VoteFact>;
  intents: Map<string, MergedIntent>;
  /** Problems by the key of the fact they are about. */
  problems: Map<string, Problem>;
  latest: Hlc | null;
}

const contributions = new WeakMap<Ledger, Contribution>();

/** Judges one fact of `ledger` into `c` (or removes what a dropped fact said). */
function judge(c: Contribution, ledger: Ledger, k: string, fact: Fact | null, now: number) {
  const colon = k.indexOf(':');
  const id = k.slice(colon + 1);
  const kind = colon < 0 ? k : k.slice(0, colon);
  const role = ledger.me.role;
  const where = `writers.${ledger.w}`;
  c.problems.delete(k);
  const refuse = (what: string) =>
    c.problems.set(k, { where, what: `${what} not allowed for ${role}` });
  const counts = (h: Hlc, at: number, what: string) => {
    const wall = Math.max(hlcWall(h), at);
    if (wall <= now + TIMING.maxAhead) {
      if (!c.latest || h > c.latest) c.latest = h;
      return true;
    }
    c.revealAt = Math.min(c.revealAt, wall - TIMING.maxAhead);
    c.problems.set(k, { where, what: `${what} is stamped in the future, not counted yet` });
    return false;
  };
  switch (kind) {
    case 'r': {
      c.registers.delete(id);
      const reg = fact as RegisterFact | null;
      if (!reg) return;
      if (!mayHoldRegister(role, id)) refuse(`register ${id}`);
      else if (counts(reg.h, 0, `register ${id}`)) c.registers.set(id, merged(reg, ledger.w));
      return;
    }
    case 'a': {
      c.adds.delete(id);
      const add = fact as AddFact | null;
      if (!add) return;
      if (!mayAdd(role, add)) refuse(`add ${id}`);
      else if (counts(add.h, add.at, `add ${id}`)) c.adds.set(id, mergedAdd(add, id));
      return;
    }
    case 'v':
      c.votes.delete(id);
      if (!fact) return;
      if (!RIGHTS[role].votes) refuse('votes');
      else c.votes.set(id, fact as VoteFact);
      return;
    case 'i': {
      c.intents.delete(id);
      const intent = fact as IntentFact | null;
      if (!intent) return;
      if (!RIGHTS[role].intents) refuse(`intent ${id}`);
      else if (counts(intent.h, intent.at, `intent ${id}`)) {
        c.intents.set(id, { ...intent, id, by: ledger.w });
      }
      return;
    }
    case 'beat':
    case 'play':
    case 'lease':
      if (fact && !RIGHTS[role].player) refuse('playback');
  }
}

/** What `ledger` says at `now` (cached). */
function contributionOf(ledger: Ledger, now: number): Contribution {
  const known = contributions.get(ledger);
  if (known?.version === ledger.version && now >= known.since && now < known.revealAt) return known;
  const c: Contribution = {
    version: ledger.version,
    since: now,
    revealAt: Infinity,
    registers: new Map(),
    adds: new Map(),
    votes: new Map(),
    intents: new Map(),
    problems: new Map(),
    latest: null,
  };
  for (const fact of factsOf(ledger)) judge(c, ledger, fact.k, fact, now);
  contributions.set(ledger, c);
  return c;
}

/**
 * Brings the cached contribution of `ledger` up to date after the writer's own write changed the
 * facts in `changes` (by key), instead of judging the whole ledger again. Nothing is cached (or the
 * writer's role changed): the next read judges it whole.
 */
export function refreshContribution(
  ledger: Ledger,
  changes: ReadonlyMap<string, Fact | null>,
  now: number,
) {
  const c = contributions.get(ledger);
  if (!c || c.version !== ledger.version - 1 || now < c.since || now >= c.revealAt) return;
  if (changes.has('me')) return;
  for (const [k, fact] of changes) judge(c, ledger, k, fact, now);
  c.version = ledger.version;
  // Judged at `now`: what counts then may not count earlier.
  c.since = now;
}

/** Merges well-formed ledgers at `now`, dropping (and reporting) facts a role may not state. */
export function mergeLedgers(ledgers: Ledger[], now: number, problems: Problem[]): VenueFacts {
  const facts: VenueFacts = {
    ledgers,
    registers: new Map(),
    removed: new Set(),
    moves: new Map(),
    adds: new Map(),
    votes: new Map(),
    intents: [],
    players: [],
    active: null,
    played: new Map(),
    outcomes: new Map(),
    guestOutcomes: new Map(),
    failed: new Map(),
    revoked: new Set(),
    latest: null,
    revealAt: Infinity,
    problems,
  };
  const parts = ledgers.map((ledger) => contributionOf(ledger, now));
  // Most venues have one writer of adds: its map serves as it is.
  const adding = parts.filter((c) => c.adds.size > 0);
  if (adding.length === 1) facts.adds = adding[0]!.adds;
  ledgers.forEach((ledger, i) => {
    const c = parts[i]!;
    // In key order, whichever way the contribution was made.
    const found = [...c.problems].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [, problem] of found) problems.push(problem);
    if (c.latest && (!facts.latest || c.latest > facts.latest)) facts.latest = c.latest;
    facts.revealAt = Math.min(facts.revealAt, c.revealAt);
    for (const [key, reg] of c.registers) {
      const known = facts.registers.get(key);
      if (!known || reg.h > known.h || (reg.h === known.h && ledger.w > known.holder)) {
        facts.registers.set(key, reg);
      }
    }
    if (adding.length > 1) {
      for (const [id, add] of c.adds) {
        const known = facts.adds.get(id);
        if (!known || add.h > known.h) (facts.adds as Map<string, MergedAdd>).set(id, add);
      }
    }
    for (const [entry, vote] of c.votes) {
      const set = facts.votes.get(entry) ?? new Set<string>();
      for (const guest of vote.g) set.add(guest);
      facts.votes.set(entry, set);
    }
    facts.intents.push(...c.intents.values());
    if (RIGHTS[ledger.me.role].player) facts.players.push(ledger);
  });
  for (const [key, reg] of facts.registers) {
    if (key.startsWith('rm:')) facts.removed.add(key.slice(3));
    else if (key.startsWith('pos:')) facts.moves.set(key.slice(4), reg);
    else if (key.startsWith('rev:') && reg.v === true) facts.revoked.add(key.slice(4));
  }
  // A revoked holder's lease is void: no one plays until another player claims it (VM3).
  const holder = leaseHolder(facts.players);
  facts.active = holder && !facts.revoked.has(holder.me.dev) ? holder : null;
  facts.played = unionOf(
    facts.players,
    (p) => p.played,
    (a, b) => (a.at <= b.at ? a : b),
  );
  const first = facts.active;
  facts.outcomes = unionOf(
    facts.players,
    (p) => p.outcomes,
    (a) => a,
    first,
  );
  facts.failed = unionOf(
    facts.players,
    (p) => p.failed,
    (a, b) => (a.at >= b.at ? a : b),
  );
  facts.guestOutcomes = unionOf(
    facts.players,
    (p) => p.guest,
    (a) => a,
    first,
  );
  return facts;
}

/**
 * One map of what several players recorded (played requests, outcomes): `pick` settles two records
 * of one id, `first`'s records win outright. With a single player recording, its own map serves.
 */
function unionOf<T>(
  players: Ledger[],
  record: (p: Ledger) => ReadonlyMap<string, T>,
  pick: (a: T, b: T) => T,
  first?: Ledger | null,
): ReadonlyMap<string, T> {
  const holding = players.filter((p) => record(p).size > 0);
  if (holding.length === 1) return record(holding[0]!);
  const union = new Map<string, T>();
  for (const player of holding) {
    for (const [id, item] of record(player)) {
      const known = union.get(id);
      union.set(id, known === undefined ? item : pick(known, item));
    }
  }
  if (first) for (const [id, item] of record(first)) union.set(id, item);
  return union;
}

const mergedRegisters = new WeakMap<RegisterFact, MergedRegister>();
const mergedAdds = new WeakMap<AddFact, MergedAdd>();

/** A register with its holder (made once per stored fact: a fact belongs to one writer's log). */
function merged(reg: RegisterFact, holder: string): MergedRegister {
  let known = mergedRegisters.get(reg);
  if (known?.holder !== holder) {
    mergedRegisters.set(reg, (known = { k: reg.k, v: reg.v, h: reg.h, holder }));
  }
  return known;
}

/** An add with its id and adder (made once per stored fact). */
function mergedAdd(add: AddFact, id: string): MergedAdd {
  let known = mergedAdds.get(add);
  if (!known) {
    // One literal with every field, so all merged adds share one shape (spreads do not).
    known = {
      k: add.k,
      lane: add.lane,
      prog: add.prog,
      track: add.track,
      key: add.key,
      h: add.h,
      at: add.at,
      guest: add.guest,
      kiosk: add.kiosk,
      id,
      by: hlcWriter(add.h),
    };
    mergedAdds.set(add, known);
  }
  return known;
}

/** The lease holder: highest epoch, ties broken by writer id (VM3). */
export function leaseHolder(players: Ledger[]): Ledger | null {
  let best: Ledger | null = null;
  for (const player of players) {
    const lease = player.lease;
    if (!lease) continue;
    const bestEpoch = best?.lease?.epoch ?? -1;
    if (lease.epoch > bestEpoch || (lease.epoch === bestEpoch && player.w > best!.w)) {
      best = player;
    }
  }
  return best;
}
