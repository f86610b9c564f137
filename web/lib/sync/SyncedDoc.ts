/**
 * One Y.Doc with everything that keeps it: IndexedDB first (the UI renders from it before any
 * network), other tabs through BroadcastChannel, and the relay.
 */
import { createStore, get, set, type UseStore } from 'idb-keyval';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { DocStore } from './DocStore';
import { RelayLink, type LinkState } from './RelayLink';
import { TabChannel } from './TabChannel';

let vectors: UseStore | undefined;
const vectorStore = () => (vectors ??= createStore('djamms-relay-vectors', 'keyval'));

/** The relay's state vector as last acknowledged, and when (kept across reloads). */
interface SavedVector {
  vector: Uint8Array;
  at: number | null;
}

export interface RelayOptions {
  relay: string;
  token: string;
  readOnly: boolean;
  busy(): boolean;
  onLink(state: LinkState): void;
}

export class SyncedDoc {
  readonly doc = new Y.Doc();
  readonly store: DocStore;
  readonly tabs: TabChannel;
  link: RelayLink | null = null;
  /** Milliseconds from open to local state applied. */
  loadMs = 0;

  /** Opens local state at once; the relay comes later with {@link connect}. */
  constructor(readonly room: string) {
    const started = performance.now();
    this.store = new DocStore(`djamms-doc-${room}`, this.doc);
    this.tabs = new TabChannel(room, this.doc);
    void this.store.whenLoaded.then(() => {
      this.loadMs = performance.now() - started;
      this.tabs.hello();
    });
  }

  /** Presence shared through the relay (ephemeral: live position, who is here), once linked. */
  get awareness(): Awareness | null {
    return this.link?.provider.awareness ?? null;
  }

  /** Local state is in the document (from IndexedDB); nothing here waits on the network. */
  get whenLoaded() {
    return this.store.whenLoaded;
  }

  /** Starts talking to the relay (after local state is shown). */
  async connect(opts: RelayOptions) {
    await this.store.whenLoaded;
    const key = `sv:${this.room}`;
    const saved = await get<SavedVector | Uint8Array>(key, vectorStore());
    // Stored before the time was kept: a bare vector.
    const known = saved instanceof Uint8Array ? { vector: saved, at: null } : saved;
    let writing: ReturnType<typeof setTimeout> | null = null;
    let latest: SavedVector | null = null;
    this.link = new RelayLink({
      ...opts,
      room: this.room,
      doc: this.doc,
      savedVector: known?.vector ?? null,
      lastSynced: known?.at ?? null,
      onChange: opts.onLink,
      onSavedVector: (vector, at) => {
        latest = { vector, at };
        writing ??= setTimeout(() => {
          writing = null;
          if (latest) void set(key, latest, vectorStore());
        }, 500);
      },
    });
    opts.onLink({ ...this.link.state });
  }

  destroy() {
    this.link?.destroy();
    this.tabs.destroy();
    this.store.destroy();
    this.doc.destroy();
  }
}
