/**
 * RP37: one relay per data directory. Real relay processes: a second one started on a directory
 * in use is refused with words and leaves the first serving; a directory left by a killed relay is
 * taken over; a relay stopped with SIGTERM leaves no `relay.pid`; `import` refuses a directory a
 * relay still runs on.
 */
import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importDataDir } from '../../relay/src/cluster/import-data';
import { silentLogger } from '../../relay/src/ops/logger';
import { DataDirInUseError, PID_FILE } from '../../relay/src/storage/data-dir-lock';
import { freePort, killChild, startChildRelay, type ChildRelay } from './child-relay';

const BIN = fileURLToPath(new URL('../../relay/bin/djamms-relay.js', import.meta.url));

/** Runs `djamms-relay args…` to its exit: its exit code and what it wrote to stderr. */
function runRelay(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, '--quiet', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

describe('RP37 one relay per data directory', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  async function relayOn(dataDir: string): Promise<ChildRelay> {
    const relay = await startChildRelay(['--port', String(await freePort()), '--data', dataDir]);
    cleanup.push(() => killChild(relay));
    return relay;
  }

  it('RP37 a second relay on a directory in use exits with words; the first keeps serving', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'djamms-lock-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await relayOn(dataDir);
    const pid = first.process.pid!;
    expect((await readFile(join(dataDir, PID_FILE), 'utf8')).split(' ')[0]?.trim()).toBe(
      String(pid),
    );
    const second = await runRelay(['--port', String(await freePort()), '--data', dataDir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `another relay (process ${pid}) is running on ${dataDir}: stop it first`,
    );
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    // the refused one did not take the file
    expect((await readFile(join(dataDir, PID_FILE), 'utf8')).startsWith(`${pid}`)).toBe(true);
  });

  it('RP37 a directory left by a killed relay is taken over; a stopped relay leaves no pid file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'djamms-lock-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    await killChild(await relayOn(dataDir)); // SIGKILL: relay.pid stays behind
    await access(join(dataDir, PID_FILE));
    const next = await relayOn(dataDir);
    expect(
      (await readFile(join(dataDir, PID_FILE), 'utf8')).startsWith(`${next.process.pid}`),
    ).toBe(true);
    await killChild(next, 'SIGTERM');
    await expect(access(join(dataDir, PID_FILE))).rejects.toThrow();
    // a pid that lives but is not the relay that wrote the file (reused after a reboot) is not it
    await writeFile(join(dataDir, PID_FILE), `${process.pid} 1\n`);
    const again = await relayOn(dataDir);
    expect((await fetch(`${again.url}/healthz`)).status).toBe(200);
  });

  it('RP37 RP47 import refuses a data directory a relay still runs on', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'djamms-lock-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const relay = await relayOn(dataDir);
    // refused before any database is reached: this address has none
    await expect(
      importDataDir(dataDir, 'postgres://127.0.0.1:1/none', silentLogger),
    ).rejects.toThrow(DataDirInUseError);
    await killChild(relay, 'SIGTERM');
  });
});
