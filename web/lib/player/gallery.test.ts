import { describe, expect, it } from 'vitest';
import type { GalleryItem } from '@djamms/venue';
import { galleryShowing } from './gallery';

const item = (id: string): GalleryItem => ({
  id,
  media: { sha256: id.padEnd(64, '0'), type: 'image/png' },
  caption: id,
  kind: 'image',
});
const items = ['a', 'b', 'c'].map(item);
const all = () => true;

describe('gallery rotation', () => {
  it('VM37 shows one item every `every` seconds for `seconds` seconds, in order, round and round', () => {
    const rotation = { every: 60, seconds: 10 };
    const at = (s: number) => galleryShowing(items, rotation, s * 1000, all)?.id ?? null;
    expect([at(0), at(9), at(10), at(59)]).toEqual(['a', 'a', null, null]);
    expect([at(60), at(120), at(180), at(245)]).toEqual(['b', 'c', 'a', 'b']);
  });

  it('VM37 shows nothing when the rotation is off, the gallery is empty or nothing is on this device', () => {
    expect(galleryShowing(items, { every: 0, seconds: 10 }, 0, all)).toBeNull();
    expect(galleryShowing([], { every: 60, seconds: 10 }, 0, all)).toBeNull();
    expect(galleryShowing(items, { every: 60, seconds: 10 }, 0, () => false)).toBeNull();
  });

  it('VM37 skips items not downloaded yet, so the TV never shows a broken picture', () => {
    const rotation = { every: 30, seconds: 5 };
    const ready = (i: GalleryItem) => i.id !== 'b';
    const shown = [0, 30, 60, 90].map((s) => galleryShowing(items, rotation, s * 1000, ready)?.id);
    expect(shown).toEqual(['a', 'c', 'a', 'c']);
  });
});
