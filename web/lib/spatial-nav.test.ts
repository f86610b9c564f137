import { describe, expect, it } from 'vitest';
import { nearest } from './spatial-nav';

/** A control `w`×`h` at (`x`, `y`), named so a test reads as a screen. */
const at = (el: string, x: number, y: number, w = 100, h = 50) => ({
  el,
  rect: { left: x, top: y, width: w, height: h },
});

/**
 * The admin console's transport row over a queue, as a TV remote sees it:
 *
 *   [Play] [Skip] [Stop]
 *   [Track 1          ]
 *   [Track 2          ]
 */
const play = at('Play', 0, 0);
const skip = at('Skip', 120, 0);
const stop = at('Stop', 240, 0);
const track1 = at('Track 1', 0, 80, 340);
const track2 = at('Track 2', 0, 160, 340);
const screen = [play, skip, stop, track1, track2];
const others = (from: { el: string }) => screen.filter((c) => c !== from);

describe('D-pad focus movement', () => {
  it('moves to the neighbour in each direction', () => {
    expect(nearest(skip.rect, others(skip), 'ArrowRight')).toBe('Stop');
    expect(nearest(skip.rect, others(skip), 'ArrowLeft')).toBe('Play');
    expect(nearest(track1.rect, others(track1), 'ArrowDown')).toBe('Track 2');
    expect(nearest(track2.rect, others(track2), 'ArrowUp')).toBe('Track 1');
  });

  it('goes to the nearest control, not the first or the farthest in that direction', () => {
    expect(nearest(play.rect, [stop, skip], 'ArrowRight')).toBe('Skip');
    expect(nearest(play.rect, [track2, track1], 'ArrowDown')).toBe('Track 1');
  });

  it('prefers straight ahead to a nearer control off to the side', () => {
    // Right of "from": one 300 px straight ahead, one 120 px ahead but 200 px lower.
    const from = at('from', 0, 0);
    const ahead = at('ahead', 300, 0);
    const aside = at('aside', 120, 200);
    expect(nearest(from.rect, [aside, ahead], 'ArrowRight')).toBe('ahead');
  });

  it('goes down from any button of a row to the wide row beneath it', () => {
    for (const button of [play, skip, stop]) {
      expect(nearest(button.rect, others(button), 'ArrowDown')).toBe('Track 1');
    }
  });

  it('never moves sideways or backwards: nothing in that direction is null', () => {
    expect(nearest(stop.rect, others(stop), 'ArrowRight')).toBeNull();
    expect(nearest(play.rect, others(play), 'ArrowUp')).toBeNull();
    expect(nearest(track2.rect, others(track2), 'ArrowDown')).toBeNull();
    // A control level with "from" is neither above nor below it.
    expect(nearest(skip.rect, [play, stop], 'ArrowUp')).toBeNull();
    expect(nearest(skip.rect, [], 'ArrowLeft')).toBeNull();
  });

  it('starts from above the screen when nothing has focus yet: down reaches the top row', () => {
    // dpad() measures from a point just above the top centre when focus is outside the screen.
    const aboveTop = { left: 170, top: -1, width: 0, height: 0 };
    expect(nearest(aboveTop, screen, 'ArrowDown')).toBe('Skip');
  });
});
