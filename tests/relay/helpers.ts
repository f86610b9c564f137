import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { eventually } from '@djamms/test-harness';
import type { CreateVenueResponse, PairResponse, PairableRole } from '@djamms/protocol';
import {
  defaultConfig,
  silentLogger,
  startRelay,
  type RelayConfig,
  type RunningRelay,
} from 'djamms-relay';
import { decodeHttpSyncAnswer, encodeHttpSyncRequest } from '@djamms/protocol';

/** A relay started in this process on port 0 with a fresh data directory. */
export interface TestRelay extends RunningRelay {
  readonly dataDir: string;
  readonly wsUrl: string;
  /** Stops the relay and deletes its data directory. */
  dispose(): Promise<void>;
}

/** Starts a relay for a test (quiet logs, port 0, temp data dir). */
export async function startTestRelay(overrides: Partial<RelayConfig> = {}): Promise<TestRelay> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'djamms-relay-test-')));
  const relay = await startRelay(
    defaultConfig({ logger: silentLogger, port: 0, host: '127.0.0.1', dataDir, ...overrides }),
  );
  return {
    ...relay,
    close: relay.close,
    dataDir,
    wsUrl: relay.url.replace(/^http/, 'ws') + '/sync',
    dispose: async () => {
      await relay.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the relay's HTTP API and returns status plus parsed JSON. */
export async function api<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  {
    token,
    body,
    headers: extra = {},
  }: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { ...extra };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

/**
 * The value of one sample in the relay's `GET /metrics` text, named as it is printed there:
 * `djamms_rooms_open`, or with its labels, `djamms_http_request_seconds_count{route="sync"}`.
 */
export async function metric(relay: { url: string }, sample: string): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const literal = sample.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = new RegExp(`^${literal} (\\S+)$`, 'm').exec(text);
  if (!found) throw new Error(`no ${sample} in /metrics`);
  return Number(found[1]);
}

/** Creates a venue with the operator key. */
export async function createVenue(
  relay: { url: string; operatorKey: string },
  name = 'Test Bar',
  libraryId?: string,
): Promise<CreateVenueResponse> {
  const res = await api<CreateVenueResponse>(relay.url, 'POST', '/api/venues', {
    token: relay.operatorKey,
    body: libraryId ? { name, libraryId } : { name },
  });
  if (res.status !== 201) throw new Error(`create venue failed: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Pairs a device of `role` (named `name`) through a pairing code and returns its token. */
export async function pairDevice(
  relay: { url: string },
  venue: CreateVenueResponse,
  role: PairableRole,
  name = '',
): Promise<PairResponse> {
  const code = await api<{ code: string }>(
    relay.url,
    'POST',
    `/api/venues/${venue.venueId}/pairing-codes`,
    { token: venue.adminToken, body: name ? { role, name } : { role } },
  );
  const paired = await api<PairResponse>(relay.url, 'POST', '/api/pair', {
    body: { code: code.body.code },
  });
  if (paired.status !== 200) throw new Error(`pairing failed: ${JSON.stringify(paired.body)}`);
  return paired.body;
}

/** A guest token through the venue's guest link (a new link: earlier guest tokens stop working). */
export async function guestToken(
  relay: { url: string },
  venue: CreateVenueResponse,
): Promise<string> {
  const [token] = await guestTokens(relay, venue, 1);
  return token as string;
}

/** `count` guest tokens minted from one new guest link of the venue, as patrons at tables would. */
export async function guestTokens(
  relay: { url: string },
  venue: CreateVenueResponse,
  count: number,
): Promise<string[]> {
  const link = await api<{ guestKey: string }>(
    relay.url,
    'POST',
    `/api/venues/${venue.venueId}/guest-link`,
    { token: venue.adminToken },
  );
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const guest = await api<{ token: string }>(relay.url, 'POST', '/api/guest', {
      body: { venueId: venue.venueId, guestKey: link.body.guestKey },
    });
    if (guest.status !== 200) throw new Error(`guest token failed: ${JSON.stringify(guest.body)}`);
    tokens.push(guest.body.token);
  }
  return tokens;
}

/** An awareness message setting `state` for `client` at `clock`. */
export function awarenessFor(client: number, clock: number, state: unknown): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, client);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, JSON.stringify(state));
  encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner));
  return encoding.toUint8Array(encoder);
}

/** Byte counters shared by every socket of a {@link countingSocketClass}. */
export interface ByteCounter {
  received: number;
  sent: number;
}

/** A `ws` WebSocket class that counts bytes on the wire (message payloads). */
export function countingSocketClass(counter: ByteCounter): typeof WebSocket {
  return class CountingSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols);
      this.on('message', (data: Buffer) => {
        counter.received += data.byteLength;
      });
    }

    override send(data: Parameters<WebSocket['send']>[0], ...rest: unknown[]): void {
      counter.sent += (data as Uint8Array).byteLength ?? 0;
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  } as typeof WebSocket;
}

/** Opens a stock y-websocket provider (no BroadcastChannel, so only the relay connects peers). */
export function connect(
  wsUrl: string,
  room: string,
  token: string | null,
  doc = new Y.Doc(),
  { ack = false, socketClass = WebSocket }: { ack?: boolean; socketClass?: typeof WebSocket } = {},
): WebsocketProvider {
  const params: Record<string, string> = {};
  if (token) params.token = token;
  if (ack) params.ack = '1';
  return new WebsocketProvider(wsUrl, room, doc, {
    params,
    WebSocketPolyfill: socketClass as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
  });
}

/** Waits until the provider has synced with the relay. */
export async function synced(provider: WebsocketProvider, timeoutMs = 5000): Promise<void> {
  await eventually(
    () => {
      if (!provider.synced) throw new Error('not synced yet');
    },
    { timeoutMs },
  );
}

/** Waits for the provider's first close event and returns its code. */
export function closeCode(provider: WebsocketProvider): Promise<number> {
  return new Promise((resolve) => {
    provider.on('connection-close', (event) => {
      if (event) resolve(event.code);
    });
  });
}

/** Opens a raw socket and resolves once it is open. */
export async function rawSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/** Resolves with the close code of a raw socket. */
export function rawClose(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

/** Reads the relay's current state of a room through the HTTP sync fallback. */
export async function roomState(
  relay: { url: string },
  room: string,
  token: string,
): Promise<Y.Doc> {
  const res = await fetch(`${relay.url}/api/sync/${room}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: encodeHttpSyncRequest(new Uint8Array([0]), null),
  });
  if (res.status !== 200) throw new Error(`sync failed ${res.status}`);
  const { diff } = decodeHttpSyncAnswer(new Uint8Array(await res.arrayBuffer()));
  const doc = new Y.Doc();
  Y.applyUpdate(doc, diff);
  return doc;
}
