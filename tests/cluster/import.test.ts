import { afterAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import type { DemoLibrary } from '@djamms/protocol';
import { eventually } from '@djamms/test-harness';
import {
  api,
  connect,
  createVenue,
  pairDevice,
  roomState,
  startTestRelay,
  synced,
} from '../relay/helpers';
import { describeCluster, freshCluster } from './services';

const BIN = fileURLToPath(new URL('../../relay/bin/djamms-relay.js', import.meta.url));

/** Runs `djamms-relay import …` and resolves with its exit code and what it said. */
function runImport(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, 'import', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr })),
  );
}

describeCluster('moving a single relay into a cluster', (servers) => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('RP47 the import command moves venues, devices, rooms, journals, media and secrets; devices stay paired', async () => {
    const single = await startTestRelay();
    dirs.push(single.dataDir);
    const venue = await createVenue(single, 'Harbour Bar');
    const player = await pairDevice(single, venue, 'player');
    const client = connect(single.wsUrl, venue.venueId, venue.adminToken);
    await synced(client);
    client.doc.getMap('queue').set('first', 'Harbour Lights');
    const path = `/api/venues/${venue.venueId}/journal`;
    await api(single.url, 'POST', path, {
      token: venue.adminToken,
      body: { entries: [{ id: 'e1', kind: 'played', at: 1, data: { track: 't1' } }] },
    });
    const demo = await api<DemoLibrary>(single.url, 'GET', '/api/demo-library');
    const sha = demo.body.tracks[0]!.media.sha256;
    await eventually(async () => {
      const state = await roomState(single, venue.venueId, venue.adminToken);
      expect(state.getMap('queue').get('first')).toBe('Harbour Lights');
    });
    client.destroy();
    await single.close();

    const cluster = await freshCluster(servers());
    const env = { PGOPTIONS: cluster.postgresOptions ?? '' };
    const imported = await runImport(
      ['--data', single.dataDir, '--postgres', cluster.postgresUrl],
      env,
    );
    expect(imported.stderr).toContain('Imported 1 venues, 2 devices, 1 rooms, 1 journal entries');
    expect(imported.code).toBe(0);
    // a second import into the same database is refused: it has its secrets now
    const again = await runImport(
      ['--data', single.dataDir, '--postgres', cluster.postgresUrl],
      env,
    );
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already has its own secrets');

    const node = await startTestRelay({ cluster });
    dirs.push(node.dataDir);
    try {
      expect(node.operatorKey).toBe(single.operatorKey);
      expect((await readFile(`${node.dataDir}/operator-key`, 'utf8')).trim()).toBe(
        single.operatorKey,
      );
      const state = await roomState(node, venue.venueId, player.token);
      expect(state.getMap('queue').get('first')).toBe('Harbour Lights');
      const page = await api<{ entries: { id: string; seq: number }[] }>(node.url, 'GET', path, {
        token: venue.adminToken,
      });
      expect(page.body.entries.map((e) => [e.id, e.seq])).toEqual([['e1', 1]]);
      const file = await fetch(`${node.url}/media/${sha}`);
      expect(
        createHash('sha256')
          .update(Buffer.from(await file.arrayBuffer()))
          .digest('hex'),
      ).toBe(sha);
      const devices = await api<{ devices: unknown[] }>(
        node.url,
        'GET',
        `/api/venues/${venue.venueId}/devices`,
        { token: venue.adminToken },
      );
      expect(devices.body.devices).toHaveLength(2);
    } finally {
      await node.close();
    }
  });
});
