/** Every seed the fuzzer ever failed on, replayed by name. */
import { describe, expect, it } from 'vitest';
import { runSchedule } from './venue-fuzz';

const REGRESSIONS: [seed: number, what: string][] = [
  [16, 'VM2 an intent whose outcome was tidied away after an hour is never decided again'],
  [6, 'VM14 a request started by a batch of intents counts as played, not lost'],
  [478, 'VM4 a player taking the lease keeps the requests it played in an earlier stint'],
];

describe('fuzzer regressions', () => {
  for (const [seed, what] of REGRESSIONS) {
    it(`${what} (seed ${seed})`, () => {
      expect(() => runSchedule(seed)).not.toThrow();
    });
  }
});
