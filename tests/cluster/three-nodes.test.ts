import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { CloseCode, type DemoLibrary } from '@djamms/protocol';
import { DEFAULT_LIMITS } from 'djamms-relay';
import { eventually } from '@djamms/test-harness';
import {
  api,
  closeCode,
  connect,
  createVenue,
  metric,
  pairDevice,
  roomState,
  startTestRelay,
  synced,
  type TestRelay,
} from '../relay/helpers';
import { describeCluster, freshCluster } from './services';

/**
 * Three relay nodes of one cluster (issue 11) on real Redis and PostgreSQL, each with its own data
 * directory and nothing shared in memory: every test reaches one node and checks another.
 */
describeCluster('three relay nodes of a cluster', (servers) => {
  let nodes: TestRelay[] = [];
  const node = (i: number) => nodes[i] as TestRelay;

  beforeAll(async () => {
    const cluster = await freshCluster(servers());
    // one after another: the first creates the tables and secrets, the others find them
    for (let i = 0; i < 3; i++) nodes.push(await startTestRelay({ cluster }));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.dispose()));
    nodes = [];
  });

  it('RP41 every node has the operator key the first one made, in its own data directory', async () => {
    const keys = await Promise.all(nodes.map((n) => readFile(`${n.dataDir}/operator-key`, 'utf8')));
    expect(new Set(keys.map((k) => k.trim()))).toEqual(new Set([node(0).operatorKey]));
    expect(nodes.map((n) => n.firstStart)).toEqual([true, false, false]);
    // a venue made through one node, paired through another, used through the third
    const venue = await createVenue(node(0), 'Harbour Bar');
    const code = await api<{ code: string }>(
      node(1).url,
      'POST',
      `/api/venues/${venue.venueId}/pairing-codes`,
      { token: venue.adminToken, body: { role: 'player' } },
    );
    const paired = await api(node(2).url, 'POST', '/api/pair', { body: { code: code.body.code } });
    expect(paired.status).toBe(200);
    const again = await api(node(0).url, 'POST', '/api/pair', { body: { code: code.body.code } });
    expect(again.status).toBe(404);
  });

  it('RP40 RP43 stock clients on three nodes converge, and a late joiner on another node has it all', async () => {
    const venue = await createVenue(node(0), 'Corner Pub');
    const clients = nodes.map((n) => connect(n.wsUrl, venue.venueId, venue.adminToken));
    await Promise.all(clients.map((c) => synced(c)));
    clients.forEach((client, i) => {
      for (let k = 0; k < 20; k++) client.doc.getMap('queue').set(`n${i}-${k}`, `track ${k}`);
    });
    for (const client of clients) {
      await eventually(() => expect(client.doc.getMap('queue').size).toBe(60));
    }
    for (const client of clients) client.destroy();
    // every node unloads the room; a newcomer reads it all back from PostgreSQL
    await eventually(async () => {
      for (const n of nodes) {
        const health = await api<{ rooms: number }>(n.url, 'GET', '/healthz');
        expect(health.body.rooms).toBe(0);
      }
    });
    const late = connect(node(1).wsUrl, venue.venueId, venue.adminToken);
    await synced(late);
    expect(late.doc.getMap('queue').size).toBe(60);
    late.destroy();
  });

  it('RP41 a venue and a device made through one node are let in at once by another', async () => {
    for (let i = 0; i < 5; i++) {
      const venue = await createVenue(node(0), `Pop-up ${i}`);
      const described = await api(node(2).url, 'GET', `/api/venues/${venue.venueId}`, {
        token: venue.adminToken,
      });
      expect(described.status).toBe(200);
      const kiosk = await pairDevice(node(1), venue, 'kiosk');
      const state = await roomState(node(2), venue.venueId, kiosk.token);
      expect(state.getMap('queue').size).toBe(0);
    }
  });

  it('RP41 a device revoked through node A loses its socket on node C within a second', async () => {
    const venue = await createVenue(node(0), 'Dock Inn');
    const kiosk = await pairDevice(node(0), venue, 'kiosk');
    const onC = connect(node(2).wsUrl, venue.venueId, kiosk.token);
    await synced(onC);
    const closed = closeCode(onC);
    const started = Date.now();
    const revoked = await api(
      node(0).url,
      'DELETE',
      `/api/venues/${venue.venueId}/devices/${kiosk.deviceId}`,
      { token: venue.adminToken },
    );
    expect(revoked.status).toBe(200);
    expect(await closed).toBe(CloseCode.revoked);
    expect(Date.now() - started).toBeLessThan(1000);
    onC.destroy();
  });

  it('RP40 RP42 the HTTP sync fallback, the journal and media answer the same on every node', async () => {
    const venue = await createVenue(node(0), 'Quay Bar');
    const writer = connect(node(0).wsUrl, venue.venueId, venue.adminToken);
    await synced(writer);
    writer.doc.getMap('queue').set('first', 'Harbour Lights');
    await eventually(async () => {
      const doc = await roomState(node(1), venue.venueId, venue.adminToken);
      expect(doc.getMap('queue').get('first')).toBe('Harbour Lights');
    });
    writer.destroy();
    const path = `/api/venues/${venue.venueId}/journal`;
    const entry = { id: 'e1', kind: 'played', at: 1, data: { track: 't1' } };
    await api(node(2).url, 'POST', path, { token: venue.adminToken, body: { entries: [entry] } });
    const retry = await api<{ appended: number }>(node(1).url, 'POST', path, {
      token: venue.adminToken,
      body: { entries: [entry] },
    });
    expect(retry.body.appended).toBe(0);
    const page = await api<{ entries: { id: string; seq: number }[] }>(node(0).url, 'GET', path, {
      token: venue.adminToken,
    });
    expect(page.body.entries.map((e) => [e.id, e.seq])).toEqual([['e1', 1]]);
    const demo = await api<DemoLibrary>(node(0).url, 'GET', '/api/demo-library');
    const sha = demo.body.tracks[0]?.media.sha256;
    const file = await fetch(`${node(2).url}/media/${sha}`, { headers: { range: 'bytes=0-3' } });
    expect(file.status).toBe(206);
    expect((await file.arrayBuffer()).byteLength).toBe(4);
  });

  it('RP43 presence set on one node is seen on the others, and cleared when its socket leaves', async () => {
    const venue = await createVenue(node(0), 'Lantern');
    const [onA, onB, onC] = nodes.map((n) => connect(n.wsUrl, venue.venueId, venue.adminToken));
    await Promise.all([onA, onB, onC].map((c) => synced(c!)));
    onA!.awareness.setLocalStateField('user', { name: 'Sam at the bar' });
    const seen = (client: typeof onA) =>
      [...client!.awareness.getStates().values()].some(
        (state) => (state as { user?: { name: string } }).user?.name === 'Sam at the bar',
      );
    await eventually(() => expect(seen(onB) && seen(onC)).toBe(true));
    onA!.destroy();
    await eventually(() => expect(seen(onB) || seen(onC)).toBe(false));
    onB!.destroy();
    onC!.destroy();
  });

  it('RP45 a token has one rate across nodes: what it spent on one node is spent on the others', async () => {
    const cluster = await freshCluster(servers());
    const limits = { ...DEFAULT_LIMITS, httpPerSecond: 0.5, httpBurst: 10 };
    const pair = [
      await startTestRelay({ cluster, limits }),
      await startTestRelay({ cluster, limits }),
    ];
    try {
      const [a, b] = pair as [TestRelay, TestRelay];
      const venue = await createVenue(a, 'Tight Bar');
      const read = (n: TestRelay) =>
        api(n.url, 'GET', `/api/venues/${venue.venueId}`, { token: venue.adminToken });
      for (let i = 0; i < 10; i++) expect((await read(a)).status).toBe(200);
      expect((await read(a)).status).toBe(429);
      // node B hears of what the token spent on node A within a fraction of a second
      await eventually(async () => expect((await read(b)).status).toBe(429));
    } finally {
      await Promise.all(pair.map((n) => n.dispose()));
    }
  });

  it('RP46 each node reports its own /metrics, and how many of its rooms another node has open', async () => {
    for (const n of nodes) {
      const res = await fetch(`${n.url}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('djamms_');
    }
    // one venue's devices on nodes A and B (the proxy did not keep them together), none on C
    const venue = await createVenue(node(0), 'Split Bar');
    const clients = [0, 1].map((i) => connect(node(i).wsUrl, venue.venueId, venue.adminToken));
    await Promise.all(clients.map((c) => synced(c)));
    await eventually(async () => {
      const shared = await Promise.all(nodes.map((n) => metric(n, 'djamms_rooms_shared')));
      expect(shared).toEqual([1, 1, 0]);
    });
    for (const client of clients) client.destroy();
  });
});
