import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DiskMediaStore } from './DiskMediaStore';
import { mediaStoreContract } from './media-store-contract';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'djamms-media-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('DiskMediaStore', () => {
  mediaStoreContract(async () => new DiskMediaStore(join(await tempDir(), 'media')));

  it('RP19 a file is <sha256> beside <sha256>.json, and a refused upload leaves no temp file', async () => {
    const dir = join(await tempDir(), 'media');
    const store = new DiskMediaStore(dir);
    const { sha256 } = await store.put(Readable.from([Buffer.from('abc')]), 'audio/ogg', 3);
    await expect(store.put(Readable.from([Buffer.from('abcd')]), 'audio/ogg', 3)).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual([sha256, `${sha256}.json`]);
  });
});
