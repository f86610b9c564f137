/**
 * Merging the ledgers of a venue into one set of facts (time-independent). Every replica that holds
 * the same ledgers computes the same facts (VM19): nothing here depends on delivery order or on Yjs
 * client ids.
 */
import type { Hlc } from './hlc';
import type {
  AddFact,
  IntentFact,
  LedgerFact,
  OutcomeFact,
  PlayerFact,
  RegisterFact,
  Role,
} from './schema';
import type { Problem } from './validate';

/** An add with where it came from. */
export interface MergedAdd extends AddFact {
  id: string;
  /** Writer id of the ledger that holds it. */
  by: string;
}

/** A register with the writer that holds the winning value. */
export interface MergedRegister extends RegisterFact {
  by: string;
}

/** An intent with its sender. */
export interface MergedIntent extends IntentFact {
  by: string;
}

/** A player ledger's state. */
export interface PlayerLedger {
  writer: string;
  device: string;
  name: string;
  fact: PlayerFact;
}

/** Everything the ledgers say, merged. */
export interface VenueFacts {
  registers: Map<string, MergedRegister>;
  /** Entries with a removal fact (`rm:<id>`, VM10). */
  removed: Set<string>;
  /** Position registers by entry id (`pos:<id>`, VM9). */
  moves: Map<string, MergedRegister>;
  adds: Map<string, MergedAdd>;
  votes: Map<string, Set<string>>;
  intents: MergedIntent[];
  players: PlayerLedger[];
  /** The player holding the lease with the highest epoch (VM3), if any. */
  active: PlayerLedger | null;
  /**
   * Lane entries any player has started, and when (VM4). A union, so a request played by a player
   * cut off from the others never comes back when they merge.
   */
  played: Record<string, number>;
  /** Intent outcomes recorded by any player, the active player's first (VM2). */
  outcomes: Record<string, OutcomeFact>;
  /** Every stamp the ledgers carry, for the next local stamp (VM5). */
  stamps: Hlc[];
  problems: Problem[];
}

/** Which facts each role may state (VM17). Facts outside a role's rights are ignored on read. */
const RIGHTS: Record<
  Role,
  { regs: RegExp | null; adds: 'any' | 'guest' | 'none'; intents: boolean }
> = {
  admin: { regs: /.*/, adds: 'any', intents: true },
  player: { regs: /^(prog|rm:.*|set:volume)$/, adds: 'guest', intents: false },
  kiosk: { regs: null, adds: 'guest', intents: false },
  viewer: { regs: null, adds: 'none', intents: false },
};

function mayAdd(role: Role, add: AddFact): boolean {
  const right = RIGHTS[role].adds;
  return right === 'any' || (right === 'guest' && add.lane === 'priority' && !!add.guest);
}

/** Merges well-formed ledgers into facts, dropping (and reporting) facts a role may not state. */
export function mergeLedgers(ledgers: LedgerFact[], problems: Problem[]): VenueFacts {
  const facts: VenueFacts = {
    registers: new Map(),
    removed: new Set(),
    moves: new Map(),
    adds: new Map(),
    votes: new Map(),
    intents: [],
    players: [],
    active: null,
    played: {},
    outcomes: {},
    stamps: [],
    problems,
  };
  const refuse = (ledger: LedgerFact, what: string) =>
    problems.push({ where: `ledgers.${ledger.w}`, what: `${what} not allowed for ${ledger.role}` });
  for (const ledger of ledgers) {
    const rights = RIGHTS[ledger.role];
    facts.stamps.push(ledger.h);
    for (const [key, reg] of Object.entries(ledger.regs)) {
      if (!rights.regs?.test(key)) {
        refuse(ledger, `register ${key}`);
        continue;
      }
      facts.stamps.push(reg.h);
      const known = facts.registers.get(key);
      if (!known || reg.h > known.h) facts.registers.set(key, { ...reg, by: ledger.w });
    }
    for (const [id, add] of Object.entries(ledger.adds)) {
      if (!mayAdd(ledger.role, add)) {
        refuse(ledger, `add ${id}`);
        continue;
      }
      const known = facts.adds.get(id);
      if (!known || add.h > known.h) facts.adds.set(id, { ...add, id, by: ledger.w });
    }
    if (ledger.role === 'kiosk' || ledger.role === 'player') {
      for (const [entry, guests] of Object.entries(ledger.votes)) {
        const set = facts.votes.get(entry) ?? new Set<string>();
        for (const guest of guests) set.add(guest);
        facts.votes.set(entry, set);
      }
    }
    if (rights.intents) {
      for (const intent of ledger.intents) facts.intents.push({ ...intent, by: ledger.w });
    }
    if (ledger.player && ledger.role === 'player') {
      facts.players.push({
        writer: ledger.w,
        device: ledger.dev,
        name: ledger.name,
        fact: ledger.player,
      });
    }
  }
  for (const [key, reg] of facts.registers) {
    if (key.startsWith('rm:')) facts.removed.add(key.slice(3));
    else if (key.startsWith('pos:')) facts.moves.set(key.slice(4), reg);
  }
  facts.active = leaseHolder(facts.players);
  for (const player of facts.players) {
    for (const [id, at] of Object.entries(player.fact.played)) {
      facts.played[id] = Math.min(at, facts.played[id] ?? at);
    }
    Object.assign(facts.outcomes, player.fact.outcomes);
  }
  Object.assign(facts.outcomes, facts.active?.fact.outcomes);
  return facts;
}

/** The lease holder: highest epoch, ties broken by writer id (VM3). */
export function leaseHolder(players: PlayerLedger[]): PlayerLedger | null {
  let best: PlayerLedger | null = null;
  for (const player of players) {
    const lease = player.fact.lease;
    if (!lease) continue;
    const bestEpoch = best?.fact.lease?.epoch ?? -1;
    if (lease.epoch > bestEpoch || (lease.epoch === bestEpoch && player.writer > best!.writer)) {
      best = player;
    }
  }
  return best;
}
