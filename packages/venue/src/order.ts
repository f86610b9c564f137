/**
 * Order keys: strings that sort between any two others, so an entry can be placed anywhere without
 * renumbering its neighbours. Ties (two devices choosing the same key offline) break on entry id.
 */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ZERO = DIGITS[0] as string;
const KEY_PATTERN = /^[0-9A-Za-z]{1,64}$/;

/** True when `key` is a usable order key (no trailing zero digit, bounded length). */
export function isOrderKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key) && !key.endsWith(ZERO);
}

function digit(char: string): number {
  return DIGITS.indexOf(char);
}

function midpoint(a: string, b: string | null): string {
  if (b !== null) {
    let n = 0;
    while ((a[n] ?? ZERO) === b[n]) n++;
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
  }
  const low = a ? digit(a[0] as string) : 0;
  const high = b !== null ? digit(b[0] as string) : DIGITS.length;
  if (high - low > 1) return DIGITS[Math.round((low + high) / 2)] as string;
  if (b !== null && b.length > 1) return b.slice(0, 1);
  return (DIGITS[low] as string) + midpoint(a.slice(1), null);
}

/**
 * A key strictly between `before` and `after` (either may be null for "the start" or "the end").
 * Throws when `before >= after`, which only a broken caller can cause.
 */
export function keyBetween(before: string | null, after: string | null): string {
  if (before !== null && after !== null && before >= after) {
    throw new Error(`keyBetween: ${before} is not before ${after}`);
  }
  return midpoint(before ?? '', after);
}

/** `count` evenly spaced keys, for loading a whole playlist at once. */
export function spreadKeys(count: number): string[] {
  const width = Math.max(1, Math.ceil(Math.log(count + 1) / Math.log(DIGITS.length)) + 1);
  const span = DIGITS.length ** width;
  const step = Math.floor(span / (count + 1));
  const keys: string[] = [];
  for (let i = 1; i <= count; i++) {
    let value = i * step;
    let key = '';
    for (let d = 0; d < width; d++) {
      key = (DIGITS[value % DIGITS.length] as string) + key;
      value = Math.floor(value / DIGITS.length);
    }
    keys.push(key.replace(/0+$/, '') || (DIGITS[1] as string));
  }
  return keys;
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
