import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TabChannel } from './TabChannel';

describe('TabChannel', () => {
  it('a tab closed before its local state loaded says nothing afterwards, and throws nothing', async () => {
    const room = `tab-test-${crypto.randomUUID()}`;
    const other = new BroadcastChannel(`djamms-doc-${room}`);
    const heard: unknown[] = [];
    other.onmessage = (e: MessageEvent) => heard.push(e.data);
    const doc = new Y.Doc();
    const tabs = new TabChannel(room, doc);
    tabs.destroy();
    expect(() => tabs.hello()).not.toThrow();
    doc.getMap('m').set('k', 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heard).toEqual([]);
    other.close();
  });

  it('an open tab says hello to the others', async () => {
    const room = `tab-test-${crypto.randomUUID()}`;
    const other = new BroadcastChannel(`djamms-doc-${room}`);
    const heard = new Promise<{ t: string }>((resolve) => {
      other.onmessage = (e: MessageEvent<{ t: string }>) => resolve(e.data);
    });
    const tabs = new TabChannel(room, new Y.Doc());
    tabs.hello();
    expect((await heard).t).toBe('hello');
    tabs.destroy();
    other.close();
  });
});
