import { crc32 } from 'node:zlib';

/**
 * Log frames: `[u32 length][u32 crc32(payload)][payload]`, little endian. A frame whose header or
 * payload runs past the end of the file, or whose checksum does not match, ends the readable log.
 */
export const FRAME_HEADER = 8;

/** Encodes updates as consecutive frames in one buffer (one write, one fsync). */
export function encodeFrames(payloads: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const p of payloads) size += FRAME_HEADER + p.byteLength;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of payloads) {
    out.set(p, at + FRAME_HEADER);
    at = sealFrame(out, at, at + FRAME_HEADER + p.byteLength);
  }
  return out;
}

/**
 * Writes the header of the frame at `at` whose payload is already in place, from
 * `at + FRAME_HEADER` up to `end`. Returns `end`, where the next frame starts.
 */
export function sealFrame(out: Buffer, at: number, end: number): number {
  out.writeUInt32LE(end - at - FRAME_HEADER, at);
  out.writeUInt32LE(crc32(out.subarray(at + FRAME_HEADER, end)), at + 4);
  return end;
}

/** The readable frames of a log and where the good bytes end. */
export interface DecodedFrames {
  readonly payloads: Uint8Array[];
  /** Bytes of good frames; anything after this is a torn or corrupt tail. */
  readonly goodBytes: number;
}

/** Reads frames until the end or the first torn/corrupt frame. */
export function decodeFrames(data: Buffer): DecodedFrames {
  const payloads: Uint8Array[] = [];
  let at = 0;
  while (at + FRAME_HEADER <= data.byteLength) {
    const length = data.readUInt32LE(at);
    const sum = data.readUInt32LE(at + 4);
    const end = at + FRAME_HEADER + length;
    if (end > data.byteLength) break;
    const payload = data.subarray(at + FRAME_HEADER, end);
    if (crc32(payload) !== sum) break;
    payloads.push(new Uint8Array(payload));
    at = end;
  }
  return { payloads, goodBytes: at };
}
