import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createRandom } from '@djamms/test-harness';
import { MergedUpdates, mergeAll } from './MergedUpdates';

describe('MergedUpdates', () => {
  it('RP3 the snapshot equals the state of a document that applied every update, at any point', () => {
    const random = createRandom(3);
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => updates.push(u));
    const merged = new MergedUpdates([]);
    for (let i = 0; i < 3000; i++) {
      const text = source.getText('t');
      if (random.chance(0.3) && text.length > 0) text.delete(random.int(text.length), 1);
      else text.insert(random.int(text.length + 1), 'x');
      merged.push(updates.at(-1) as Uint8Array);
      if (i % 997 === 0) {
        const probe = new Y.Doc();
        Y.applyUpdate(probe, merged.snapshot());
        expect(probe.getText('t').toString()).toBe(text.toString());
      }
    }
    const probe = new Y.Doc();
    Y.applyUpdate(probe, merged.snapshot());
    expect(probe.getText('t').toString()).toBe(source.getText('t').toString());
    expect(Y.encodeStateVectorFromUpdate(mergeAll(updates))).toEqual(Y.encodeStateVector(source));
  });
});
