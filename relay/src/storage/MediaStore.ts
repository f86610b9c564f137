import type { Readable } from 'node:stream';

/** A stored media file. */
export interface MediaRecord {
  readonly sha256: string;
  readonly size: number;
  /** The media type given at upload, bare and lower case (RP19). */
  readonly type: string;
}

/** An upload went past its size limit; nothing of it was kept. */
export class MediaTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`media larger than ${limit} bytes`);
    this.name = 'MediaTooLarge';
  }
}

/**
 * Content-addressed media (RP19): files named by the SHA-256 of their bytes, each with the type it
 * was uploaded with. The disk store is the single-node one; a store shared by relay nodes
 * (cluster mode) implements the same interface. Every implementation passes
 * media-store-contract.ts.
 */
export interface MediaStore {
  /**
   * Streams `body` in while hashing it. Rejects with {@link MediaTooLarge} past `limit` bytes, or
   * with the body's error, keeping nothing. Bytes already stored are stored once: the answer is
   * then the stored record, with `fresh` false.
   */
  put(body: Readable, type: string, limit: number): Promise<MediaRecord & { fresh: boolean }>;
  /** The stored record, or null. */
  stat(sha256: string): Promise<MediaRecord | null>;
  /** The stored bytes, or those from `start` to `end` inclusive; null if there is no such file. */
  read(sha256: string, range?: { start: number; end: number }): Promise<Readable | null>;
}
