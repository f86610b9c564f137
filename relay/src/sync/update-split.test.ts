import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createRandom } from '@djamms/test-harness';
import { splitUpdate } from './update-split';
import { checkUpdate } from './update-check';

function randomDoc(seed: number): Y.Doc {
  const random = createRandom(seed);
  const doc = new Y.Doc();
  for (let i = 0; i < 400; i++) {
    const text = doc.getText('t');
    const roll = random.next();
    if (roll < 0.4)
      text.insert(random.int(text.length + 1), random.pick(['a', 'bc', '😀x', 'ééé']));
    else if (roll < 0.5 && text.length > 2) text.delete(random.int(text.length - 1), 2);
    else if (roll < 0.6)
      doc.getArray('a').push([random.int(100), { k: 'v' }, new Uint8Array([1, 2])]);
    else if (roll < 0.7)
      doc.getMap('m').set(`k${random.int(5)}`, random.pick([1, 'two', null, [3]]));
    else if (roll < 0.75) doc.getMap('m').set(`sub${random.int(3)}`, new Y.Map());
    else if (roll < 0.8) text.format(0, Math.min(3, text.length), { bold: random.chance(0.5) });
    else if (roll < 0.85) doc.getXmlFragment('x').insert(0, [new Y.XmlElement('p')]);
    else if (roll < 0.9 && doc.getArray('a').length > 0) doc.getArray('a').delete(0, 1);
    else doc.getText('t2').insert(0, 'z'.repeat(1 + random.int(50)));
  }
  return doc;
}

describe('splitUpdate', () => {
  it('RP3 pieces are valid updates that, applied in order, equal the whole', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const source = randomDoc(seed);
      const other = randomDoc(seed + 100);
      const whole = Y.mergeUpdates([Y.encodeStateAsUpdate(source), Y.encodeStateAsUpdate(other)]);
      for (const maxBytes of [16, 200, 1500]) {
        const pieces = splitUpdate(whole, maxBytes);
        expect(pieces.length).toBeGreaterThan(1);
        const doc = new Y.Doc();
        for (const piece of pieces) {
          expect(checkUpdate(piece)).not.toBeNull();
          Y.applyUpdate(doc, piece);
        }
        const reference = new Y.Doc();
        Y.applyUpdate(reference, whole);
        expect(doc.getText('t').toDelta()).toEqual(reference.getText('t').toDelta());
        expect(doc.getArray('a').toJSON()).toEqual(reference.getArray('a').toJSON());
        expect(doc.getMap('m').toJSON()).toEqual(reference.getMap('m').toJSON());
        expect(doc.getXmlFragment('x').toString()).toBe(reference.getXmlFragment('x').toString());
        expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(reference));
        expect(doc.store.pendingStructs).toBeNull();
      }
    }
  });

  it('RP3 a small update is not split; pieces stay near the size asked for', () => {
    const update = Y.encodeStateAsUpdate(randomDoc(5));
    expect(splitUpdate(update, update.byteLength)).toEqual([update]);
    const pieces = splitUpdate(update, 512);
    for (const piece of pieces.slice(0, -1)) expect(piece.byteLength).toBeLessThan(512 + 600);
  });
});
