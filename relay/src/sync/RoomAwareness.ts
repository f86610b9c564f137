import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
/**
 * Who set a presence entry: a peer of this node, or another node (cluster mode), whose entries
 * have no device here (`deviceId` null) and change only through that node.
 */
export interface AwarenessOwner {
  readonly deviceId: string | null;
}

interface AwarenessEntry {
  clock: number;
  state: string;
  owner: AwarenessOwner;
}

interface AwarenessChange {
  readonly client: number;
  readonly clock: number;
  readonly state: string;
}

/**
 * The room's presence states (RP9): relayed, never persisted. A peer owns the client ids it
 * introduced; entries it sends for ids another device's peer owns are dropped (a device's new
 * socket takes over from its old one, e.g. after a reconnect the relay has not noticed yet); its
 * ids are cleared (state null) when it leaves. Entries relayed from another node are owned by that
 * node (RP29).
 */
export class RoomAwareness {
  readonly #entries = new Map<number, AwarenessEntry>();

  /**
   * Applies an awareness update from `peer`, keeping only the entries it may set. Returns the
   * re-encoded update to relay (null if nothing is left), or throws on a malformed update.
   */
  apply(peer: AwarenessOwner, update: Uint8Array): Uint8Array | null {
    const kept: AwarenessChange[] = [];
    for (const change of decodeAwareness(update)) {
      const entry = this.#entries.get(change.client);
      if (entry && entry.owner !== peer && !sameDevice(entry.owner, peer)) continue;
      if (change.state === 'null') this.#entries.delete(change.client);
      else
        this.#entries.set(change.client, { clock: change.clock, state: change.state, owner: peer });
      kept.push(change);
    }
    return kept.length > 0 ? encodeAwareness(kept) : null;
  }

  /** Every current state, for a peer that just joined or asked; null if there is none. */
  snapshot(): Uint8Array | null {
    if (this.#entries.size === 0) return null;
    const all: AwarenessChange[] = [];
    for (const [client, { clock, state }] of this.#entries) all.push({ client, clock, state });
    return encodeAwareness(all);
  }

  /** Removes the ids `peer` owns; returns the removal update to relay, or null. */
  removePeer(peer: AwarenessOwner): Uint8Array | null {
    const removed: AwarenessChange[] = [];
    for (const [client, entry] of this.#entries) {
      if (entry.owner !== peer) continue;
      this.#entries.delete(client);
      removed.push({ client, clock: entry.clock + 1, state: 'null' });
    }
    return removed.length > 0 ? encodeAwareness(removed) : null;
  }
}

/** A device's new socket may take over its old one's entries; another node's never are. */
function sameDevice(a: AwarenessOwner, b: AwarenessOwner): boolean {
  return a.deviceId !== null && a.deviceId === b.deviceId;
}

function decodeAwareness(update: Uint8Array): AwarenessChange[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const changes: AwarenessChange[] = [];
  for (let i = 0; i < count; i++) {
    const client = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state = decoding.readVarString(decoder);
    JSON.parse(state);
    changes.push({ client, clock, state });
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
    encoding.writeVarString(encoder, state);
  }
  return encoding.toUint8Array(encoder);
}
