import { describe, expect, it } from 'vitest';
import { words } from './strings';

describe('words.ago', () => {
  it('says "just now" for the first seconds, then seconds, minutes and hours', () => {
    expect([0, 4_400, 5_000, 59_000, 90_000, 7_200_000].map(words.ago)).toEqual([
      'just now',
      'just now',
      '5 s ago',
      '59 s ago',
      '2 min ago',
      '2 h ago',
    ]);
  });

  it('a time a little ahead of this clock reads as just now', () => {
    expect(words.ago(-3_000)).toBe('just now');
  });
});
