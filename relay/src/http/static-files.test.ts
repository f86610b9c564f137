import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from './static-files';

const HOME = '<!doctype html><title>DJAMMS</title><h1>DJAMMS</h1>'.repeat(20);
const SHELL = '<!doctype html><title>DJAMMS</title>'.repeat(20);
const CHUNK = 'export const x = "chunk";\n'.repeat(50);

/** A build/ as `npm run build` leaves it: files, some with `.br` and `.gz` beside them. */
async function writeBuild(dir: string) {
  const files: Record<string, string | Buffer> = {
    'index.html': HOME,
    'index.html.br': brotliCompressSync(HOME),
    'index.html.gz': gzipSync(HOME),
    'shell.html': SHELL,
    'shell.html.br': brotliCompressSync(SHELL),
    'shell.html.gz': gzipSync(SHELL),
    '_app/immutable/chunks/a1.js': CHUNK,
    '_app/immutable/chunks/a1.js.br': brotliCompressSync(CHUNK),
    '_app/immutable/chunks/a1.js.gz': gzipSync(CHUNK),
    // Brotli did not pay off for this one: only gzip is there.
    '_app/immutable/chunks/only-gz.js': CHUNK,
    '_app/immutable/chunks/only-gz.js.gz': gzipSync(CHUNK),
    'service-worker.js': CHUNK,
    'manifest.webmanifest': '{"name":"DJAMMS"}',
    'icon-192.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
  };
  for (const [path, body] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), body);
  }
  await writeFile(join(dir, '..', 'secret.txt'), 'not for the web');
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

describe('serveStatic', () => {
  let parent: string;
  let server: Server;
  let base: string;

  /** A raw request (fetch would add its own Accept-Encoding and decode the body). */
  function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
    return new Promise<Answer>((resolve, reject) => {
      const req = request(base, { path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'djamms-static-'));
    const dir = join(parent, 'build');
    await writeBuild(dir);
    server = createServer((req, res) => {
      const { pathname } = new URL(req.url ?? '/', 'http://relay');
      void serveStatic(dir, req, res, pathname).then((served) => {
        if (!served) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(parent, { recursive: true, force: true });
  });

  it('RP21 sends the brotli variant when the request accepts br', async () => {
    const res = await get('/_app/immutable/chunks/a1.js', { 'accept-encoding': 'gzip, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.equals(brotliCompressSync(CHUNK))).toBe(true);
    expect(res.headers.vary).toBe('Accept-Encoding');
  });

  it('RP21 falls back to gzip when br is not accepted or has no variant', async () => {
    const gzipOnly = await get('/_app/immutable/chunks/a1.js', { 'accept-encoding': 'gzip' });
    expect(gzipOnly.headers['content-encoding']).toBe('gzip');
    expect(gzipOnly.body.equals(gzipSync(CHUNK))).toBe(true);
    const refused = await get('/index.html', { 'accept-encoding': 'br;q=0, gzip;q=0.5' });
    expect(refused.headers['content-encoding']).toBe('gzip');
    const noBrFile = await get('/_app/immutable/chunks/only-gz.js', {
      'accept-encoding': 'br, gzip',
    });
    expect(noBrFile.headers['content-encoding']).toBe('gzip');
    expect(Number(noBrFile.headers['content-length'])).toBe(noBrFile.body.length);
  });

  it('RP21 sends the file itself without an Accept-Encoding it can honour', async () => {
    const none: Record<string, string>[] = [
      {},
      { 'accept-encoding': 'identity' },
      { 'accept-encoding': 'deflate' },
    ];
    for (const headers of none) {
      const res = await get('/_app/immutable/chunks/a1.js', headers);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.body.toString()).toBe(CHUNK);
      expect(res.headers['content-length']).toBe(String(CHUNK.length));
      expect(res.headers.vary).toBe('Accept-Encoding');
    }
    const png = await get('/icon-192.png', { 'accept-encoding': 'br, gzip' });
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers['content-type']).toBe('image/png');
    const any = await get('/index.html', { 'accept-encoding': '*' });
    expect(any.headers['content-encoding']).toBe('br');
  });

  it('RP21 caches hashed files for a year and revalidates the shell, worker and manifest', async () => {
    const chunk = await get('/_app/immutable/chunks/a1.js', { 'accept-encoding': 'br' });
    expect(chunk.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const path of [
      '/',
      '/index.html',
      '/v/venue1/admin',
      '/service-worker.js',
      '/manifest.webmanifest',
    ]) {
      const res = await get(path, { 'accept-encoding': 'br' });
      expect(res.status, path).toBe(200);
      expect(res.headers['cache-control'], path).toBe('no-cache');
    }
  });

  it('RP21 falls back to the compressed shell for app routes, and answers HEAD', async () => {
    const route = await get('/v/venue1/admin', { 'accept-encoding': 'br' });
    expect(route.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(route.headers['content-encoding']).toBe('br');
    expect(route.headers['cache-control']).toBe('no-cache');
    expect(route.body.equals(brotliCompressSync(SHELL))).toBe(true);
    const home = await get('/', { 'accept-encoding': 'br' });
    expect(home.body.equals(brotliCompressSync(HOME))).toBe(true);
    const head = await get('/index.html', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.headers['content-length']).toBe(String(gzipSync(HOME).length));
    expect(head.body.length).toBe(0);
  });

  it('RP21 answers 404 for a missing file, a wrong method and a path out of the build', async () => {
    expect((await get('/_app/immutable/chunks/gone.js')).status).toBe(404);
    expect((await get('/index.html', {}, 'POST')).status).toBe(404);
    expect((await get('/..%2fsecret.txt')).status).toBe(404);
    expect((await get('/%2e%2e%2fsecret.txt')).status).toBe(404);
  });
});
