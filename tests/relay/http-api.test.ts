import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import * as Y from 'yjs';
import { eventually } from '@djamms/test-harness';
import {
  CloseCode,
  type CreateVenueResponse,
  type DemoLibrary,
  type DeviceInfo,
  type JournalPage,
} from '@djamms/protocol';
import { DEFAULT_LIMITS } from 'djamms-relay';
import {
  api,
  closeCode,
  connect,
  createVenue,
  guestToken,
  pairDevice,
  startTestRelay,
  synced,
  type TestRelay,
} from './helpers';
import { decodeHttpSyncAnswer, encodeHttpSyncRequest } from '@djamms/protocol';

describe('HTTP API', () => {
  let relay: TestRelay;
  let venue: CreateVenueResponse;

  beforeAll(async () => {
    relay = await startTestRelay();
    venue = await createVenue(relay);
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('RP17 errors are {error, message} with the right status', async () => {
    const noKey = await api(relay.url, 'POST', '/api/venues', { body: { name: 'x' } });
    expect(noKey.status).toBe(401);
    expect(noKey.body).toMatchObject({
      error: 'operator-key-required',
      message: expect.any(String),
    });
    const badName = await api(relay.url, 'POST', '/api/venues', {
      token: relay.operatorKey,
      body: { name: '' },
    });
    expect(badName).toMatchObject({ status: 400, body: { error: 'invalid-name' } });
    const missing = await api(relay.url, 'GET', '/api/nothing');
    expect(missing).toMatchObject({ status: 404, body: { error: 'not-found' } });
    const verb = await fetch(`${relay.url}/api/venues`, { method: 'DELETE' });
    expect(verb.status).toBe(405);
    expect(await verb.json()).toMatchObject({ error: 'method-not-allowed' });
    expect(verb.headers.get('allow')).toBe('POST, OPTIONS');
    const device = await fetch(`${relay.url}/api/venues/v/devices/d`, { method: 'PUT' });
    expect(device.headers.get('allow')).toBe('PATCH, DELETE, OPTIONS');
    await device.arrayBuffer();
  });

  it('RP17 a request whose target is not a path gets 400, not a crashed relay', async () => {
    const get = (target: string, headers = 'Connection: close\r\n') =>
      rawHttp(relay.port, `GET ${target} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`);
    const upgrade =
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
    for (const target of ['*', 'http://[/', 'ftp://x/']) {
      const answer = await get(target);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"error":"invalid-target"');
    }
    expect(await get('http://[/sync/x', upgrade)).toMatch(/^HTTP\/1\.1 404 /);
    // `new URL('//[', base)` throws: such a path once took the relay down; it names nothing here.
    expect(await get('//[')).toMatch(/^HTTP\/1\.1 404 /);
    expect(await get('//[/sync/x', upgrade)).toMatch(/^HTTP\/1\.1 404 /);
    // A path starting with // is a path, not a host: `//api/time` is not `/time` of a host `api`.
    expect(await get('//api/time')).toMatch(/^HTTP\/1\.1 404 /);
    // An absolute-form target is read by its path.
    expect(await get('http://x/api/time')).toMatch(/^HTTP\/1\.1 200 /);
    expect((await api(relay.url, 'GET', '/api/time')).status).toBe(200);
  });

  it('RP17 a refused WebSocket upgrade is answered in JSON too', async () => {
    const upgrade = (target: string, headers: string, method = 'GET') =>
      rawHttp(
        relay.port,
        `${method} ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\n${headers}\r\n`,
      );
    const key = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
    const cases: [string, string, string, number, string][] = [
      ['/api/time', `${key}Sec-WebSocket-Version: 13\r\n`, 'GET', 404, 'not-found'],
      [
        '/sync/x',
        'Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n',
        'GET',
        400,
        'bad-upgrade',
      ],
      ['/sync/x', `${key}Sec-WebSocket-Version: 99\r\n`, 'GET', 400, 'bad-upgrade'],
      [
        '/sync/x',
        `${key}Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n`,
        'POST',
        405,
        'bad-upgrade',
      ],
    ];
    for (const [target, headers, method, status, error] of cases) {
      const answer = await upgrade(target, headers, method);
      expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer).toContain('Content-Type: application/json');
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
        error,
        message: expect.any(String),
      });
    }
    expect(await upgrade('/sync/x', `${key}Sec-WebSocket-Version: 99\r\n`)).toContain(
      'Sec-WebSocket-Version: 13, 8',
    );
  });

  it('RP24 the demo library is music the relay made: stored media, the same on every request', async () => {
    const first = await api(relay.url, 'GET', '/api/demo-library');
    expect(first.status).toBe(200);
    const { tracks } = first.body as unknown as DemoLibrary;
    expect(tracks.length).toBeGreaterThanOrEqual(4);
    for (const t of tracks) {
      expect(t).toMatchObject({ title: expect.any(String), artist: expect.any(String) });
      expect(t.durationMs).toBeGreaterThan(15_000);
      const file = await fetch(`${relay.url}/media/${t.media.sha256}`);
      expect(file.headers.get('content-type')).toBe('audio/wav');
      const bytes = new Uint8Array(await file.arrayBuffer());
      expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(t.media.sha256);
    }
    const again = await api(relay.url, 'GET', '/api/demo-library');
    expect(again.body).toEqual(first.body);
  });

  it('RP6 a shared library: a second venue created with libraryId opens the same library room', async () => {
    const second = await createVenue(relay, 'Second room', venue.libraryId);
    expect(second.libraryId).toBe(venue.libraryId);
    const bogus = await api(relay.url, 'POST', '/api/venues', {
      token: relay.operatorKey,
      body: { name: 'x', libraryId: 'l' + 'z'.repeat(20) },
    });
    expect(bogus).toMatchObject({ status: 404, body: { error: 'library-not-found' } });
  });

  it('RP1 a shared library room opens with either venue token; each venue room only with its own', async () => {
    const second = await createVenue(relay, 'Terrace', venue.libraryId);
    const a = connect(relay.wsUrl, venue.libraryId, venue.adminToken);
    const b = connect(relay.wsUrl, second.libraryId, second.adminToken);
    await Promise.all([synced(a), synced(b)]);
    a.doc.getMap('tracks').set('shared', 'yes');
    await eventually(() => expect(b.doc.getMap('tracks').get('shared')).toBe('yes'));
    const denied = connect(relay.wsUrl, venue.venueId, second.adminToken);
    expect(await closeCode(denied)).toBe(CloseCode.forbidden);
    [a, b, denied].forEach((p) => p.destroy());
  });

  it('RP6 pairing codes are single use and yield a listed device', async () => {
    const code = await api<{ code: string; expiresAt: number }>(
      relay.url,
      'POST',
      `/api/venues/${venue.venueId}/pairing-codes`,
      { token: venue.adminToken, body: { role: 'player', name: 'Bar TV' } },
    );
    expect(code.status).toBe(201);
    expect(code.body.expiresAt).toBeGreaterThan(Date.now());
    const first = await api<{ role: string; token: string; deviceId: string }>(
      relay.url,
      'POST',
      '/api/pair',
      {
        body: { code: code.body.code },
      },
    );
    expect(first.status).toBe(200);
    expect(first.body.role).toBe('player');
    const second = await api(relay.url, 'POST', '/api/pair', { body: { code: code.body.code } });
    expect(second).toMatchObject({ status: 404, body: { error: 'code-not-found' } });
    const devices = await api<{ devices: DeviceInfo[] }>(
      relay.url,
      'GET',
      `/api/venues/${venue.venueId}/devices`,
      {
        token: venue.adminToken,
      },
    );
    expect(devices.body.devices.map((d) => [d.name, d.role])).toContainEqual(['Bar TV', 'player']);
    const asPlayer = await api(relay.url, 'POST', `/api/venues/${venue.venueId}/pairing-codes`, {
      token: first.body.token,
      body: { role: 'admin' },
    });
    expect(asPlayer).toMatchObject({ status: 403, body: { error: 'role-forbidden' } });
  });

  it('RP18 journal appends are idempotent by entry id and paged by cursor', async () => {
    const path = `/api/venues/${venue.venueId}/journal`;
    const batch = {
      entries: [
        { id: 'e1', kind: 'played', at: 1, data: { track: 't1' } },
        { id: 'e2', kind: 'played', at: 2, data: { track: 't2' } },
      ],
    };
    const first = await api<{ appended: number }>(relay.url, 'POST', path, {
      token: venue.adminToken,
      body: batch,
    });
    const retry = await api<{ appended: number }>(relay.url, 'POST', path, {
      token: venue.adminToken,
      body: batch,
    });
    expect([first.body.appended, retry.body.appended]).toEqual([2, 0]);
    const page1 = await api<JournalPage>(relay.url, 'GET', `${path}?after=0&limit=1`, {
      token: venue.adminToken,
    });
    expect(page1.body.entries.map((e) => e.id)).toEqual(['e1']);
    const page2 = await api<JournalPage>(relay.url, 'GET', `${path}?after=${page1.body.cursor}`, {
      token: venue.adminToken,
    });
    expect(page2.body.entries.map((e) => e.id)).toEqual(['e2']);
  });

  it('RP18 guests may append only request and vote entries; viewers none', async () => {
    const path = `/api/venues/${venue.venueId}/journal`;
    const guest = await guestToken(relay, venue);
    const ok = await api(relay.url, 'POST', path, {
      token: guest,
      body: {
        entries: [
          { id: 'g1', kind: 'request', at: 3, data: { track: 't9' } },
          { id: 'g2', kind: 'vote', at: 4 },
        ],
      },
    });
    expect(ok.status).toBe(200);
    const skip = await api(relay.url, 'POST', path, {
      token: guest,
      body: { entries: [{ id: 'g3', kind: 'skip', at: 5 }] },
    });
    expect(skip).toMatchObject({ status: 403, body: { error: 'journal-kind-forbidden' } });
    const viewer = await pairDevice(relay, venue, 'viewer');
    const denied = await api(relay.url, 'POST', path, {
      token: viewer.token,
      body: { entries: [{ id: 'v1', kind: 'request', at: 5 }] },
    });
    expect(denied.status).toBe(403);
  });

  it('RP19 an upload over the size limit gets 413 and stores nothing', async () => {
    const small = await startTestRelay({ limits: { ...DEFAULT_LIMITS, maxMediaBytes: 1024 } });
    try {
      const bar = await createVenue(small);
      const res = await fetch(`${small.url}/api/venues/${bar.venueId}/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bar.adminToken}`, 'content-type': 'audio/ogg' },
        body: new Uint8Array(4096),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: 'media-too-large' });
      const sha = createHash('sha256').update(new Uint8Array(4096)).digest('hex');
      expect((await fetch(`${small.url}/media/${sha}`)).status).toBe(404);
      // Sent in chunks with no length, it is refused midway, its connection is not kept (the
      // rest of the body is unread) and the client's next request goes through.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const chunked = await agentRequest(agent, `${small.url}/api/venues/${bar.venueId}/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bar.adminToken}`, 'content-type': 'audio/ogg' },
        chunks: Array.from({ length: 8 }, () => new Uint8Array(1024)),
      });
      expect(chunked).toMatchObject({ status: 413, connection: 'close' });
      const next = await agentRequest(agent, `${small.url}/api/time`, { method: 'GET' });
      expect(next.status).toBe(200);
      agent.destroy();
    } finally {
      await small.dispose();
    }
  });

  it('RP19 media: upload, ETag, immutable caching, CORS, Range 206 and 416', async () => {
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
    const sha = createHash('sha256').update(bytes).digest('hex');
    const upload = await fetch(`${relay.url}/api/venues/${venue.venueId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${venue.adminToken}`, 'content-type': 'audio/mpeg' },
      body: bytes,
    });
    expect(upload.status).toBe(201);
    expect(await upload.json()).toEqual({ sha256: sha, size: 10_000, type: 'audio/mpeg' });
    const whole = await fetch(`${relay.url}/media/${sha}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('etag')).toBe(`"${sha}"`);
    expect(whole.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(whole.headers.get('access-control-allow-origin')).toBe('*');
    expect(whole.headers.get('content-type')).toBe('audio/mpeg');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-encoding')).toBeNull();
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    // a cached copy by its tag, weak or in a list, or any
    for (const tag of [`"${sha}"`, `W/"${sha}"`, `"other", "${sha}"`, '*']) {
      const cached = await fetch(`${relay.url}/media/${sha}`, {
        headers: { 'if-none-match': tag },
      });
      expect(cached.status, tag).toBe(304);
    }
    const stale = await fetch(`${relay.url}/media/${sha}`, { headers: { 'if-none-match': '"x"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const part = await fetch(`${relay.url}/media/${sha}`, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/10000');
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    const beyond = await fetch(`${relay.url}/media/${sha}`, { headers: { range: 'bytes=20000-' } });
    expect(beyond.status).toBe(416);
    const again = await fetch(`${relay.url}/api/venues/${venue.venueId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${venue.adminToken}`, 'content-type': 'audio/mpeg' },
      body: bytes,
    });
    expect(again.status).toBe(200);
    const player = await pairDevice(relay, venue, 'player');
    const refused = await fetch(`${relay.url}/api/venues/${venue.venueId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${player.token}` },
      body: bytes,
    });
    expect(refused.status).toBe(403);
  });

  it('RP20 HTTP sync: the client gets what it lacks, the relay stores what the client sends', async () => {
    const ws = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await synced(ws);
    ws.doc.getMap('m').set('from-socket', 1);
    const offline = new Y.Doc();
    offline.getMap('m').set('from-http', 2);
    let answer: { diff: Uint8Array; stateVector: Uint8Array } = {
      diff: new Uint8Array(),
      stateVector: new Uint8Array(),
    };
    await eventually(async () => {
      const res = await fetch(`${relay.url}/api/sync/${venue.venueId}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${venue.adminToken}` },
        body: encodeHttpSyncRequest(Y.encodeStateVector(offline), Y.encodeStateAsUpdate(offline)),
      });
      expect(res.status).toBe(200);
      answer = decodeHttpSyncAnswer(new Uint8Array(await res.arrayBuffer()));
      const probe = new Y.Doc();
      Y.applyUpdate(probe, answer.diff);
      expect(probe.getMap('m').get('from-socket')).toBe(1);
    });
    Y.applyUpdate(offline, answer.diff);
    expect(offline.getMap('m').toJSON()).toEqual({ 'from-socket': 1, 'from-http': 2 });
    await eventually(() => expect(ws.doc.getMap('m').get('from-http')).toBe(2));
    expect(Y.decodeStateVector(answer.stateVector).get(offline.clientID)).toBeGreaterThan(0);
    ws.destroy();
  });

  it('RP20 HTTP sync applies the same auth and validation as the socket', async () => {
    const viewer = await pairDevice(relay, venue, 'viewer');
    const doc = new Y.Doc();
    doc.getMap('m').set('nope', 1);
    const post = (token: string, body: Uint8Array) =>
      fetch(`${relay.url}/api/sync/${venue.venueId}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body,
      });
    expect(
      (
        await post(
          viewer.token,
          encodeHttpSyncRequest(new Uint8Array([0]), Y.encodeStateAsUpdate(doc)),
        )
      ).status,
    ).toBe(403);
    expect((await post('forged', encodeHttpSyncRequest(new Uint8Array([0]), null))).status).toBe(
      401,
    );
    expect(
      (
        await post(
          venue.adminToken,
          encodeHttpSyncRequest(new Uint8Array([0]), new Uint8Array([9, 9, 9])),
        )
      ).status,
    ).toBe(400);
  });

  it('RP23 the relay tells its time', async () => {
    const before = Date.now();
    const { status, body } = await api<{ time: number }>(relay.url, 'GET', '/api/time');
    expect(status).toBe(200);
    expect(body.time).toBeGreaterThanOrEqual(before);
    expect(body.time).toBeLessThanOrEqual(Date.now());
  });

  it('RP21 healthz and Prometheus metrics answer', async () => {
    const health = await api(relay.url, 'GET', '/healthz');
    expect(health).toMatchObject({ status: 200, body: { ok: true } });
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toMatch(/^djamms_updates_stored_total \d+$/m);
    expect(metrics).toMatch(/^djamms_fsync_seconds_total /m);
  });
});

/** Sends `request` as it is on a new TCP connection; answers what came back until it closed. */
function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(request));
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      // an upgrade refused keeps nothing open, but do not wait on the server to close
      if (received.includes('\r\n\r\n') && !received.startsWith('HTTP/1.1 2')) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

/** A request through `agent` (its kept-alive connections), its body sent in `chunks`. */
function agentRequest(
  agent: Agent,
  url: string,
  options: { method: string; headers?: Record<string, string>; chunks?: Uint8Array[] },
): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: options.method, headers: options.headers }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }),
      );
    });
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}
