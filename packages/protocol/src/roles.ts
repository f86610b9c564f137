import { RECORD_JOURNAL_KINDS } from './records';

/**
 * Every role a token can carry. `staff` is a bartender's phone: transport, the queue and requests,
 * but not devices, the volume cap, bans or the guest rules, which stay with admins.
 */
export const ROLES = ['admin', 'staff', 'player', 'kiosk', 'viewer', 'guest'] as const;

/** A device's role in a venue. */
export type Role = (typeof ROLES)[number];

/** Roles an admin can hand out with a pairing code (guests come from the guest link). */
export const PAIRABLE_ROLES = ['admin', 'staff', 'player', 'kiosk', 'viewer'] as const;

/** A role a pairing code may grant. */
export type PairableRole = (typeof PAIRABLE_ROLES)[number];

/** Which document of a venue a room holds. */
export type RoomKind = 'venue' | 'library';

/** What a role may do in a room: read it always, write it sometimes. */
export interface RoomAccess {
  readonly read: true;
  readonly write: boolean;
}

/** True when `value` is one of {@link ROLES}. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `value` is one of {@link PAIRABLE_ROLES}. */
export function isPairableRole(value: unknown): value is PairableRole {
  return typeof value === 'string' && (PAIRABLE_ROLES as readonly string[]).includes(value);
}

/**
 * The access matrix (PROTOCOL.md RP5): admin writes both rooms; staff, player and kiosk write the
 * venue and read the library; viewer and guest only read. Guests change nothing in Yjs: their
 * requests and votes go through the journal.
 */
export function roomAccess(role: Role, kind: RoomKind): RoomAccess {
  if (role === 'admin') return { read: true, write: true };
  if (kind === 'venue' && (role === 'staff' || role === 'player' || role === 'kiosk')) {
    return { read: true, write: true };
  }
  return { read: true, write: false };
}

/** The roles that may append the venue's records, plays and actions: never guests, kiosks or viewers (RP33). */
export const RECORD_WRITERS: readonly Role[] = ['admin', 'staff', 'player'];

/** Journal entry kinds a guest may append (everything else needs a paired device). */
export const GUEST_JOURNAL_KINDS = ['request', 'vote'] as const;

/** True when `role` may append a journal entry of `kind`: records only from RECORD_WRITERS (RP33). */
export function mayAppendJournal(role: Role, kind: string): boolean {
  if (role === 'viewer') return false;
  if ((RECORD_JOURNAL_KINDS as readonly string[]).includes(kind)) {
    return RECORD_WRITERS.includes(role);
  }
  if (role === 'guest') return (GUEST_JOURNAL_KINDS as readonly string[]).includes(kind);
  return true;
}

/** True when `role` may read the venue journal. */
export function mayReadJournal(role: Role): boolean {
  return role !== 'guest';
}
