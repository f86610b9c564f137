import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, replaceFileDurably } from './durable-file';

/** Bytes read from a journal file at a time while loading or compacting it. */
const CHUNK_BYTES = 1024 * 1024;

/** A byte range `[start, end)` of a journal file. */
export type ByteRange = readonly [start: number, end: number];

/**
 * Streams the complete lines of a journal file (without their newline) to `onLine` until it refuses
 * one (returns false) or the file ends; never holds more than a chunk and one line in memory.
 * Returns the length of the accepted prefix and the file's size (null when there is no file). A
 * last line without a newline (a crash mid-write) is never accepted.
 */
export async function scanLines(
  path: string,
  onLine: (line: Buffer, offset: number) => boolean,
): Promise<{ good: number; size: number } | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    let good = 0;
    let carry: Buffer = Buffer.alloc(0);
    const stream = handle.createReadStream({ highWaterMark: CHUNK_BYTES, autoClose: false });
    for await (const chunk of stream) {
      const data =
        carry.byteLength > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      let start = 0;
      for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a, start)) {
        if (!onLine(data.subarray(start, end), good)) return { good, size };
        good += end + 1 - start;
        start = end + 1;
      }
      carry = data.subarray(start);
    }
    return { good, size };
  } finally {
    await handle.close();
  }
}

/**
 * Copies the `damaged` byte ranges of a journal file aside (`<file>.corrupt-<time>`, fsynced), then
 * rewrites the file with only its `kept` ranges, in order (atomically).
 */
export async function setAside(
  path: string,
  kept: readonly ByteRange[],
  damaged: readonly ByteRange[],
  now: number,
): Promise<void> {
  const aside = await open(`${path}.corrupt-${now}`, 'w');
  try {
    for (const [start, end] of damaged) {
      if (end > start) await aside.write(await readRange(path, [start, end]));
    }
    await aside.sync();
  } finally {
    await aside.close();
  }
  await keepRanges(path, kept);
}

/** Reads `[start, end)` of a file. */
export async function readRange(path: string, [start, end]: ByteRange): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const out = Buffer.allocUnsafe(end - start);
    let done = 0;
    while (done < out.byteLength) {
      const { bytesRead } = await handle.read(out, done, out.byteLength - done, start + done);
      if (bytesRead === 0) throw new Error(`${path} ended before byte ${end}`);
      done += bytesRead;
    }
    return out;
  } finally {
    await handle.close();
  }
}

/** Appends lines and fsyncs them before resolving; the directory too when the file is new. */
export async function appendDurably(path: string, text: string, isNew: boolean): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.write(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (isNew) await fsyncDir(dirname(path));
}

/**
 * Rewrites a journal file with only the given byte ranges of itself, in order (compaction):
 * streamed through a temp file that replaces the old one atomically.
 */
export async function keepRanges(path: string, ranges: readonly ByteRange[]): Promise<void> {
  const source = await open(path, 'r');
  try {
    await replaceFileDurably(path, async (target) => {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      for (const [start, end] of ranges) {
        for (let at = start; at < end;) {
          const { bytesRead } = await source.read(buffer, 0, Math.min(CHUNK_BYTES, end - at), at);
          if (bytesRead === 0) throw new Error(`${path} ended before byte ${end}`);
          await target.write(buffer, 0, bytesRead);
          at += bytesRead;
        }
      }
    });
  } finally {
    await source.close();
  }
}
