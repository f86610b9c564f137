import { describe, expect, it } from 'vitest';
import { createRandom } from '@djamms/test-harness';
import { encodeHlc, nextHlc, parseHlc } from './hlc';
import { isOrderKey, keyBetween, spreadKeys } from './order';

describe('order keys and clocks', () => {
  it('VM9 a key between any two keys sorts strictly between them', () => {
    const random = createRandom(9);
    const keys = [keyBetween(null, null)];
    for (let i = 0; i < 2_000; i++) {
      const at = random.int(keys.length + 1);
      const key = keyBetween(keys[at - 1] ?? null, keys[at] ?? null);
      expect(isOrderKey(key)).toBe(true);
      keys.splice(at, 0, key);
    }
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('VM9 spread keys are ordered and usable', () => {
    const keys = spreadKeys(500);
    expect([...keys].sort()).toEqual(keys);
    expect(keys.every(isOrderKey)).toBe(true);
    expect(new Set(keys).size).toBe(500);
  });

  it('VM5 a stamp is later than everything seen, even from a clock far ahead', () => {
    const ahead = encodeHlc({ wall: 5_000, count: 3, writer: 'b' });
    const next = nextHlc(1_000, 'a', [ahead]);
    expect(next > ahead).toBe(true);
    expect(parseHlc(next)).toEqual({ wall: 5_000, count: 4, writer: 'a' });
    expect(nextHlc(9_000, 'a', [ahead]) > next).toBe(true);
    expect(parseHlc('garbage')).toBeNull();
  });
});
