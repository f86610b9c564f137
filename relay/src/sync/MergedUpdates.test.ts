import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createRandom } from '@djamms/test-harness';
import * as encoding from 'lib0/encoding';
import { MergedUpdates, collectGarbage, mergeAll, type UnreadableUpdate } from './MergedUpdates';
import { jsonUpdate, nestedBrackets } from './update-fixtures';

/** For merges of updates that are all readable. */
const none: UnreadableUpdate = (_, error) => {
  throw error;
};

describe('MergedUpdates', () => {
  it('RP3 the snapshot equals the state of a document that applied every update, at any point', () => {
    const random = createRandom(3);
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => updates.push(u));
    const merged = new MergedUpdates([], none);
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
    expect(Y.encodeStateVectorFromUpdate(mergeAll(updates, none))).toEqual(
      Y.encodeStateVector(source),
    );
  });

  it('RP13 garbage collection keeps the state and state vector and drops overwritten values', () => {
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 500; i++)
      source.getMap('venue').set('nowPlaying', `track ${i} `.repeat(20));
    source.getText('t').insert(0, 'kept');
    const merged = mergeAll(updates, none);
    const collected = collectGarbage(merged);
    expect(collected.byteLength).toBeLessThan(merged.byteLength / 10);
    const probe = new Y.Doc();
    Y.applyUpdate(probe, collected);
    expect(probe.getMap('venue').get('nowPlaying')).toBe(source.getMap('venue').get('nowPlaying'));
    expect(probe.getText('t').toString()).toBe('kept');
    expect(Y.encodeStateVectorFromUpdate(collected)).toEqual(Y.encodeStateVectorFromUpdate(merged));
    // a client that already had part of the history still converges from the collected state
    const partial = new Y.Doc();
    Y.applyUpdate(partial, mergeAll(updates.slice(0, 200), none));
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
    const gapped = mergeAll(updates.slice(1), none); // the second insert without the first
    const collected = collectGarbage(gapped);
    const probe = new Y.Doc();
    Y.applyUpdate(probe, updates[0] as Uint8Array);
    Y.applyUpdate(probe, collected);
    expect(probe.getText('t').toString()).toBe('abcdef');
  });

  it('RP10 a stored update Yjs cannot merge is left out, and told; the rest of the room merges', () => {
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => updates.push(u));
    source.getText('t').insert(0, 'kept');
    // stored before RP10 refused values nested this deep: Yjs reads it but cannot write it back
    const poison = jsonUpdate(nestedBrackets(5000));
    source.getText('t').insert(4, ' too');
    const stored = [updates[0]!, poison, updates[1]!];
    const unreadable: Uint8Array[] = [];
    const tell: UnreadableUpdate = (update, error) => {
      expect(error).toBeInstanceOf(RangeError);
      unreadable.push(update);
    };
    const probe = new Y.Doc();
    Y.applyUpdate(probe, mergeAll(stored, tell));
    expect(probe.getText('t').toString()).toBe('kept too');
    expect(unreadable).toEqual([poison]);
    // the same through a room's state, merged at load and again through a transient document
    const merged = new MergedUpdates(stored, tell);
    merged.push(poison);
    const again = new Y.Doc();
    Y.applyUpdate(again, merged.snapshot());
    expect(again.getText('t').toString()).toBe('kept too');
    expect(unreadable).toEqual([poison, poison, poison]);
  });

  it('RP13 a state a document cannot take (types nested 20,000 deep, then deleted) is kept as it is', () => {
    const source = new Y.Doc();
    let map = source.getMap('m');
    source.transact(() => {
      for (let i = 0; i < 20_000; i++) {
        const inner = new Y.Map();
        map.set('k', inner);
        map = inner;
      }
    });
    // the deletion of the outermost: Yjs deletes what it holds by recursion, past the stack
    const deletion = encoding.createEncoder();
    encoding.writeVarUint(deletion, 0); // no structs
    encoding.writeVarUint(deletion, 1); // one client's deletions
    encoding.writeVarUint(deletion, source.clientID);
    encoding.writeVarUint(deletion, 1);
    encoding.writeVarUint(deletion, 0); // clock
    encoding.writeVarUint(deletion, 1); // length
    const stored = [Y.encodeStateAsUpdate(source), encoding.toUint8Array(deletion)];
    const merged = mergeAll(stored, none);
    expect(() => Y.applyUpdate(new Y.Doc(), merged)).toThrow(RangeError);
    expect(collectGarbage(merged)).toBe(merged);
    const state = new MergedUpdates([stored[0]!], none);
    state.push(stored[1]!);
    expect(Y.encodeStateVectorFromUpdate(state.snapshot())).toEqual(
      Y.encodeStateVectorFromUpdate(merged),
    );
  });
});
