import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { eventually } from '@djamms/test-harness';

/** What the app asks of the store that keeps a document on this device. */
export interface PersistedDoc {
  readonly whenLoaded: Promise<void>;
  countRows(): Promise<number>;
  compact(): Promise<void>;
  destroy(): void;
}

/** A store for the database `name` keeping `doc` (two stores on one name are two tabs). */
export type OpenStore = (name: string, doc: Y.Doc) => PersistedDoc;

/** A task boundary: writes in one task are one batch, so a test makes batches with this. */
export const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The one contract every document store passes (CONVENTIONS: shared adapter suite). */
export function docStoreContract(openStore: OpenStore): void {
  let databases = 0;
  const freshName = () => `contract-${++databases}`;

  /** A tab's document and its store, once the stored state is in the document. */
  async function open(name: string) {
    const doc = new Y.Doc();
    const store = openStore(name, doc);
    await store.whenLoaded;
    return { doc, store, songs: doc.getMap<string>('songs') };
  }

  /** What a fresh document loads from `name`, the store closed again. */
  async function reload(name: string) {
    const { store, songs } = await open(name);
    store.destroy();
    return songs.toJSON();
  }

  const rowsBecome = (store: PersistedDoc, n: number) =>
    eventually(async () => expect(await store.countRows()).toBe(n));

  it('an empty database loads an empty document, and opening writes nothing', async () => {
    const name = freshName();
    const first = await open(name);
    expect(first.songs.size).toBe(0);
    expect(await first.store.countRows()).toBe(0);
    first.songs.set('s1', 'Hey Jude');
    await rowsBecome(first.store, 1);
    first.store.destroy();
    // A store writes what is pending when it is destroyed: were opening a write, it would show.
    const again = await open(name);
    expect(again.songs.get('s1')).toBe('Hey Jude');
    again.store.destroy();
    const third = await open(name);
    expect(await third.store.countRows()).toBe(1);
    third.store.destroy();
  });

  it('a write is stored and loads into a fresh document', async () => {
    const name = freshName();
    const tab = await open(name);
    tab.songs.set('s1', 'Hey Jude');
    await rowsBecome(tab.store, 1);
    expect(await reload(name)).toEqual({ s1: 'Hey Jude' });
    tab.store.destroy();
  });

  it('a burst of writes in one task is stored as one row', async () => {
    const name = freshName();
    const tab = await open(name);
    for (let i = 0; i < 200; i++) tab.songs.set(`s${i}`, `Song ${i}`);
    await rowsBecome(tab.store, 1);
    expect(Object.keys(await reload(name))).toHaveLength(200);
    tab.store.destroy();
  });

  it('compaction keeps every write and leaves one row', async () => {
    const name = freshName();
    const tab = await open(name);
    for (let i = 1; i <= 5; i++) {
      tab.songs.set(`s${i}`, `Song ${i}`);
      tab.songs.delete(`s${i - 1}`);
      await nextTask();
    }
    await rowsBecome(tab.store, 5);
    await tab.store.compact();
    expect(await tab.store.countRows()).toBe(1);
    expect(await reload(name)).toEqual({ s5: 'Song 5' });
    tab.store.destroy();
  });

  it('two tabs on one database: both tabs’ rows load, and one tab’s compaction keeps the other’s', async () => {
    const name = freshName();
    const a = await open(name);
    const b = await open(name);
    a.songs.set('from-a', 'Hey Jude');
    b.songs.set('from-b', 'Let It Be');
    await rowsBecome(a.store, 2);
    expect(await reload(name)).toEqual({ 'from-a': 'Hey Jude', 'from-b': 'Let It Be' });
    // Tab A has never seen B's write: compacting merges the rows on disk, not only A's document.
    await a.store.compact();
    expect(await a.store.countRows()).toBe(1);
    expect(await reload(name)).toEqual({ 'from-a': 'Hey Jude', 'from-b': 'Let It Be' });
    a.store.destroy();
    b.store.destroy();
  });

  it('destroy writes what is pending, then stores nothing more', async () => {
    const name = freshName();
    const tab = await open(name);
    tab.songs.set('s1', 'Hey Jude');
    tab.store.destroy();
    tab.songs.set('s2', 'Let It Be');
    expect(await reload(name)).toEqual({ s1: 'Hey Jude' });
  });

  it('a write made before the stored state loaded is kept, and the stored state is not lost', async () => {
    const name = freshName();
    const first = await open(name);
    first.songs.set('s1', 'Hey Jude');
    first.store.destroy();
    const doc = new Y.Doc();
    const store = openStore(name, doc);
    doc.getMap('songs').set('s2', 'Let It Be');
    await store.whenLoaded;
    expect(doc.getMap('songs').toJSON()).toEqual({ s1: 'Hey Jude', s2: 'Let It Be' });
    await rowsBecome(store, 2);
    store.destroy();
    expect(await reload(name)).toEqual({ s1: 'Hey Jude', s2: 'Let It Be' });
  });
}
