/**
 * IndexedDB persistence for one Y.Doc, compatible in spirit with y-indexeddb (one database per room,
 * an auto-increment store of binary updates) but with the fixes from research/pwa-anchors.md:
 * - opening writes nothing (y-indexeddb adds a full-state row on every open);
 * - local updates are batched per task into one row, and flushed at once on `pagehide`;
 * - compaction is by bytes and rows and actually runs (merge every row plus this tab's state in one
 *   readwrite transaction, so rows written by another tab meanwhile are never lost).
 */
import * as Y from 'yjs';

const STORE = 'updates';
/** Compact when there are more rows than this... */
const MAX_ROWS = 64;
/** ...or when appended bytes exceed this many times the last compacted size (plus a floor). */
const BYTES_FACTOR = 2;
const BYTES_FLOOR = 64 * 1024;

/** The origin of updates applied from IndexedDB (not stored again). */
export const IDB_ORIGIN = Symbol('idb');

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/** Persists one document in its own IndexedDB database. */
export class DocStore {
  private db: IDBDatabase | null = null;
  private pending: Uint8Array[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private rows = 0;
  private bytes = 0;
  private compactedBytes = 0;
  private compacting = false;
  private closed = false;
  /** Resolves once the stored state has been applied to the document. */
  readonly whenLoaded: Promise<void>;
  /** Rows in the store as this tab last saw them (for diagnostics). */
  get rowCount() {
    return this.rows;
  }
  get storedBytes() {
    return this.bytes;
  }

  constructor(
    readonly name: string,
    readonly doc: Y.Doc,
    private readonly shouldStore: (origin: unknown) => boolean = () => true,
  ) {
    this.whenLoaded = this.open();
    doc.on('update', this.onUpdate);
    addEventListener('pagehide', this.flushNow);
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  private async open() {
    this.db = await this.openDatabase();
    this.db.onversionchange = () => this.db?.close();
    const tx = this.db.transaction(STORE, 'readonly');
    const rows = (await request(tx.objectStore(STORE).getAll())) as Uint8Array[];
    this.rows = rows.length;
    this.bytes = rows.reduce((n, r) => n + r.byteLength, 0);
    this.compactedBytes = rows[0]?.byteLength ?? 0;
    if (rows.length) {
      Y.transact(
        this.doc,
        () => rows.forEach((r) => Y.applyUpdate(this.doc, r)),
        IDB_ORIGIN,
        false,
      );
    }
    if (this.needsCompaction()) void this.compact();
    if (this.pending.length) this.scheduleFlush();
  }

  /** The database, opened here or already being opened by the page's inline script (app.html). */
  private openDatabase(): Promise<IDBDatabase> {
    const warm = (window as { __djammsWarm?: Record<string, Promise<IDBDatabase>> }).__djammsWarm;
    const early = warm?.[this.name];
    if (early) {
      delete warm[this.name];
      return early;
    }
    const open = indexedDB.open(this.name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { autoIncrement: true });
    return request(open);
  }

  private onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === IDB_ORIGIN || this.closed || !this.shouldStore(origin)) return;
    this.pending.push(update);
    this.scheduleFlush();
  };

  private onVisibility = () => {
    if (document.visibilityState === 'hidden') this.flushNow();
  };

  private scheduleFlush() {
    if (this.flushTimer !== null || !this.db) return;
    this.flushTimer = setTimeout(this.flushNow, 0);
  }

  /** Writes batched updates now (also on `pagehide`, so a tab closed after a burst keeps it). */
  readonly flushNow = () => {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.db || !this.pending.length) return;
    const merged = this.pending.length === 1 ? this.pending[0]! : Y.mergeUpdates(this.pending);
    this.pending = [];
    // Relaxed durability commits without waiting for the disk flush, so a write issued just
    // before the tab closes still lands; commit() starts it at once.
    const tx = this.db.transaction(STORE, 'readwrite', { durability: 'relaxed' });
    tx.objectStore(STORE).add(merged);
    tx.commit();
    this.rows += 1;
    this.bytes += merged.byteLength;
    void done(tx).then(() => {
      if (this.needsCompaction()) void this.compact();
    }, console.error);
  };

  private needsCompaction() {
    return (
      this.rows > MAX_ROWS ||
      (this.rows > 1 && this.bytes > BYTES_FACTOR * this.compactedBytes + BYTES_FLOOR)
    );
  }

  /**
   * Replaces every row with one merged update (rows from other tabs included). Not once destroyed:
   * the last flush's row can land after the database is closed; the next open compacts instead.
   */
  async compact(): Promise<void> {
    if (!this.db || this.compacting || this.closed) return;
    this.compacting = true;
    try {
      const tx = this.db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      const [rows, keys] = await Promise.all([
        request(store.getAll()) as Promise<Uint8Array[]>,
        request(store.getAllKeys()),
      ]);
      const merged = Y.mergeUpdates([...rows, Y.encodeStateAsUpdate(this.doc)]);
      const last = keys.at(-1);
      if (last !== undefined) store.delete(IDBKeyRange.upperBound(last));
      store.add(merged);
      await done(tx);
      this.rows = 1;
      this.bytes = this.compactedBytes = merged.byteLength;
    } finally {
      this.compacting = false;
    }
  }

  /** Counts rows on disk (diagnostics and the benchmark). */
  async countRows(): Promise<number> {
    await this.whenLoaded;
    if (!this.db) return 0;
    const n = await request(this.db.transaction(STORE, 'readonly').objectStore(STORE).count());
    this.rows = n;
    return n;
  }

  /** Flushes and stops persisting. */
  destroy() {
    this.flushNow();
    this.closed = true;
    this.doc.off('update', this.onUpdate);
    removeEventListener('pagehide', this.flushNow);
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.db?.close();
  }
}
