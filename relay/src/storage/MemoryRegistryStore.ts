import { RegistryRecords } from './RegistryRecords';
import {
  RegistryConflict,
  type RegistryChange,
  type RegistryContents,
  type RegistryStore,
} from './RegistryStore';

type Listener = (changes: readonly RegistryChange[]) => void;

/** The records several in-process nodes share, and each node's listeners. */
interface SharedRegistry {
  readonly records: RegistryRecords;
  readonly nodes: Set<MemoryRegistryStore>;
}

/**
 * The registry in memory, for `--ephemeral` (RP15): gone when the process ends. A store made with
 * another one shares its records as another node would (several relays in one process, as tests
 * run a cluster): each is told of the other's changes, as a store shared through a database is.
 */
export class MemoryRegistryStore implements RegistryStore {
  readonly #shared: SharedRegistry;
  readonly #listeners = new Set<Listener>();

  /** A new registry, or another node's store over the records of `shareWith`. */
  constructor(shareWith?: MemoryRegistryStore) {
    this.#shared = shareWith
      ? shareWith.#shared
      : { records: new RegistryRecords(), nodes: new Set() };
    this.#shared.nodes.add(this);
  }

  async load(): Promise<RegistryContents> {
    return this.#shared.records.contents();
  }

  async apply(changes: readonly RegistryChange[]): Promise<void> {
    const { records, nodes } = this.#shared;
    const conflict = records.conflictIn(changes);
    if (conflict !== null) throw new RegistryConflict(conflict);
    for (const change of changes) records.apply(change);
    for (const node of nodes) {
      if (node === this) continue;
      // told later, as over a network: never inside this call
      for (const listener of node.#listeners) queueMicrotask(() => listener(changes));
    }
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#shared.nodes.delete(this);
  }
}
