import { generateNKeysBetween } from 'fractional-indexing';
import { describe, expect, it } from 'vitest';
import { createRandom } from '@djamms/test-harness';
import { isOrderKey, keyBetween, legacyKey, nthKey } from './order';
import { LIMITS } from './schema';

describe('order keys', () => {
  it('VM9 a key between any two keys sorts strictly between them', () => {
    const random = createRandom(9);
    const keys = [keyBetween(null, null)!];
    for (let i = 0; i < 2_000; i++) {
      const at = random.int(keys.length + 1);
      const key = keyBetween(keys[at - 1] ?? null, keys[at] ?? null);
      expect(isOrderKey(key)).toBe(true);
      keys.splice(at, 0, key!);
    }
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('VM9 appending and prepending grow keys logarithmically, never past the validator', () => {
    let last: string | null = null;
    let first: string | null = null;
    for (let i = 0; i < 100_000; i++) {
      last = keyBetween(last, null);
      first = keyBetween(null, first);
    }
    expect(last!.length).toBeLessThanOrEqual(4);
    expect(first!.length).toBeLessThanOrEqual(4);
    expect(isOrderKey(last) && isOrderKey(first)).toBe(true);
  });

  it('VM9 a spot that cannot take another key says so instead of making a key no replica accepts', () => {
    let low = 'a0';
    const high = 'a1';
    let placed = 0;
    for (;;) {
      const key = keyBetween(low, high);
      if (key === null) break;
      expect(isOrderKey(key)).toBe(true);
      low = key;
      placed++;
    }
    expect(placed).toBeGreaterThan(300);
    expect(generateNKeysBetween(low, high, 1)[0]!.length).toBeGreaterThan(LIMITS.orderKey);
  });

  it('VM9 the keys of a loaded list are exactly those appending one by one gives', () => {
    const appended = generateNKeysBetween(null, null, 5_000);
    expect(appended.map((_, i) => nthKey(i))).toEqual(appended);
    expect(nthKey(19_999) < nthKey(20_000)).toBe(true);
    expect(isOrderKey(nthKey(19_999))).toBe(true);
  });

  it('VM15 schema-1 keys keep their order and lie between a0 and a1', () => {
    const old = ['1', 'FV', 'V', 'Vk', 'g8', 'kV', 'z', 'zV'];
    const read = old.map(legacyKey);
    expect([...read].sort()).toEqual(read);
    expect(read.every((k) => isOrderKey(k) && k! > 'a0' && k! < 'a1')).toBe(true);
    expect(legacyKey('V0')).toBeNull();
  });

  it('VM9 malformed keys are refused', () => {
    for (const bad of [
      '',
      'a',
      'b0',
      'a00',
      'a0 ',
      'Z',
      `A${'0'.repeat(26)}`,
      'a0'.padEnd(65, 'x'),
      5,
    ]) {
      expect(isOrderKey(bad)).toBe(false);
    }
    for (const good of ['a0', 'a0V', 'Zz', 'b00', `A${'0'.repeat(26)}V`])
      expect(isOrderKey(good)).toBe(true);
  });
});
