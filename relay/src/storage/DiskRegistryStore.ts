import { readFile } from 'node:fs/promises';
import { writeFileDurably } from './durable-file';
import { RegistryRecords } from './RegistryRecords';
import {
  RegistryConflict,
  type DeviceRecord,
  type PairingCodeRecord,
  type RegistryChange,
  type RegistryContents,
  type RegistryStore,
  type VenueRecord,
} from './RegistryStore';

/** `registry.json`, version 1 (the only version so far). */
interface RegistryFile {
  version: 1;
  venues: Record<string, VenueRecord>;
  devices: Record<string, DeviceRecord>;
  pairingCodes: Record<string, PairingCodeRecord>;
}

interface QueuedBatch {
  readonly changes: readonly RegistryChange[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The registry of a single relay as one JSON file, `<data>/registry.json` (0600), rewritten whole
 * and atomically (temp + fsync + rename + directory fsync). Batches that arrive while a write runs
 * go into the next write together (group commit), and each resolves once a write holding it is
 * durable; a failed write changes nothing, not even this store's own image. Single node: its
 * listeners are never called.
 */
export class DiskRegistryStore implements RegistryStore {
  readonly #path: string;
  /** What the file holds. */
  #records = new RegistryRecords();
  #queue: QueuedBatch[] = [];
  #writing: Promise<void> | null = null;

  constructor(path: string) {
    this.#path = path;
  }

  async load(): Promise<RegistryContents> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.#records.contents();
      throw error;
    }
    let file: RegistryFile;
    try {
      file = JSON.parse(text) as RegistryFile;
      if (typeof file?.version !== 'number') throw new Error('no version');
    } catch (error) {
      // every venue and device is in it: the relay does not start on a guess
      throw new Error(
        `${this.#path} is ${text.trim() ? 'damaged' : 'empty'} (${(error as Error).message}): ` +
          'restore it from a backup of the data directory (relay/README.md, Backup and restore)',
      );
    }
    if (file.version !== 1) {
      throw new Error(`${this.#path}: unknown registry version ${String(file.version)}`);
    }
    this.#records = new RegistryRecords({
      venues: Object.values(file.venues ?? {}),
      devices: Object.values(file.devices ?? {}),
      pairingCodes: new Map(Object.entries(file.pairingCodes ?? {})),
    });
    return this.#records.contents();
  }

  apply(changes: readonly RegistryChange[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ changes, resolve, reject });
      // from the next microtask: batches applied in this turn share the write
      this.#writing ??= Promise.resolve().then(() => this.#writeQueued());
    });
  }

  /**
   * Writes everything queued, one file write per round, until the queue is empty. Clears
   * `#writing` in the same turn as it sees the queue empty, so a batch queued by a caller's
   * continuation is never left behind.
   */
  async #writeQueued(): Promise<void> {
    try {
      while (this.#queue.length > 0) await this.#writeRound();
    } finally {
      this.#writing = null;
    }
  }

  /** One file write for every batch queued; a batch that conflicts is refused alone. */
  async #writeRound(): Promise<void> {
    const next = this.#records.clone();
    const written: QueuedBatch[] = [];
    for (const batch of this.#queue.splice(0)) {
      const conflict = next.conflictIn(batch.changes);
      if (conflict !== null) {
        batch.reject(new RegistryConflict(conflict));
        continue;
      }
      for (const change of batch.changes) next.apply(change);
      written.push(batch);
    }
    if (written.length === 0) return;
    try {
      await writeFileDurably(this.#path, serialize(next), 0o600);
    } catch (error) {
      for (const batch of written) batch.reject(error);
      return;
    }
    this.#records = next;
    for (const batch of written) batch.resolve();
  }

  subscribe(_listener: (changes: readonly RegistryChange[]) => void): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    await this.#writing;
  }
}

function serialize(records: RegistryRecords): string {
  const file: RegistryFile = {
    version: 1,
    venues: Object.fromEntries(records.venues),
    devices: Object.fromEntries(records.devices),
    pairingCodes: Object.fromEntries(records.pairingCodes),
  };
  return JSON.stringify(file, null, 1);
}
