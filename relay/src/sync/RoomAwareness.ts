import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
/**
 * Who set a presence entry: a peer of this node, or another node (cluster mode), whose entries
 * have no device here (`deviceId` null) and change only through that node.
 */
export interface AwarenessOwner {
  readonly deviceId: string | null;
}

/** Decodes as the clients' lib0 does: bytes it would refuse (bad UTF-8, a BOM it keeps) fail here. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bounds on a room's presence (RP31), in UTF-8 bytes of each state's JSON. */
export const AWARENESS_LIMITS = {
  /** Client ids one socket may hold states for (a device has one; a few after reconnects). */
  clientsPerPeer: 8,
  /** One state (the player's live position is about 200 bytes). */
  stateBytes: 16 * 1024,
  /** Every state of the room together. */
  roomBytes: 1024 * 1024,
} as const;

interface AwarenessEntry {
  clock: number;
  state: string;
  bytes: number;
  owner: AwarenessOwner;
}

interface AwarenessChange {
  readonly client: number;
  readonly clock: number;
  /** The JSON text, or null when it is larger than a state may be (not parsed). */
  readonly state: string | null;
  readonly bytes: number;
}

const NULL_STATE = 'null';

/**
 * The room's presence states (RP9, RP31): relayed, never persisted. A peer owns the client ids it
 * introduced; entries it sends for ids another device's peer owns are dropped (a device's new
 * socket takes over from its old one, e.g. after a reconnect the relay has not noticed yet); its
 * ids are cleared (state null) when it leaves. Read-only peers publish nothing, and states beyond
 * {@link AWARENESS_LIMITS} are dropped, so presence stays small for every late joiner. Entries
 * relayed from another node are owned by that node (RP32).
 */
export class RoomAwareness {
  readonly #entries = new Map<number, AwarenessEntry>();
  readonly #owned = new Map<AwarenessOwner, number>();
  #bytes = 0;

  /**
   * Applies an awareness update from `peer`, keeping only the entries it may set: none when it may
   * not publish (a read-only socket). Returns the update to relay (as it came when every entry is
   * kept, re-encoded when some were dropped; null if none is left), or throws on a malformed update
   * (RP10: one a client's decoder would refuse, too).
   */
  apply(peer: AwarenessOwner, update: Uint8Array, mayPublish: boolean): Uint8Array | null {
    const changes = decodeAwareness(update);
    if (!mayPublish) return null;
    const kept: AwarenessChange[] = [];
    for (const change of changes) {
      const entry = this.#entries.get(change.client);
      if (entry && entry.owner !== peer && !sameDevice(entry.owner, peer)) continue;
      if (change.state === NULL_STATE) {
        if (entry) this.#remove(change.client, entry);
      } else if (!this.#fits(peer, change, entry)) {
        continue;
      } else {
        if (entry) this.#remove(change.client, entry);
        this.#add(change.client, { ...change, state: change.state as string, owner: peer });
      }
      kept.push(change);
    }
    if (kept.length === changes.length) return update; // all of it: relayed as it came
    return kept.length > 0 ? encodeAwareness(kept) : null;
  }

  /** Every current state, for a peer that just joined or asked; null if there is none. */
  snapshot(ownedBy: (owner: AwarenessOwner) => boolean = () => true): Uint8Array | null {
    const all: AwarenessChange[] = [];
    for (const [client, { clock, state, bytes, owner }] of this.#entries) {
      if (ownedBy(owner)) all.push({ client, clock, state, bytes });
    }
    return all.length > 0 ? encodeAwareness(all) : null;
  }

  /** Removes the ids `peer` owns; returns the removal update to relay, or null. */
  removePeer(peer: AwarenessOwner): Uint8Array | null {
    const removed: AwarenessChange[] = [];
    for (const [client, entry] of this.#entries) {
      if (entry.owner !== peer) continue;
      this.#remove(client, entry);
      removed.push({ client, clock: entry.clock + 1, state: NULL_STATE, bytes: NULL_STATE.length });
    }
    return removed.length > 0 ? encodeAwareness(removed) : null;
  }

  /** Whether `peer` may hold this state within the bounds (RP31), replacing `entry` if any. */
  #fits(peer: AwarenessOwner, change: AwarenessChange, entry: AwarenessEntry | undefined): boolean {
    if (change.state === null) return false;
    const adds = entry?.owner === peer ? 0 : 1;
    if ((this.#owned.get(peer) ?? 0) + adds > AWARENESS_LIMITS.clientsPerPeer) return false;
    return this.#bytes - (entry?.bytes ?? 0) + change.bytes <= AWARENESS_LIMITS.roomBytes;
  }

  #add(client: number, entry: AwarenessEntry): void {
    this.#entries.set(client, entry);
    this.#owned.set(entry.owner, (this.#owned.get(entry.owner) ?? 0) + 1);
    this.#bytes += entry.bytes;
  }

  #remove(client: number, entry: AwarenessEntry): void {
    this.#entries.delete(client);
    const owned = (this.#owned.get(entry.owner) ?? 1) - 1;
    if (owned > 0) this.#owned.set(entry.owner, owned);
    else this.#owned.delete(entry.owner);
    this.#bytes -= entry.bytes;
  }
}

/** A device's new socket may take over its old one's entries; another node's never are. */
function sameDevice(a: AwarenessOwner, b: AwarenessOwner): boolean {
  return a.deviceId !== null && a.deviceId === b.deviceId;
}

/** Decodes an update; states larger than a state may be are measured but not parsed. */
function decodeAwareness(update: Uint8Array): AwarenessChange[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const changes: AwarenessChange[] = [];
  for (let i = 0; i < count; i++) {
    const client = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const raw = decoding.readVarUint8Array(decoder);
    let state: string | null = null;
    if (raw.byteLength <= AWARENESS_LIMITS.stateBytes) {
      state = utf8.decode(raw);
      JSON.parse(state);
    }
    changes.push({ client, clock, state, bytes: raw.byteLength });
  }
  if (decoding.hasContent(decoder)) throw new Error('trailing bytes after awareness update');
  return changes;
}

function encodeAwareness(changes: readonly AwarenessChange[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, changes.length);
  for (const { client, clock, state } of changes) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, state ?? NULL_STATE);
  }
  return encoding.toUint8Array(encoder);
}
