import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateVenueResponse } from '@djamms/protocol';
import { createVenue, startTestRelay, type TestRelay } from './helpers';

const THEME = "\n  document.documentElement.dataset.theme = 'dark';\n";
const START = '\r\n  import("./_app/start.js");\r\n';
/** A built page like SvelteKit's: inline scripts (one with CRLF line ends) and an external one. */
const PAGE = `<!doctype html><html><head><script>${THEME}</script>
<script src="./_app/env.js"></script></head><body><script type="module">${START}</script></body></html>`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('T21 nothing uploaded runs as a page on the relay origin', () => {
  let relay: TestRelay;
  let venue: CreateVenueResponse;
  let staticDir: string;

  beforeAll(async () => {
    staticDir = await mkdtemp(join(tmpdir(), 'djamms-static-'));
    await mkdir(join(staticDir, '_app'));
    await writeFile(join(staticDir, 'index.html'), PAGE);
    await writeFile(join(staticDir, 'shell.html'), PAGE);
    await writeFile(join(staticDir, '_app', 'start.js'), 'export {};');
    relay = await startTestRelay({ staticDir });
    venue = await createVenue(relay);
  });
  afterAll(async () => {
    await relay.dispose();
    await rm(staticDir, { recursive: true, force: true });
  });

  const upload = (body: Uint8Array, type: string | null) =>
    fetch(`${relay.url}/api/venues/${venue.venueId}/media`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${venue.adminToken}`,
        ...(type === null ? {} : { 'content-type': type }),
      },
      body,
    });

  it('RP19 pages, SVG, scripts and untyped uploads are refused with 415 naming the accepted types', async () => {
    const page = new TextEncoder().encode('<script>alert(document.domain)</script>');
    const sha = createHash('sha256').update(page).digest('hex');
    for (const type of [
      'text/html',
      'image/svg+xml',
      'application/javascript',
      'application/octet-stream',
      'text/html; charset=utf-8',
      'application/xhtml+xml',
      null,
    ]) {
      const res = await upload(page, type);
      expect(res.status).toBe(415);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('unsupported-media-type');
      expect(body.message).toContain('audio/*, video/*, image/avif, image/gif, image/jpeg');
    }
    expect((await fetch(`${relay.url}/media/${sha}`)).status).toBe(404);
  });

  it('RP19 audio, video and raster images are stored with their bare type in lower case', async () => {
    for (const [type, stored] of [
      ['audio/mpeg', 'audio/mpeg'],
      ['Audio/OGG; codecs=opus', 'audio/ogg'],
      ['video/mp4', 'video/mp4'],
      ['image/png', 'image/png'],
    ]) {
      const res = await upload(new TextEncoder().encode(`bytes of ${type}`), type!);
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ type: stored });
    }
  });

  it('RP27 media answers carry their type, nosniff, a sandbox policy and inline disposition', async () => {
    const bytes = new TextEncoder().encode('<html><script>alert(1)</script>');
    const { sha256: sha } = (await (await upload(bytes, 'audio/mpeg')).json()) as {
      sha256: string;
    };
    for (const init of [{}, { headers: { range: 'bytes=0-3' } }, { method: 'HEAD' }]) {
      const res = await fetch(`${relay.url}/media/${sha}`, init);
      expect(res.headers.get('content-type')).toBe('audio/mpeg');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(res.headers.get('content-disposition')).toBe('inline');
    }
  });

  it('RP27 a page stored before uploads were limited is served only as a download', async () => {
    const page = '<script>alert(document.domain)</script>';
    const sha = createHash('sha256').update(page).digest('hex');
    const dir = join(relay.dataDir, 'media');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, sha), page);
    await writeFile(join(dir, `${sha}.json`), JSON.stringify({ sha256: sha, type: 'text/html' }));
    const res = await fetch(`${relay.url}/media/${sha}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('RP27 every answer says nosniff: API, errors, preflight, health, app files', async () => {
    const answers = await Promise.all([
      fetch(`${relay.url}/healthz`),
      fetch(`${relay.url}/api/time`),
      fetch(`${relay.url}/api/nothing-here`),
      fetch(`${relay.url}/api/venues`, { method: 'POST' }),
      fetch(`${relay.url}/api/venues`, { method: 'OPTIONS' }),
      fetch(`${relay.url}/_app/start.js`),
      fetch(`${relay.url}/`),
      fetch(`${relay.url}/metrics`),
    ]);
    for (const res of answers) expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it("RP27 app pages allow their own inline scripts by hash, no others, and can't be framed", async () => {
    const expected =
      `script-src 'self' ${sha256(THEME)} ${sha256(START.replace(/\r\n/g, '\n'))}; ` +
      "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    for (const path of ['/', '/index.html', '/v/vAAAAAAAAAAAAAAAAAAAA/admin']) {
      const res = await fetch(relay.url + path);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toBe(expected);
    }
    const script = await fetch(`${relay.url}/_app/start.js`);
    expect(script.headers.get('content-security-policy')).toBeNull();
  });

  it('RP27 a new build of a page gets the policy of its new scripts', async () => {
    const other = '\n  console.log("new build");\n';
    await writeFile(join(staticDir, 'shell.html'), `<!doctype html><script>${other}</script>`);
    const res = await fetch(`${relay.url}/v/vAAAAAAAAAAAAAAAAAAAA/admin`);
    expect(res.headers.get('content-security-policy')).toContain(
      `script-src 'self' ${sha256(other)};`,
    );
  });
});
