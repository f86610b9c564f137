import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { eventually } from '@djamms/test-harness';
import { DEFAULT_LIMITS, type RelayConfig } from 'djamms-relay';
import { createVenue, startTestRelay, type TestRelay } from './helpers';

let relay: TestRelay | null = null;
const open: { destroy(): void }[] = [];

async function start(limits: Partial<RelayConfig['limits']>, more: Partial<RelayConfig> = {}) {
  relay = await startTestRelay({ limits: { ...DEFAULT_LIMITS, ...limits }, ...more });
  return relay;
}

afterEach(async () => {
  for (const socket of open.splice(0)) socket.destroy();
  await relay?.dispose();
  relay = null;
});

/** A sync socket standing for client `address` through a proxy on the relay's host (RP25). */
function syncSocket(
  url: string,
  address: string,
): Promise<WebSocket | { refused: number; body: string }> {
  const ws = new WebSocket(url, { headers: { 'x-forwarded-for': address } });
  return new Promise((resolve) => {
    ws.once('open', () => {
      open.push({ destroy: () => ws.terminate() });
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ refused: res.statusCode ?? 0, body }));
    });
  });
}

/** A raw TCP connection to the relay, and a promise of everything it receives until closed. */
async function tcp(relay: TestRelay): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect(relay.port, '127.0.0.1');
  open.push(socket);
  const closed = new Promise<string>((resolve) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed };
}

const isOpen = (socket: Socket) => !socket.destroyed && socket.readyState === 'open';

describe('T22 connection caps: per client address and in all', () => {
  it('RP26 sync sockets from one address stop at its cap (503); other addresses still connect', async () => {
    const r = await start({ maxConnectionsPerAddress: 3 });
    const venue = await createVenue(r);
    const url = `${r.wsUrl}/${venue.venueId}?token=${venue.adminToken}`;
    const sockets = [];
    for (let i = 0; i < 3; i++) sockets.push(await syncSocket(url, '203.0.113.5'));
    expect(sockets.every((s) => s instanceof WebSocket)).toBe(true);
    const refused = await syncSocket(url, '203.0.113.5');
    expect(refused).toMatchObject({ refused: 503 });
    expect(JSON.parse((refused as { body: string }).body)).toMatchObject({
      error: 'too-many-connections',
    });
    expect(await syncSocket(url, '198.51.100.5')).toBeInstanceOf(WebSocket);
    // A closed socket frees its place.
    (sockets[0] as WebSocket).close();
    await eventually(async () =>
      expect(await syncSocket(url, '203.0.113.5')).toBeInstanceOf(WebSocket),
    );
  });

  it('RP26 connections over the relay-wide cap are dropped at once; a freed place is used again', async () => {
    const r = await start({ maxConnections: 3 });
    const held = [await tcp(r), await tcp(r), await tcp(r)];
    const extra = await tcp(r);
    expect(await extra.closed).toBe('');
    expect(held.every(({ socket }) => isOpen(socket))).toBe(true);
    held[0]!.socket.destroy();
    await eventually(async () => {
      const next = await tcp(r);
      next.socket.write('GET /healthz HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n');
      expect(await next.closed).toContain('200 OK');
    });
  });
});

describe('T22 slow clients: header and idle timeouts', () => {
  it('RP26 a client that never finishes its headers gets 408 and is closed', async () => {
    const r = await start({ headersTimeoutMs: 300 });
    const { socket, closed } = await tcp(r);
    socket.write('POST /api/pair HTTP/1.1\r\nHost: relay\r\nX-Slow: ');
    const started = Date.now();
    const answer = await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"error":"request-timeout"');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('RP17 a request Node cannot read is answered {error, message}: 431 for huge headers, 400 for garbage', async () => {
    const r = await start({});
    const huge = await tcp(r);
    huge.socket.write(
      `GET /api/time HTTP/1.1\r\nHost: relay\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`,
    );
    const big = await huge.closed;
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(big).toContain('"error":"headers-too-large"');
    const garbage = await tcp(r);
    garbage.socket.write('NOT HTTP AT ALL\r\n\r\n');
    const bad = await garbage.closed;
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(bad).toContain('"error":"bad-request"');
    expect((await fetch(`${r.url}/api/time`)).status).toBe(200);
  });

  it('RP26 an upload that stalls is dropped after the idle timeout and leaves nothing stored', async () => {
    const r = await start({ idleTimeoutMs: 300 });
    const venue = await createVenue(r);
    const { socket, closed } = await tcp(r);
    socket.write(
      `POST /api/venues/${venue.venueId}/media HTTP/1.1\r\nHost: relay\r\n` +
        `Authorization: Bearer ${venue.adminToken}\r\nContent-Type: audio/mpeg\r\n` +
        'Content-Length: 100000\r\n\r\n' +
        'x'.repeat(1000),
    );
    expect(await closed).toBe('');
    await eventually(async () =>
      expect(await readdir(join(r.dataDir, 'media')).catch(() => [])).toEqual([]),
    );
  });

  it('RP26 a slow upload that keeps moving takes as long as it needs (idle timeout, not a total)', async () => {
    const r = await start({ idleTimeoutMs: 300 });
    const venue = await createVenue(r);
    const chunk = Buffer.alloc(100, 7);
    const chunks = 15; // one every 100 ms: 1.5 s in all, five times the idle timeout
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${r.url}/api/venues/${venue.venueId}/media`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${venue.adminToken}`,
            'content-type': 'audio/mpeg',
            'content-length': chunk.byteLength * chunks,
          },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      let sent = 0;
      const timer = setInterval(() => {
        req.write(chunk);
        if (++sent === chunks) {
          clearInterval(timer);
          req.end();
        }
      }, 100);
    });
    const { status, body } = await answer;
    expect(status).toBe(201);
    const whole = Buffer.concat(Array<Buffer>(chunks).fill(chunk));
    expect(JSON.parse(body)).toMatchObject({
      sha256: createHash('sha256').update(whole).digest('hex'),
      size: whole.byteLength,
    });
  });

  it('RP26 a quiet sync socket is not an idle HTTP request: it stays open', async () => {
    const r = await start({ idleTimeoutMs: 200 }, { keepaliveMs: 60_000, pingIntervalMs: 60_000 });
    const venue = await createVenue(r);
    const ws = await syncSocket(
      `${r.wsUrl}/${venue.venueId}?token=${venue.adminToken}`,
      '203.0.113.9',
    );
    expect(ws).toBeInstanceOf(WebSocket);
    // An HTTP request opened after the socket, silent as long: the idle timeout ends it.
    const { socket, closed } = await tcp(r);
    socket.write('POST /api/pair HTTP/1.1\r\nHost: relay\r\nContent-Length: 10\r\n\r\n');
    expect(await closed).toBe('');
    expect((ws as WebSocket).readyState).toBe(WebSocket.OPEN);
  });
});
