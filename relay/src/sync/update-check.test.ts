import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createRandom } from '@djamms/test-harness';
import { MAX_VALUE_DEPTH, checkUpdate } from './update-check';
import { anyUpdate, jsonUpdate, nestedBrackets, nestedValue } from './update-fixtures';

function richUpdate(): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'hello');
  doc.getText('t').format(0, 2, { bold: true });
  doc.getText('t').insertEmbed(1, { img: 'x' });
  doc.getArray('a').push([1, 'two', { three: 3 }, new Uint8Array([4]), null, true]);
  doc.getMap('m').set('nested', new Y.Map());
  doc.getMap('m').set('bin', new Uint8Array([1, 2]));
  doc.getXmlFragment('x').insert(0, [new Y.XmlElement('p'), new Y.XmlText('t')]);
  doc.getArray('a').delete(0, 2);
  doc.getMap('m').set('sub', new Y.Doc());
  return Y.encodeStateAsUpdate(doc);
}

describe('checkUpdate', () => {
  it('RP10 accepts every kind of content Yjs writes, and merged updates', () => {
    const update = richUpdate();
    expect(checkUpdate(update)).not.toBeNull();
    const other = new Y.Doc();
    other.getText('t').insert(0, 'x');
    const merged = Y.mergeUpdates([update, Y.encodeStateAsUpdate(other)]);
    expect(checkUpdate(merged)).not.toBeNull();
    expect(checkUpdate(new Uint8Array([0, 0]))).toMatchObject({ structs: 0, deletes: 0 });
  });

  it('RP8 reads the clock range of every client in the same pass, as Y.parseUpdateMeta does', () => {
    const random = createRandom(11);
    const updates = [richUpdate()];
    const docs = Array.from({ length: 3 }, () => new Y.Doc());
    for (const doc of docs) doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 300; i++) {
      const doc = docs[random.int(docs.length)]!;
      const text = doc.getText('t');
      const op = random.int(5);
      if (op === 0)
        text.insert(random.int(text.length + 1), ['a', 'é', '🎵x', '漢字'][random.int(4)]!);
      else if (op === 1 && text.length > 0) text.delete(random.int(text.length), 1);
      else if (op === 2) doc.getArray('a').push([i, { n: i }, new Uint8Array([i & 255])]);
      else if (op === 3) doc.getMap('m').set(`k${random.int(4)}`, i % 2 ? 'v' : new Y.Map());
      else Y.applyUpdate(docs[random.int(docs.length)]!, Y.encodeStateAsUpdate(doc));
    }
    updates.push(Y.mergeUpdates(updates.slice(1, 40)), Y.encodeStateAsUpdate(docs[0]!));
    for (const update of updates) {
      expect(checkUpdate(update)?.clocks).toEqual(Y.parseUpdateMeta(update));
    }
  });

  it('RP10 refuses every truncation of a real update', () => {
    const update = richUpdate();
    for (let n = 0; n < update.length; n++) {
      expect(checkUpdate(update.subarray(0, n))).toBeNull();
    }
  });

  it('RP10 refuses a name, key or text that is not UTF-8, as a client decoding it would', () => {
    const doc = new Y.Doc();
    doc.getMap('mm').set('kk', 1);
    doc.getText('tt').insert(0, 'xx');
    const update = Y.encodeStateAsUpdate(doc);
    expect(checkUpdate(update)).not.toBeNull();
    for (const text of ['mm', 'kk', 'tt', 'xx']) {
      const at = Buffer.from(update).indexOf(text);
      const broken = update.slice();
      broken.set([0xc3, 0x28], at); // a lead byte without its continuation
      expect(checkUpdate(broken)).toBeNull();
    }
  });

  it('RP10 refuses trailing bytes', () => {
    const update = richUpdate();
    expect(checkUpdate(new Uint8Array([...update, 0]))).toBeNull();
  });

  it('RP10 refuses a value nested deeper than Yjs can write back, which stored would break the room', () => {
    const any = (value: unknown) =>
      anyUpdate([value, 0.5, 1e300, 2n ** 60n, -7, 'x', new Uint8Array([1]), null, true, {}]);
    for (const update of [
      any(nestedValue(MAX_VALUE_DEPTH)),
      jsonUpdate(nestedBrackets(MAX_VALUE_DEPTH)),
    ]) {
      expect(checkUpdate(update)).not.toBeNull();
      // what it accepts, a room can merge and garbage-collect (both write the value again)
      const doc = new Y.Doc();
      Y.applyUpdate(doc, Y.mergeUpdates([update, new Uint8Array([0, 0])]));
      expect(Y.encodeStateAsUpdate(doc).byteLength).toBeGreaterThan(0);
    }
    for (const depth of [MAX_VALUE_DEPTH + 1, 5000]) {
      expect(checkUpdate(any(nestedValue(depth)))).toBeNull();
      expect(checkUpdate(jsonUpdate(nestedBrackets(depth)))).toBeNull();
    }
    // 5,000 deep is what broke a room: Yjs reads it, but cannot write it back
    expect(() =>
      Y.mergeUpdates([jsonUpdate(nestedBrackets(5000)), new Uint8Array([0, 0])]),
    ).toThrow(RangeError);
    // brackets inside a string are not nesting
    expect(checkUpdate(jsonUpdate(JSON.stringify('['.repeat(5000))))).not.toBeNull();
  });

  it('RP10 never throws on random bytes, and whatever it accepts Yjs can apply', () => {
    const random = createRandom(7);
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = new Uint8Array(random.int(40)).map(() => random.int(256));
      if (checkUpdate(bytes)) {
        accepted++;
        expect(() => Y.applyUpdate(new Y.Doc(), bytes)).not.toThrow();
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(0);
  });
});
