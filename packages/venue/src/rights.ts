/**
 * What each role may state in a venue document (VM17): the one table both sides use. An operation is
 * refused when the facts it would write are outside the writer's rights, and facts outside their
 * holder's rights are ignored (and reported) on read, so a misbehaving app cannot do more than its
 * role whatever bytes it writes.
 */
import type { AddFact, WriterRole } from './schema';

/** The rights of one role. */
export interface Rights {
  /** Register keys the role may hold (`set:volume`, `rm:<entry>`, `prog`…), or none. */
  registers: RegExp | null;
  /** `any` entry, only guest requests (`guest`), or none. */
  adds: 'any' | 'guest' | 'none';
  /** Guests' likes of a request. */
  votes: boolean;
  /** Transport intents for the player. */
  intents: boolean;
  /** Playback, lease, heartbeats, outcomes and the other facts only a player writes. */
  player: boolean;
}

/**
 * The table. Staff (a bartender's phone) run transport, the queue, requests and the sound, but not
 * the volume cap, bans, schedules, devices or the guest rules, which stay with admins. A player holds what a schedule sets (the programme, the volume) and removals, and
 * relays guests' requests and votes from the journal; a kiosk states guest requests and votes; a
 * viewer states nothing. Admins may hold votes so that they can fold a gone kiosk's (VM24).
 */
export const RIGHTS: Readonly<Record<WriterRole, Rights>> = {
  admin: { registers: /^/, adds: 'any', votes: true, intents: true, player: false },
  staff: {
    registers:
      /^(prog|rm:.+|pos:.+|set:(volume|muted|crossfadeSeconds|shuffle|repeat|eq|compressor))$/,
    adds: 'any',
    votes: true,
    intents: true,
    player: false,
  },
  player: {
    registers: /^(prog|rm:.+|set:volume)$/,
    adds: 'guest',
    votes: true,
    intents: false,
    player: true,
  },
  kiosk: { registers: null, adds: 'guest', votes: true, intents: false, player: false },
  viewer: { registers: null, adds: 'none', votes: false, intents: false, player: false },
};

/** True when `role` may hold register `key`. */
export function mayHoldRegister(role: WriterRole, key: string): boolean {
  return RIGHTS[role].registers?.test(key) ?? false;
}

/** True when `role` may change setting `name` (what a screen offers; the model enforces it on read). */
export function mayChangeSetting(role: WriterRole, name: string): boolean {
  return mayHoldRegister(role, `set:${name}`);
}

/** True when `role` may send transport intents (VM2). */
export function maySendIntents(role: WriterRole): boolean {
  return RIGHTS[role].intents;
}

/** True when `role` may state `add`. */
export function mayAdd(role: WriterRole, add: Pick<AddFact, 'lane' | 'guest'>): boolean {
  const right = RIGHTS[role].adds;
  return right === 'any' || (right === 'guest' && add.lane === 'priority' && !!add.guest);
}
