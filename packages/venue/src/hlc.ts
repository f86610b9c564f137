/**
 * Hybrid logical clock stamps (VM5). A stamp orders by wall time, then by a counter, then by the
 * writer id, and is encoded so that plain string comparison gives that order.
 *
 * Layout: 9 base-36 digits of wall milliseconds, `.`, 4 base-36 digits of counter, `.`, writer id.
 */
export type Hlc = string;

const WALL_DIGITS = 9;
const COUNT_DIGITS = 4;
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
  return parseHlc(stamp) !== null;
}

/**
 * The next stamp for `writer`: later than every stamp in `seen` and than `now`, so a write made after
 * seeing another one always orders after it, whatever the two devices' clocks say.
 */
export function nextHlc(now: number, writer: string, seen: Iterable<Hlc>): Hlc {
  let wall = Math.floor(now);
  let count = 0;
  for (const stamp of seen) {
    const parts = parseHlc(stamp);
    if (!parts) continue;
    if (parts.wall > wall) {
      wall = parts.wall;
      count = parts.count + 1;
    } else if (parts.wall === wall && parts.count >= count) {
      count = parts.count + 1;
    }
  }
  return encodeHlc({ wall, count, writer });
}

/** Wall time of a stamp in milliseconds (0 for a malformed stamp). */
export function hlcWall(stamp: Hlc): number {
  return parseHlc(stamp)?.wall ?? 0;
}
