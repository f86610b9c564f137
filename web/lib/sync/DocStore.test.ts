// IndexedDB as the spec describes it, in memory: this file only (a real implementation, not a mock).
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { eventually } from '@djamms/test-harness';
import { DocStore } from './DocStore';
import { docStoreContract, nextTask } from './doc-store-contract';

/**
 * The page DocStore lives in, with real EventTargets for the window and the document, so the
 * page's own events (pagehide, visibilitychange) reach it as in a browser.
 */
const page: EventTarget & { __djammsWarm?: Record<string, Promise<IDBDatabase>> } =
  new EventTarget();
const pageDocument = Object.assign(new EventTarget(), {
  visibilityState: 'visible' as DocumentVisibilityState,
});
vi.stubGlobal('window', page);
vi.stubGlobal('addEventListener', page.addEventListener.bind(page));
vi.stubGlobal('removeEventListener', page.removeEventListener.bind(page));
vi.stubGlobal('document', pageDocument);

let databases = 0;
async function tab(name = `docstore-${++databases}`) {
  const doc = new Y.Doc();
  const store = new DocStore(name, doc);
  await store.whenLoaded;
  return { name, doc, store, songs: doc.getMap<string>('songs') };
}

describe('DocStore (IndexedDB)', () => {
  docStoreContract((name, doc) => new DocStore(name, doc));

  it('writes at once when the tab goes away (pagehide), not a task later', async () => {
    const { store, songs } = await tab();
    songs.set('s1', 'Hey Jude');
    page.dispatchEvent(new Event('pagehide'));
    // Still in this task: only a write already started can be counted.
    expect(await store.countRows()).toBe(1);
    store.destroy();
  });

  it('writes at once when the tab is hidden', async () => {
    const { store, songs } = await tab();
    songs.set('s1', 'Hey Jude');
    pageDocument.visibilityState = 'hidden';
    pageDocument.dispatchEvent(new Event('visibilitychange'));
    pageDocument.visibilityState = 'visible';
    expect(await store.countRows()).toBe(1);
    store.destroy();
  });

  it('stops listening to the page when destroyed', async () => {
    const { name, store, doc } = await tab();
    store.destroy();
    doc.getMap('songs').set('s1', 'Hey Jude');
    page.dispatchEvent(new Event('pagehide'));
    const { store: after } = await tab(name);
    expect(await after.countRows()).toBe(0);
    after.destroy();
  });

  it('compacts by itself once there are more than 64 rows', async () => {
    const { name, store, songs } = await tab();
    for (let i = 0; i < 65; i++) {
      songs.set('now', `Song ${i}`);
      await nextTask();
    }
    await eventually(async () => expect(await store.countRows()).toBe(1));
    store.destroy();
    const again = await tab(name);
    expect(again.songs.get('now')).toBe('Song 64');
    again.store.destroy();
  });

  it('compacts by itself once the appended bytes outgrow the compacted size', async () => {
    const { store, songs } = await tab();
    songs.set('a', 'x'.repeat(40_000));
    await nextTask();
    songs.set('b', 'y'.repeat(40_000));
    await nextTask();
    await eventually(async () => expect(await store.countRows()).toBe(1));
    store.destroy();
  });

  it('a row that lands after destroy is kept, and a closed database is not compacted', async () => {
    // The last flush calls for compaction when its row lands, after the database is closed:
    // compacting then would fail (an unhandled rejection, which fails this run).
    const { name, store, songs } = await tab();
    songs.set('a', 'x'.repeat(40_000));
    await nextTask();
    songs.set('b', 'y'.repeat(40_000));
    store.destroy();
    const again = await tab(name);
    expect(again.songs.size).toBe(2);
    expect(await again.store.countRows()).toBe(2);
    again.store.destroy();
  });

  it('uses the database the page started opening before the app loaded (app.html)', async () => {
    const name = 'docstore-warm';
    const first = await tab(name);
    first.songs.set('s1', 'Hey Jude');
    first.store.destroy();
    const request = indexedDB.open(name, 1);
    const warm = new Promise<IDBDatabase>(
      (resolve) => (request.onsuccess = () => resolve(request.result)),
    );
    page.__djammsWarm = { [name]: warm };
    const again = await tab(name);
    expect(again.songs.get('s1')).toBe('Hey Jude');
    expect(page.__djammsWarm).toEqual({});
    again.store.destroy();
    delete page.__djammsWarm;
  });
});
