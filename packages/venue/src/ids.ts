/** Random ids from the random source passed in (never Math.random: the model is deterministic). */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A random id such as `e3k9x0q2m1z7a` (prefix + 12 base-36 characters, about 62 bits). */
export function randomId(random: () => number, prefix: string): string {
  let id = prefix;
  for (let i = 0; i < 12; i++) id += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return id;
}
