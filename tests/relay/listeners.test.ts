import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { eventually } from '@djamms/test-harness';
import { api, connect, createVenue, roomState, startTestRelay, synced, metric } from './helpers';

const temps: string[] = [];
const tempDir = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

describe('listeners and modes', () => {
  it('RP22 --tls-cert/--tls-key serve HTTPS and WSS on one port (self-signed certificate)', async () => {
    const dir = await tempDir('djamms-tls-');
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
    const cert = await readFile(certPath);
    const relay = await startTestRelay({ tls: { cert, key: await readFile(keyPath) } });
    try {
      expect(relay.url.startsWith('https://')).toBe(true);
      const body = await new Promise<string>((resolve, reject) => {
        request(`${relay.url}/healthz`, { ca: cert }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(JSON.parse(body)).toMatchObject({ ok: true });
      const venue = await new Promise<{ venueId: string; adminToken: string }>(
        (resolve, reject) => {
          const req = request(
            `${relay.url}/api/venues`,
            { ca: cert, method: 'POST', headers: { authorization: `Bearer ${relay.operatorKey}` } },
            (res) => {
              let text = '';
              res.on('data', (c: Buffer) => (text += c.toString()));
              res.on('end', () => resolve(JSON.parse(text)));
            },
          );
          req.on('error', reject);
          req.end(JSON.stringify({ name: 'TLS bar' }));
        },
      );
      const ws = new WebSocket(`${relay.wsUrl}/${venue.venueId}?token=${venue.adminToken}`, {
        ca: cert,
      });
      const first = await new Promise<Buffer>((resolve, reject) => {
        ws.once('message', (data: Buffer) => resolve(data));
        ws.once('error', reject);
      });
      expect(first[0]).toBe(0);
      ws.close();
    } finally {
      await relay.dispose();
    }
  });

  it('RP15 --ephemeral writes nothing to disk and forgets a room when its clients leave', async () => {
    const dataDir = await tempDir('djamms-ephemeral-');
    const relay = await startTestRelay({ ephemeral: true, dataDir });
    try {
      const venue = await createVenue(relay);
      const a = connect(relay.wsUrl, venue.venueId, venue.adminToken);
      await synced(a);
      a.doc.getMap('m').set('k', 1);
      const b = connect(relay.wsUrl, venue.venueId, venue.adminToken);
      await synced(b);
      await eventually(() => expect(b.doc.getMap('m').get('k')).toBe(1));
      a.destroy();
      b.destroy();
      await eventually(async () => expect(await metric(relay, 'djamms_rooms_open')).toBe(0));
      const state = await roomState(relay, venue.venueId, venue.adminToken);
      expect(state.getMap('m').size).toBe(0);
      const journal = await api(relay.url, 'POST', `/api/venues/${venue.venueId}/journal`, {
        token: venue.adminToken,
        body: { entries: [{ id: 'x', kind: 'played', at: 1 }] },
      });
      expect(journal.status).toBe(200);
      expect(await readdir(dataDir)).toEqual([]);
    } finally {
      await relay.dispose();
    }
  });

  it('RP16 a quiet socket gets a harmless keepalive so stock clients never time out', async () => {
    const relay = await startTestRelay({ keepaliveMs: 50 });
    try {
      const venue = await createVenue(relay);
      const ws = new WebSocket(`${relay.wsUrl}/${venue.venueId}?token=${venue.adminToken}`);
      const received: number[][] = [];
      ws.on('message', (data: Buffer) => received.push([...data]));
      await eventually(() => expect(received).toContainEqual([1, 1, 0]));
      const viewer = connect(relay.wsUrl, venue.venueId, venue.adminToken);
      viewer.awareness.setLocalState(null);
      await synced(viewer);
      const before = viewer.wsLastMessageReceived;
      await eventually(() => expect(viewer.wsLastMessageReceived).toBeGreaterThan(before), {
        timeoutMs: 3000,
      });
      expect(viewer.wsconnected).toBe(true);
      viewer.destroy();
      ws.close();
    } finally {
      await relay.dispose();
    }
  });

  it('RP21 a built PWA directory is served with an SPA fallback; /api stays JSON', async () => {
    const staticDir = await tempDir('djamms-static-');
    await mkdir(join(staticDir, 'assets'));
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>DJAMMS</title>');
    await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    const relay = await startTestRelay({ staticDir });
    try {
      const deep = await fetch(`${relay.url}/venue/abc/player`);
      expect(deep.status).toBe(200);
      expect(await deep.text()).toContain('<title>DJAMMS</title>');
      const js = await fetch(`${relay.url}/assets/app.js`);
      expect(js.headers.get('content-type')).toContain('text/javascript');
      expect((await fetch(`${relay.url}/assets/missing.js`)).status).toBe(404);
      expect((await fetch(`${relay.url}/..%2F..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
      expect((await fetch(`${relay.url}/%E0%A4%A.js`)).status).toBe(404);
      const apiMiss = await api(relay.url, 'GET', '/api/unknown');
      expect(apiMiss).toMatchObject({ status: 404, body: { error: 'not-found' } });
    } finally {
      await relay.dispose();
    }
  });
});
