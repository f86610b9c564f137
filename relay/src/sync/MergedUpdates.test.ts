import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createRandom } from '@djamms/test-harness';
import { MergedUpdates, collectGarbage, mergeAll } from './MergedUpdates';

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

  it('RP13 garbage collection keeps the state and state vector and drops overwritten values', () => {
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 500; i++)
      source.getMap('venue').set('nowPlaying', `track ${i} `.repeat(20));
    source.getText('t').insert(0, 'kept');
    const merged = mergeAll(updates);
    const collected = collectGarbage(merged);
    expect(collected.byteLength).toBeLessThan(merged.byteLength / 10);
    const probe = new Y.Doc();
    Y.applyUpdate(probe, collected);
    expect(probe.getMap('venue').get('nowPlaying')).toBe(source.getMap('venue').get('nowPlaying'));
    expect(probe.getText('t').toString()).toBe('kept');
    expect(Y.encodeStateVectorFromUpdate(collected)).toEqual(Y.encodeStateVectorFromUpdate(merged));
    // a client that already had part of the history still converges from the collected state
    const partial = new Y.Doc();
    Y.applyUpdate(partial, mergeAll(updates.slice(0, 200)));
    Y.applyUpdate(partial, Y.diffUpdate(collected, Y.encodeStateVector(partial)));
    expect(partial.getMap('venue').get('nowPlaying')).toBe(
      source.getMap('venue').get('nowPlaying'),
    );
  });

  it('RP13 garbage collection keeps pending structs (updates whose dependencies are missing)', () => {
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => updates.push(u));
    source.getText('t').insert(0, 'abc');
    source.getText('t').insert(3, 'def');
    const gapped = mergeAll(updates.slice(1)); // the second insert without the first
    const collected = collectGarbage(gapped);
    const probe = new Y.Doc();
    Y.applyUpdate(probe, updates[0] as Uint8Array);
    Y.applyUpdate(probe, collected);
    expect(probe.getText('t').toString()).toBe('abcdef');
  });
});
