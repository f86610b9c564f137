import * as Y from 'yjs';
import type { Logger } from '../ops/logger';

const FAN_IN = 16;
/**
 * Merge at once beyond these. Merging costs about the size of the whole state, so merging per
 * update (or per quiet moment of a room written every second) made merges the relay's largest cost
 * with a thousand busy venues; 256 small updates wait in a few tens of KiB.
 */
const MAX_UNMERGED = 256;
const MAX_UNMERGED_BYTES = 1024 * 1024;

/**
 * States up to this size are merged through a transient Y.Doc (faster for many small updates, and
 * garbage-collected); larger ones with Y.mergeUpdates, which keeps structs apart so that large sync
 * answers can be sent in pieces (a piece is at least one struct).
 */
const SMALL_STATE_BYTES = 1024 * 1024;

/**
 * A transient document for merging. Its guid is fixed: a random one costs 31 calls to the system's
 * random source, which was a third of the relay's merge time.
 */
const transientDoc = () => new Y.Doc({ gc: true, guid: 'relay-merge' });

/** The update that holds nothing. */
const EMPTY = new Uint8Array([0, 0]);

/**
 * Told of a stored update that Yjs cannot merge (RP10 refuses such an update now; one stored
 * before it did, or damaged since, must not keep its room from loading): the merge left it out.
 */
export type UnreadableUpdate = (update: Uint8Array, error: unknown) => void;

/** An {@link UnreadableUpdate} logging it as `room-update-unreadable` (relay README). */
export function logUnreadable(logger: Logger, room: string): UnreadableUpdate {
  return (update, error) =>
    logger.log('error', 'room-update-unreadable', {
      room,
      bytes: update.byteLength,
      error: String(error),
    });
}

/**
 * Merges updates through one transaction of a transient document, dropping deleted content; as
 * {@link mergeAll} if the document cannot take them (Yjs deletes nested types by recursion).
 */
function mergeCollecting(updates: readonly Uint8Array[], unreadable: UnreadableUpdate): Uint8Array {
  const doc = transientDoc();
  try {
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update);
    });
    return Y.encodeStateAsUpdate(doc);
  } catch {
    return mergeAll(updates, unreadable);
  } finally {
    doc.destroy();
  }
}

/**
 * Merges many updates as a tree of small merges (Y.mergeUpdates sorts all inputs at every step).
 * If that throws, merges them one at a time and leaves out, telling `unreadable`, each that Yjs
 * cannot merge: the rest of the room loads.
 */
export function mergeAll(updates: readonly Uint8Array[], unreadable: UnreadableUpdate): Uint8Array {
  try {
    return mergeTree(updates);
  } catch {
    let merged: Uint8Array = EMPTY;
    for (const update of updates) {
      try {
        merged = Y.mergeUpdates([merged, update]);
      } catch (error) {
        unreadable(update, error);
      }
    }
    return merged;
  }
}

function mergeTree(updates: readonly Uint8Array[]): Uint8Array {
  let level = [...updates];
  if (level.length === 0) return EMPTY;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += FAN_IN) {
      const group = level.slice(i, i + FAN_IN);
      next.push(group.length === 1 ? (group[0] as Uint8Array) : Y.mergeUpdates(group));
    }
    level = next;
  }
  return level[0] as Uint8Array;
}

/**
 * A room's state as binary updates: one merged head plus the updates received since. Adding an
 * update costs nothing; merging happens when the merged state is needed (a peer joins, the room
 * compacts or unloads) or at once past a bound. The relay keeps no document:
 * a small state is merged through a transient Y.Doc that is destroyed at once.
 */
export class MergedUpdates {
  #head: Uint8Array;
  #tail: Uint8Array[] = [];
  #tailBytes = 0;
  readonly #unreadable: UnreadableUpdate;

  constructor(updates: readonly Uint8Array[], unreadable: UnreadableUpdate) {
    this.#unreadable = unreadable;
    this.#head = mergeAll(updates, unreadable);
  }

  /** Adds an update; merges only past the size bound. */
  push(update: Uint8Array): void {
    this.#tail.push(update);
    this.#tailBytes += update.byteLength;
    if (this.#tail.length > MAX_UNMERGED || this.#tailBytes > MAX_UNMERGED_BYTES) this.snapshot();
  }

  /** True when everything is merged into one update. */
  get merged(): boolean {
    return this.#tail.length === 0;
  }

  /** Everything as one update (merging what is pending). */
  snapshot(): Uint8Array {
    if (this.#tail.length > 0) {
      const parts = [this.#head, ...this.#tail];
      const small = this.#head.byteLength + this.#tailBytes <= SMALL_STATE_BYTES;
      this.#head = small
        ? mergeCollecting(parts, this.#unreadable)
        : mergeAll(parts, this.#unreadable);
      this.#tail = [];
      this.#tailBytes = 0;
    }
    return this.#head;
  }

  /**
   * Replaces the merged state with an equivalent, smaller encoding (see {@link collectGarbage}).
   * Only valid when nothing arrived since {@link snapshot}: callers do both synchronously.
   */
  replaceMerged(equivalent: Uint8Array): void {
    if (this.#tail.length > 0) throw new Error('updates arrived since the snapshot');
    this.#head = equivalent;
  }
}

/** Largest merged state that compaction garbage-collects (a transient Y.Doc costs ~10× its size). */
export const GC_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Drops the content of deleted items, as every client does (Yjs GC): Y.mergeUpdates keeps each
 * overwritten value forever, so a venue document that changes "now playing" a thousand times
 * would otherwise be served to new devices with all thousand values. Uses a transient document
 * that is destroyed at once (the relay keeps none resident). Clocks, state vectors and pending
 * structs are unchanged. A state the document cannot take (Yjs deletes nested types by
 * recursion) is returned as it is.
 */
export function collectGarbage(merged: Uint8Array): Uint8Array {
  const doc = transientDoc();
  try {
    Y.applyUpdate(doc, merged);
    const compacted = Y.encodeStateAsUpdate(doc);
    return compacted.byteLength < merged.byteLength ? compacted : merged;
  } catch {
    return merged;
  } finally {
    doc.destroy();
  }
}
