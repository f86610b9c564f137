import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompress } from './precompress';

describe('precompress', () => {
  let dir: string;
  const chunk = 'export const track = "Blue Monday";\n'.repeat(200);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'djamms-precompress-'));
    await mkdir(join(dir, '_app', 'immutable'), { recursive: true });
    await writeFile(join(dir, '_app', 'immutable', 'a.js'), chunk);
    await writeFile(join(dir, 'tiny.json'), '{}');
    await writeFile(join(dir, 'icon.png'), Buffer.alloc(2000));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes .br and .gz beside text files, only where they are smaller', async () => {
    const totals = await precompress(dir);
    expect(totals.files).toBe(2);
    const js = join(dir, '_app', 'immutable', 'a.js');
    expect(brotliDecompressSync(await readFile(`${js}.br`)).toString()).toBe(chunk);
    expect(gunzipSync(await readFile(`${js}.gz`)).toString()).toBe(chunk);
    expect((await readFile(`${js}.br`)).length).toBeLessThan(chunk.length / 10);
    // Two bytes do not compress; a PNG is compressed already.
    expect(existsSync(join(dir, 'tiny.json.br'))).toBe(false);
    expect(existsSync(join(dir, 'tiny.json.gz'))).toBe(false);
    expect(existsSync(join(dir, 'icon.png.br'))).toBe(false);
  });
});
