import type { Redis } from 'ioredis';

/**
 * Appends an entry to a stream that Redis trims to about its newest `length` entries (whole nodes
 * at a time): field `n` the node that wrote it, then one field of its own (the room bus's messages,
 * RP50; the rate share's counts, RP45).
 */
export function appendEntry(
  redis: Redis,
  key: string,
  length: number,
  node: string | Buffer,
  field: string,
  value: string | Buffer,
): Promise<string | null> {
  return redis.xadd(key, 'MAXLEN', '~', length, '*', 'n', node, field, value);
}
