import type { PairableRole, Role } from '@djamms/protocol';

/** A venue as the relay knows it. */
export interface VenueRecord {
  readonly id: string;
  readonly name: string;
  readonly libraryId: string;
  readonly created: number;
  /** The current guest-link key (RP7); rotating it revokes every guest token it issued. */
  readonly guestKey: string | null;
}

/** A paired device (including the venue's first admin, the "owner"). */
export interface DeviceRecord {
  readonly id: string;
  readonly venueId: string;
  readonly role: Role;
  readonly name: string;
  readonly paired: number;
  readonly lastSeen: number | null;
  readonly revoked: boolean;
}

/** An unused pairing code (RP6). */
export interface PairingCodeRecord {
  readonly venueId: string;
  readonly role: PairableRole;
  readonly name: string;
  readonly expiresAt: number;
}

/** Everything a registry holds, as a store loads it. */
export interface RegistryContents {
  readonly venues: readonly VenueRecord[];
  readonly devices: readonly DeviceRecord[];
  readonly pairingCodes: ReadonlyMap<string, PairingCodeRecord>;
}

/**
 * One record-level change. Each names the field it changes rather than carrying a whole record, so
 * nodes sharing a store never undo each other: a `device-seen` from one node cannot clear a
 * revocation made on another. Creations are insert-only and `revoked` and `lastSeen` only move
 * forward, so a change applied twice, or after a later one, changes nothing. A guest key and a
 * device's name are the last one committed: every node applies batches in commit order (RP41).
 */
export type RegistryChange =
  | { readonly kind: 'venue-created'; readonly venue: VenueRecord }
  | { readonly kind: 'guest-key-set'; readonly venueId: string; readonly guestKey: string }
  | { readonly kind: 'device-paired'; readonly device: DeviceRecord }
  | { readonly kind: 'device-revoked'; readonly deviceId: string }
  | { readonly kind: 'device-renamed'; readonly deviceId: string; readonly name: string }
  | { readonly kind: 'device-seen'; readonly deviceId: string; readonly lastSeen: number }
  | {
      readonly kind: 'pairing-code-created';
      readonly code: string;
      readonly record: PairingCodeRecord;
    }
  /** Single use: the batch applies only if the code is still there (see {@link RegistryConflict}). */
  | { readonly kind: 'pairing-code-redeemed'; readonly code: string }
  /** Expired or found unusable: removed if present. */
  | { readonly kind: 'pairing-code-dropped'; readonly code: string };

/**
 * A batch was refused because it redeems a pairing code that is gone (redeemed by another request,
 * perhaps on another node). Nothing of the batch was applied.
 */
export class RegistryConflict extends Error {
  constructor(readonly code: string) {
    super('pairing code already used');
    this.name = 'RegistryConflict';
  }
}

/**
 * Where the registry (RP6, RP7) persists: the `Registry` keeps the rules and an in-memory index
 * for its synchronous lookups and hands every change here as a batch. A store shared by several
 * relay nodes (cluster mode) reports the changes other nodes made through {@link subscribe}; a
 * single-node store never calls its listeners. Every implementation passes
 * registry-store-contract.ts.
 */
export interface RegistryStore {
  /** Everything stored. Throws when the stored data cannot be read (the relay must not start). */
  load(): Promise<RegistryContents>;
  /**
   * Applies a batch atomically, in order, resolving once it is durable. Rejects with
   * {@link RegistryConflict} (applying nothing) when it redeems a pairing code that is gone. A
   * shared store calls the listeners with every batch another node committed before this one
   * before it resolves, and with none committed after: the caller applying its own batch then
   * applies every batch in the order the store did.
   */
  apply(changes: readonly RegistryChange[]): Promise<void>;
  /** Calls `listener` with each batch another node applied; returns the way to stop. */
  subscribe(listener: (changes: readonly RegistryChange[]) => void): () => void;
  /**
   * A shared store: reads the batches other nodes applied that this node has not heard of yet,
   * calling the listeners before it resolves (a token minted a moment ago on another node is then
   * known here). A single-node store has none.
   */
  catchUp?(): Promise<void>;
  /** The relay is stopping and no more batches will come. */
  close(): Promise<void>;
}
