import { writeSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsyncs a directory so a rename inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces a whole file atomically with what `write` puts in it: temp file, fsync, rename over the
 * target, fsync the directory. A crash leaves the old content or the new one, never a mix. For
 * content too large to hold in memory at once (a compacted journal).
 */
export async function replaceFileDurably(
  path: string,
  write: (handle: FileHandle) => Promise<void>,
  mode = 0o644,
): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  const handle = await open(temp, 'w', mode);
  try {
    await write(handle);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await fsyncDir(dirname(path));
}

/**
 * Writes all of `data` at the end of an open file, synchronously. For the small appends of a
 * group commit (a page-cache copy, no fsync) this costs about 3 µs, where the thread-pool round
 * trip of an asynchronous write costs 25–60 µs of CPU; the fsync that follows stays asynchronous.
 */
export function appendNow(fd: number, data: Uint8Array): void {
  let at = 0;
  while (at < data.byteLength) at += writeSync(fd, data, at, data.byteLength - at);
}

/** Writes a whole file atomically (see {@link replaceFileDurably}). */
export function writeFileDurably(
  path: string,
  data: Uint8Array | string,
  mode = 0o644,
): Promise<void> {
  return replaceFileDurably(path, (handle) => handle.writeFile(data), mode);
}
