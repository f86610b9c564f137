import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file naming the relay that uses a data directory (RP37). */
export const PID_FILE = 'relay.pid';

/** A data directory in use by another running relay. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `another relay (process ${pid}) is running on ${dataDir}: stop it first ` +
        `(two relays writing one data directory would damage it)`,
    );
  }
}

/** When a process started, in clock ticks since boot (Linux), to tell a reused pid apart. */
async function startTime(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The process id of another relay running on `dataDir` now, or null (RP37): the pid in
 * `relay.pid`, if that process lives and started when the file says (a pid reused after a crash
 * or a reboot is not taken for the relay). This process itself never counts.
 */
export async function relayUsing(dataDir: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, PID_FILE), 'utf8');
  } catch {
    return null;
  }
  const [pidText, started] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return null;
  const now = await startTime(pid);
  return now === null || started === undefined || now === started ? pid : null;
}

/**
 * Claims `dataDir` for this relay (RP37): refuses with {@link DataDirInUseError} while another
 * relay runs on it, otherwise writes `relay.pid` (a stale one, left by a relay that was killed,
 * is replaced). Answers the release, which removes the file.
 */
export async function claimDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, PID_FILE);
  const started = await startTime(process.pid);
  for (;;) {
    try {
      // created only if absent: of two relays starting at once, one makes it
      await writeFile(path, `${process.pid}${started ? ` ${started}` : ''}\n`, { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const other = await relayUsing(dataDir);
    if (other !== null) throw new DataDirInUseError(dataDir, other);
    await rm(path, { force: true }); // stale, or this process's own
  }
}
