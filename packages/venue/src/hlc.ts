/**
 * Hybrid logical clock stamps (VM5, VM25). A stamp orders by wall time, then by a counter, then by
 * the writer id, and is encoded so that plain string comparison gives that order.
 *
 * Layout: 9 base-36 digits of wall milliseconds, `.`, 4 base-36 digits of counter, `.`, writer id.
 */
export type Hlc = string;

const WALL_DIGITS = 9;
const COUNT_DIGITS = 4;
/** The largest counter that fits its digits; the next stamp moves the wall on instead (VM25). */
export const MAX_COUNT = 36 ** COUNT_DIGITS - 1;
/** The largest wall time that fits its digits (year 5188). */
const MAX_WALL = 36 ** WALL_DIGITS - 1;
const HLC_PATTERN = /^[0-9a-z]{9}\.[0-9a-z]{4}\.[A-Za-z0-9_:-]{1,64}$/;

/** The parts of a stamp. */
export interface HlcParts {
  wall: number;
  count: number;
  writer: string;
}

/** Encodes parts into a comparable stamp. */
export function encodeHlc({ wall, count, writer }: HlcParts): Hlc {
  return `${wall.toString(36).padStart(WALL_DIGITS, '0')}.${count
    .toString(36)
    .padStart(COUNT_DIGITS, '0')}.${writer}`;
}

/** Decodes a stamp, or returns null when it is malformed. */
export function parseHlc(stamp: unknown): HlcParts | null {
  if (typeof stamp !== 'string' || !HLC_PATTERN.test(stamp)) return null;
  const [wall, count, writer] = stamp.split('.') as [string, string, string];
  return { wall: parseInt(wall, 36), count: parseInt(count, 36), writer };
}

/** True when `stamp` is a well-formed stamp. */
export function isHlc(stamp: unknown): stamp is Hlc {
  return typeof stamp === 'string' && HLC_PATTERN.test(stamp);
}

/** Wall time of a well-formed stamp in milliseconds. */
export function hlcWall(stamp: Hlc): number {
  return parseInt(stamp.slice(0, WALL_DIGITS), 36);
}

/** The writer id inside a well-formed stamp. */
export function hlcWriter(stamp: Hlc): string {
  return stamp.slice(WALL_DIGITS + COUNT_DIGITS + 2);
}

/**
 * The next stamp for `writer`: later than `latest` (the newest stamp this replica counts) and than
 * `now`, so a write made after seeing another one always orders after it, whatever the two devices'
 * clocks say. `latest` must already be bounded by {@link TIMING.maxAhead} (VM25: a stamp from the far
 * future is not counted, so it can never drag this writer's clock along). A counter at its maximum
 * moves the wall on by a millisecond instead of overflowing.
 */
export function nextHlc(now: number, writer: string, latest: Hlc | null): Hlc {
  let wall = Math.min(Math.max(0, Math.floor(now)), MAX_WALL);
  let count = 0;
  const seen = latest ? parseHlc(latest) : null;
  if (seen && seen.wall >= wall) {
    wall = seen.wall;
    count = seen.count + 1;
  }
  if (count > MAX_COUNT) {
    wall += 1;
    count = 0;
  }
  return encodeHlc({ wall: Math.min(wall, MAX_WALL), count, writer });
}

/** The later of two stamps (either may be null). */
export function laterHlc(a: Hlc | null, b: Hlc | null): Hlc | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
