// IndexedDB as the spec describes it, in memory: this file only (a real implementation, not a mock).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { forgetFile, keepFile, keptFiles } from './upload-store';

const file = (name: string, text: string) => new File([text], name, { type: 'audio/mpeg' });

describe('files kept until they are in the library', () => {
  it('keeps each venue’s files in the order chosen, whole, until forgotten', async () => {
    await keepFile({ id: 'u2', venueId: 'bar', file: file('b.mp3', 'second'), chosen: 2 });
    await keepFile({ id: 'u1', venueId: 'bar', file: file('a.mp3', 'first'), chosen: 1 });
    await keepFile({ id: 'u3', venueId: 'other', file: file('c.mp3', 'elsewhere'), chosen: 0 });
    const kept = await keptFiles('bar');
    expect(kept.map((k) => [k.id, k.file.name, k.file.type])).toEqual([
      ['u1', 'a.mp3', 'audio/mpeg'],
      ['u2', 'b.mp3', 'audio/mpeg'],
    ]);
    expect(await kept[0]!.file.text()).toBe('first');
    await forgetFile('bar', 'u1');
    expect((await keptFiles('bar')).map((k) => k.id)).toEqual(['u2']);
    expect((await keptFiles('other')).map((k) => k.id)).toEqual(['u3']);
  });
});
