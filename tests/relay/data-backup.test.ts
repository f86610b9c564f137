import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as Y from 'yjs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHttpSyncRequest } from '@djamms/protocol';
import { DEFAULT_LIMITS } from 'djamms-relay';
import { decodeFrames } from '../../relay/src/storage/frames';
import { connect, createVenue, roomState, startTestRelay, synced } from './helpers';

const BIN = fileURLToPath(new URL('../../relay/bin/djamms-relay.js', import.meta.url));

/** Runs the real `djamms-relay` command; resolves with its exit code and output. */
async function relayCommand(...args: string[]) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, out: e.stdout };
  }
}

describe('backing up a running relay’s data directory', () => {
  const dirs: string[] = [];
  const temp = async (prefix: string) => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('RP35 RP36 a backup taken under write load, restored into a wiped data directory, holds every update acknowledged before it began', async () => {
    const dataDir = await temp('djamms-data-');
    const backupDir = join(await temp('djamms-backups-'), 'backup');
    const limits = { ...DEFAULT_LIMITS, httpPerSecond: 100_000 };
    let relay = await startTestRelay({ dataDir, limits });
    const venue = await createVenue(relay);
    const room = venue.venueId;
    const acked: string[] = [];
    let writing = true;
    // A device staying in the room keeps it loaded, so it is not compacted on each request: the
    // newest acknowledged updates are then only in the commit log, which the backup must take.
    const staying = connect(relay.wsUrl, room, venue.adminToken);
    await synced(staying);
    // Four devices writing through the HTTP sync fallback: a 200 means the update is durable (RP20).
    const writer = async (i: number) => {
      const doc = new Y.Doc();
      for (let n = 0; writing; n++) {
        const before = Y.encodeStateVector(doc);
        doc.getArray('log').push([`${i}:${n}`]);
        const res = await fetch(`${relay.url}/api/sync/${room}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${venue.adminToken}` },
          body: encodeHttpSyncRequest(new Uint8Array([0]), Y.encodeStateAsUpdate(doc, before)),
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`write refused: ${res.status}`);
        acked.push(`${i}:${n}`);
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acked.length < 400) await new Promise((r) => setTimeout(r, 20));
    const ackedBefore = [...acked];
    const backup = await relayCommand('backup', '--data', dataDir, '--to', backupDir);
    const duringBackup = acked.length - ackedBefore.length;
    writing = false;
    await Promise.all(writers);
    staying.destroy();
    expect(backup).toMatchObject({ code: 0 });
    expect(duringBackup).toBeGreaterThan(0); // writes went on while it ran

    await relay.close();
    await rm(dataDir, { recursive: true, force: true });
    expect(await relayCommand('restore', '--from', backupDir, '--data', dataDir)).toMatchObject({
      code: 0,
    });
    // Every room log and commit log is whole: frames to its last byte, nothing torn on start.
    const logs = async (dir: string) =>
      (await readdir(join(dataDir, dir)).catch(() => [])).map((log) => join(dataDir, dir, log));
    const restored = [...(await logs('rooms')), ...(await logs('commit'))];
    expect(restored.length).toBeGreaterThan(0);
    for (const log of restored) {
      const bytes = await readFile(log);
      expect(decodeFrames(bytes).goodBytes).toBe(bytes.byteLength);
    }
    relay = await startTestRelay({ dataDir, limits });
    try {
      // The registry and secret came back too: the venue's admin token still opens its room.
      const doc = await roomState(relay, room, venue.adminToken);
      const held = new Set(doc.getArray<string>('log').toArray());
      expect(ackedBefore.filter((u) => !held.has(u))).toEqual([]);
      expect((await readdir(join(dataDir, 'rooms'))).some((f) => f.includes('corrupt'))).toBe(
        false,
      );
    } finally {
      await relay.close();
    }
  });

  it('RP36 a restore into a data directory that holds data, or from a damaged or unfinished backup, is refused and writes nothing', async () => {
    const dataDir = await temp('djamms-data-');
    const relay = await startTestRelay({ dataDir });
    await createVenue(relay);
    await relay.close();
    const backupDir = join(await temp('djamms-backups-'), 'backup');
    expect(await relayCommand('backup', '--data', dataDir, '--to', backupDir)).toMatchObject({
      code: 0,
    });
    const occupied = await relayCommand('restore', '--from', backupDir, '--data', dataDir);
    expect(occupied.code).toBe(1);
    expect(occupied.out).toMatch(/already holds data/);

    const target = join(await temp('djamms-target-'), 'data');
    await writeFile(join(backupDir, 'registry.json'), '{"version":1,"venues":{}}');
    const damaged = await relayCommand('restore', '--from', backupDir, '--data', target);
    expect(damaged.code).toBe(1);
    expect(damaged.out).toMatch(/registry\.json is missing or damaged/);
    await rm(join(backupDir, 'backup.json'));
    const unfinished = await relayCommand('restore', '--from', backupDir, '--data', target);
    expect(unfinished.out).toMatch(/not a finished relay backup/);
    await expect(readdir(target)).rejects.toThrow(/ENOENT/);
  });

  it('RP35 backup, restore and import --help print their usage and succeed', async () => {
    for (const command of ['backup', 'restore', 'import']) {
      const help = await relayCommand(command, '--help');
      expect(help, command).toMatchObject({ code: 0, out: expect.stringContaining('Usage:') });
    }
  });
});
