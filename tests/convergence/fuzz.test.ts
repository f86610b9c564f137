import { describe, expect, it } from 'vitest';
import { FuzzFailure, runSchedule, stepsOf } from './venue-fuzz';

/**
 * `npm test` runs a budget of schedules; `npm run test:long` runs for FUZZ_SECONDS. A failure prints
 * its seed and the command that replays it; failing seeds then become named regression tests.
 */
const replaySeed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : null;
const seconds = Number(process.env.FUZZ_SECONDS ?? 0);
const schedules = Number(process.env.FUZZ_SCHEDULES ?? 2_000);
const firstSeed = Number(process.env.FUZZ_FIRST_SEED ?? 1);

function replayCommand(seed: number) {
  return `FUZZ_SEED=${seed} npx vitest run tests/convergence/fuzz.test.ts`;
}

describe('venue convergence fuzzing', () => {
  it(
    'VM19 all peers converge and every rule holds after every merge',
    () => {
      const deadline = performance.now() + seconds * 1000;
      let ran = 0;
      let steps = 0;
      for (let seed = replaySeed ?? firstSeed; ; seed++) {
        try {
          runSchedule(seed);
        } catch (error) {
          const why =
            error instanceof FuzzFailure ? error.message : `seed ${seed}: ${String(error)}`;
          throw new Error(`${why}\nreplay: ${replayCommand(seed)}`, { cause: error });
        }
        ran++;
        steps += stepsOf(seed);
        if (replaySeed !== null) break;
        if (seconds > 0 ? performance.now() > deadline : ran >= schedules) break;
      }
      expect(ran).toBeGreaterThan(0);
      console.log(`fuzzed ${ran} schedules (${steps} steps) from seed ${replaySeed ?? firstSeed}`);
    },
    // The budget is the number of schedules, not time: on a busy 2-core machine the 2,000 take
    // over ten minutes, and a run that found nothing wrong must not fail for being slow.
    Math.max(1_200_000, seconds * 1000 + 60_000),
  );
});
