/**
 * Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9) beside every compressible
 * file of the built app, each only when it is smaller than the file, so the relay sends compressed
 * bytes without compressing on every request. Run by `npm run build` after `vite build`.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.json', '.svg', '.webmanifest', '.txt']);
const ENCODINGS = {
  br: (bytes: Buffer) =>
    promisify(brotliCompress)(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  gz: (bytes: Buffer) => promisify(gzip)(bytes, { level: 9 }),
};

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Compresses every compressible file under `dir`; answers the bytes before and after brotli. */
export async function precompress(
  dir: string,
): Promise<{ files: number; raw: number; br: number }> {
  const files = (await filesUnder(dir)).filter((f) => COMPRESSIBLE.has(extname(f)));
  const totals = { files: files.length, raw: 0, br: 0 };
  await Promise.all(
    files.map(async (file) => {
      const bytes = await readFile(file);
      totals.raw += bytes.length;
      for (const [suffix, compress] of Object.entries(ENCODINGS)) {
        const packed = await compress(bytes);
        if (packed.length < bytes.length) await writeFile(`${file}.${suffix}`, packed);
        if (suffix === 'br') totals.br += Math.min(packed.length, bytes.length);
      }
    }),
  );
  return totals;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../../build', import.meta.url));
  const { files, raw, br } = await precompress(dir);
  console.error(`Precompressed ${files} files in ${dir}: ${raw} bytes, ${br} with brotli.`);
}
