import { afterAll, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { eventually } from '@djamms/test-harness';
import type { WebsocketProvider } from 'y-websocket';
import { connect, createVenue, roomState, synced } from './helpers';
import { freePort, killChild, startChildRelay } from './child-relay';

describe('durability across SIGKILL of a real relay process', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  /** A relay process on its own data directory with one venue; `restart` starts it again there. */
  async function durableVenue(prefix: string) {
    const dataDir = await mkdtemp(join(tmpdir(), prefix));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const args = ['--port', String(port), '--data', dataDir];
    const site = {
      relay: await startChildRelay(args),
      async restart() {
        site.relay = await startChildRelay(args);
      },
    };
    cleanup.push(() => killChild(site.relay));
    const operatorKey = (await readFile(join(dataDir, 'operator-key'), 'utf8')).trim();
    const venue = await createVenue({ url: site.relay.url, operatorKey });
    return { dataDir, wsUrl: `ws://127.0.0.1:${port}/sync`, venue, site };
  }

  it('RP11 RP12 after repeated kills under write load the relay holds every update any client holds', async () => {
    const { dataDir, wsUrl, venue, site } = await durableVenue('djamms-kill-');
    const clients: WebsocketProvider[] = [];
    for (let i = 0; i < 4; i++) clients.push(connect(wsUrl, venue.venueId, venue.adminToken));
    cleanup.push(async () => clients.forEach((c) => c.destroy()));
    await Promise.all(clients.map((c) => synced(c)));
    let written = 0;
    const writer = setInterval(() => {
      for (const [i, c] of clients.entries()) c.doc.getArray('log').push([`${i}:${written}`]);
      written++;
    }, 3);
    try {
      for (let kill = 0; kill < 3; kill++) {
        const target = written + 20;
        await eventually(() => expect(written).toBeGreaterThan(target), { timeoutMs: 10_000 });
        await killChild(site.relay);
        if (kill === 1)
          await appendFile(join(dataDir, 'rooms', `${venue.venueId}.log`), Buffer.from([99, 0, 0]));
        await site.restart();
        await eventually(() => expect(clients.every((c) => c.synced)).toBe(true), {
          timeoutMs: 10_000,
        });
      }
    } finally {
      clearInterval(writer);
    }
    const everything = new Set<string>();
    for (const c of clients) for (const item of c.doc.getArray<string>('log')) everything.add(item);
    expect(everything.size).toBe(written * clients.length);
    await eventually(
      async () => {
        const state = await roomState(site.relay, venue.venueId, venue.adminToken);
        expect(new Set(state.getArray<string>('log').toArray())).toEqual(everything);
      },
      { timeoutMs: 10_000 },
    );
  });

  it('RP8 RP11 what the relay acknowledged as saved survives SIGKILL with no client around', async () => {
    const { wsUrl, venue, site } = await durableVenue('djamms-ack-');
    const doc = new Y.Doc();
    const client = connect(wsUrl, venue.venueId, venue.adminToken, doc, {
      ack: true,
    });
    let savedClock = 0;
    client.messageHandlers[100] = (_e, decoder) => {
      decoding.readVarUint(decoder);
      decoding.readVarUint(decoder);
      savedClock = Y.decodeStateVector(decoding.readVarUint8Array(decoder)).get(doc.clientID) ?? 0;
    };
    await synced(client);
    for (let i = 0; i < 50; i++) doc.getArray('acked').push([i]);
    const clock = Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID);
    await eventually(() => expect(savedClock).toBe(clock));
    client.destroy();
    await killChild(site.relay);
    await site.restart();
    const state = await roomState(site.relay, venue.venueId, venue.adminToken);
    expect(state.getArray('acked').length).toBe(50);
  });

  it('RP15 SIGTERM closes sockets with 1001, flushes and exits 0; the data is there after restart', async () => {
    const { wsUrl, venue, site } = await durableVenue('djamms-term-');
    const client = connect(wsUrl, venue.venueId, venue.adminToken);
    await synced(client);
    client.doc.getMap('m').set('before-shutdown', true);
    await eventually(async () => {
      const state = await roomState(site.relay, venue.venueId, venue.adminToken);
      expect(state.getMap('m').get('before-shutdown')).toBe(true);
    });
    const closed = new Promise<number>((resolve) =>
      client.on('connection-close', (event) => resolve(event?.code ?? 0)),
    );
    const exited = new Promise<number | null>((resolve) =>
      site.relay.process.once('exit', (code) => resolve(code)),
    );
    site.relay.process.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await exited).toBe(0);
    client.destroy();
    await site.restart();
    const state = await roomState(site.relay, venue.venueId, venue.adminToken);
    expect(state.getMap('m').get('before-shutdown')).toBe(true);
  });
});
