import { describe, expect, it } from 'vitest';
import { RateLimiter, SHARE_AT_ONCE } from './rate-limit';

describe('RateLimiter shared counts', () => {
  it('RP45 a key that took a twentieth of a second’s rate is told at once; a trickle waits for the full account', () => {
    const limiter = new RateLimiter({ perSecond: 200, burst: 400 }, () => 0);
    limiter.shareTaken();
    const worth = 200 * SHARE_AT_ONCE;
    for (let i = 0; i < worth; i++) limiter.take('busy-device');
    limiter.take('quiet-device');
    expect(limiter.drainTaken(false)).toEqual(new Map([['busy-device', worth]]));
    limiter.take('quiet-device');
    expect(limiter.drainTaken(false)).toEqual(new Map());
    // nothing is lost on the way: the full account has every token not told yet
    expect(limiter.drainTaken(true)).toEqual(new Map([['quiet-device', 2]]));
    expect(limiter.drainTaken(true)).toEqual(new Map());
  });

  it('RP45 what other nodes took comes off the key’s bucket here', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 3 }, () => 0);
    limiter.takenElsewhere('device', 2);
    expect(limiter.take('device')).toBe(true);
    expect(limiter.take('device')).toBe(false);
  });
});
