import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@djamms/test-harness';
import { connect, createVenue, roomState, startTestRelay, synced, metric } from './helpers';

describe('compaction', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('RP13 a long log is rewritten as one merged update; nothing is lost across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'djamms-compact-'));
    dirs.push(dataDir);
    const compaction = { maxFrames: 10, maxGrowth: 1000 };
    const relay = await startTestRelay({ dataDir, compaction });
    const venue = await createVenue(relay);
    const client = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await synced(client);
    for (let i = 0; i < 40; i++) {
      client.doc.getArray('log').push([i]);
      await eventually(async () =>
        expect(await metric(relay, 'djamms_updates_stored_total')).toBe(i + 1),
      );
    }
    expect(await metric(relay, 'djamms_compactions_total')).toBeGreaterThanOrEqual(3);
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toMatch(/^djamms_room_log_frames_max ([1-9]|10)$/m);
    client.destroy();
    await relay.close();
    const log = await readFile(join(dataDir, 'rooms', `${venue.venueId}.log`));
    expect(log.readUInt32LE(0) + 8).toBeLessThanOrEqual(log.byteLength);
    const again = await startTestRelay({ dataDir, compaction });
    try {
      const state = await roomState(again, venue.venueId, venue.adminToken);
      expect(state.getArray('log').toArray()).toEqual(Array.from({ length: 40 }, (_, i) => i));
    } finally {
      await again.close();
    }
  });
});
