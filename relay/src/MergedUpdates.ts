import * as Y from 'yjs';

const FAN_IN = 16;
const TAIL_LIMIT = 64;
const MIDDLE_LIMIT = 16;

/** Merges many updates as a tree of small merges: Y.mergeUpdates sorts all inputs at every step. */
export function mergeAll(updates: readonly Uint8Array[]): Uint8Array {
  let level = [...updates];
  if (level.length === 0) return new Uint8Array([0, 0]);
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
 * A room's state as binary updates, merged in three levels (a tiny log-structured merge): raw
 * recent updates, merged batches of them, and the merged head. Adding an update is O(1); merging
 * work is amortized so that the head (the whole history) is rewritten rarely, not per update.
 */
export class MergedUpdates {
  #head: Uint8Array;
  #middle: Uint8Array[] = [];
  #middleBytes = 0;
  #tail: Uint8Array[] = [];

  constructor(updates: readonly Uint8Array[]) {
    this.#head = mergeAll(updates);
  }

  /** Adds an update; occasionally merges recent ones. */
  push(update: Uint8Array): void {
    this.#tail.push(update);
    if (this.#tail.length < TAIL_LIMIT) return;
    const batch = mergeAll(this.#tail);
    this.#tail = [];
    this.#middle.push(batch);
    this.#middleBytes += batch.byteLength;
    if (this.#middle.length >= MIDDLE_LIMIT || this.#middleBytes > this.#head.byteLength) {
      this.#head = mergeAll([this.#head, ...this.#middle]);
      this.#middle = [];
      this.#middleBytes = 0;
    }
  }

  /** True when everything is merged into one update. */
  get merged(): boolean {
    return this.#middle.length === 0 && this.#tail.length === 0;
  }

  /** Everything as one update (merging what is pending). */
  snapshot(): Uint8Array {
    if (!this.merged) {
      this.#head = mergeAll([this.#head, ...this.#middle, ...this.#tail]);
      this.#middle = [];
      this.#middleBytes = 0;
      this.#tail = [];
    }
    return this.#head;
  }
}
