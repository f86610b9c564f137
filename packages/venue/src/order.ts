/**
 * Order keys (VM9): strings that sort between any two others, so an entry can be placed anywhere
 * without renumbering its neighbours. Keys are those of the `fractional-indexing` package: a
 * variable-length integer head (`a0`…`az`, `b00`…, and `Zz`… below) then a base-62 fraction, so
 * appending or prepending grows a key logarithmically with the count, never one character per few
 * appends. Ties (two devices choosing the same key offline) break on entry id.
 */
import { BASE_62_DIGITS, generateKeyBetween } from 'fractional-indexing';
import { LIMITS } from './schema';

const KEY_PATTERN = /^[A-Za-z][0-9A-Za-z]*$/;
const SMALLEST_INTEGER = `A${'0'.repeat(26)}`;

/** Length of the integer part a head character announces (`a` → 2, `b` → 3, `Z` → 2, `A` → 27). */
function integerLength(head: string): number {
  return head >= 'a' ? head.charCodeAt(0) - 95 : 92 - head.charCodeAt(0);
}

/** True when `key` is a usable order key: well-formed and at most {@link LIMITS.orderKey} long. */
export function isOrderKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length > LIMITS.orderKey || !KEY_PATTERN.test(key)) {
    return false;
  }
  const int = integerLength(key[0]!);
  if (key.length < int) return false;
  if (key.length > int && key.endsWith('0')) return false;
  return key !== SMALLEST_INTEGER;
}

/**
 * A key strictly between `before` and `after` (null for "the start" or "the end"), or null when that
 * key would be longer than the validator accepts (so the caller refuses rather than writing a key
 * every replica would drop). Throws when `before >= after`, which only a broken caller can cause.
 */
export function keyBetween(before: string | null, after: string | null): string | null {
  if (before !== null && after !== null && before >= after) {
    throw new Error(`keyBetween: ${before} is not before ${after}`);
  }
  const key = generateKeyBetween(before, after);
  return isOrderKey(key) ? key : null;
}

const integerKeys: string[] = [];

/**
 * The key of position `index` in a list written whole (a loaded playlist): the integer keys
 * `a0, a1, … az, b00, …`, exactly the keys that appending one by one would give. Computed, never
 * stored, so a programme base costs nothing per entry for its keys.
 */
export function nthKey(index: number): string {
  let key = integerKeys[index];
  if (key !== undefined) return key;
  let rest = index;
  let width = 1;
  while (rest >= BASE_62_DIGITS.length ** width) {
    rest -= BASE_62_DIGITS.length ** width;
    width++;
  }
  let digits = '';
  for (let d = 0; d < width; d++) {
    digits = BASE_62_DIGITS[rest % BASE_62_DIGITS.length]! + digits;
    rest = Math.floor(rest / BASE_62_DIGITS.length);
  }
  key = String.fromCharCode(96 + width) + digits;
  if (index < 100_000) integerKeys[index] = key;
  return key;
}

/**
 * Reads a schema-1 order key (a bare base-62 fraction such as `V` or `g8`) as a key of this
 * scheme that sorts the same way: every schema-1 key lies between `a0` and `a1`.
 */
export function legacyKey(key: string): string | null {
  return /^[0-9A-Za-z]{1,62}$/.test(key) && !key.endsWith('0') ? `a0${key}` : null;
}

/** Compares two (key, id) pairs: the order of entries in a lane or programme. */
export function compareByKey(a: { key: string; id: string }, b: { key: string; id: string }) {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A 32-bit FNV-1a hash: the deterministic shuffle rank of an entry under a seed (VM7). */
export function shuffleRank(seed: number, id: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return hash >>> 0;
}
