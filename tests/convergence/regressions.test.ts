/** Every seed the fuzzer ever failed on, replayed by name. */
import { describe, expect, it } from 'vitest';
import { runSchedule } from './venue-fuzz';

const REGRESSIONS: [seed: number, what: string][] = [
  [16, 'VM2 an intent whose outcome was tidied away after an hour is never decided again'],
  [6, 'VM14 a request started by a batch of intents counts as played, not lost'],
  [478, 'VM4 a player taking the lease keeps the requests it played in an earlier stint'],
  [2, 'VM24 a writer rehomed after two admins retired each other keeps the adds it had folded'],
  [13, 'VM19 problems read the same whichever way a contribution was made'],
  [52, 'VM19 a cached contribution judged at a later clock does not serve an earlier one'],
  [100, 'VM3 a revoked holder leaves no lease: the next player claims and continues its journal'],
  [151, 'VM24 VM25 a device whose clock reads the far future takes no one for gone'],
  [388, 'VM10 a removal stays as long as the entry it removed could show'],
  [750, 'VM10 two admins that retired each other bring back no removed entry'],
];

/*
 * Seeds that failed as long schedules (thousands of steps, `npm run test:long`) are replayed as the
 * focused tests they became, which run in a fraction of the time:
 * - 2200: playback.test.ts "VM3 a lease another player outbid is dropped…"
 * - 2600: playback.test.ts "VM3 a new holder goes on from the furthest journal cursor…"
 * - 3050: clocks.test.ts "VM1 VM25 two versions of a key in one log settle on one…" and
 *   retire.test.ts "VM24 VM25 what a gone writer stamped in the future is not folded…"
 */

describe('fuzzer regressions', () => {
  for (const [seed, what] of REGRESSIONS) {
    it(`${what} (seed ${seed})`, () => {
      expect(() => runSchedule(seed)).not.toThrow();
    });
  }
});
