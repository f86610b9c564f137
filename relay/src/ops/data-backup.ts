/**
 * `djamms-relay backup` and `djamms-relay restore`: a consistent copy of a relay's data directory,
 * taken while the relay runs, and putting one back (relay/PROTOCOL.md RP35, RP36).
 *
 * Why a plain copy is consistent here: an acknowledged update is in a commit-log generation, which
 * a checkpoint deletes only after writing its updates to the room logs (RP11); logs only grow; and
 * everything rewritten (a compacted room or journal, the registry) is replaced by an atomic rename.
 * The backup reads the commit log first and lists the room logs after it, so an update acknowledged
 * before the backup began is in a generation it read or in a room log it read. The copy keeps whole
 * frames and leaves off a frame still being written; the restored relay replays the commit log into
 * the room logs when it starts.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeFrames } from '../storage/frames';

/** The format tag and version of a backup's manifest, `backup.json`. */
export const BACKUP_FORMAT = 'djamms-relay-backup';
export const BACKUP_VERSION = 1;
const MANIFEST = 'backup.json';
/** Files readable by the relay's user only, as the relay writes them. */
const PRIVATE = new Set(['secret', 'operator-key', 'registry.json']);
const SHA256 = /^[0-9a-f]{64}$/;

/** `backup.json`: what the backup holds, each file with its size and sha256. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: number;
  created: number;
  files: Record<string, { bytes: number; sha256: string }>;
}

/** A refusal to back up or restore, in words an operator acts on. */
export class DataBackupError extends Error {}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function readIfThere(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The part of a file a backup keeps: whole frames of a log, whole lines of a journal. */
function keptPart(path: string, data: Buffer): Buffer {
  if (path.startsWith('rooms/') || path.startsWith('commit/')) {
    return data.subarray(0, decodeFrames(data).goodBytes);
  }
  if (path.startsWith('journal/')) return data.subarray(0, data.lastIndexOf(0x0a) + 1);
  return data;
}

/**
 * The files of a data directory a backup takes, in the order it reads them. Each folder is listed
 * only once the files before it were read: the room logs after the commit log (see above).
 */
async function* filesOf(data: string): AsyncGenerator<string> {
  yield* ['secret', 'operator-key', 'registry.json'];
  for (const f of await list(join(data, 'commit'))) if (/^\d+\.log$/.test(f)) yield `commit/${f}`;
  for (const f of await list(join(data, 'rooms'))) if (f.endsWith('.log')) yield `rooms/${f}`;
  for (const f of await list(join(data, 'journal'))) if (f.endsWith('.jsonl')) yield `journal/${f}`;
  // A file is in the store once it has its type beside it (DiskMediaStore renames it in last).
  const media = new Set(await list(join(data, 'media')));
  for (const f of media) {
    if (SHA256.test(f) && media.has(`${f}.json`)) yield* [`media/${f}.json`, `media/${f}`];
  }
}

async function emptyOrAbsent(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/** Writes one file of a new directory, private where the relay keeps it private. */
type Put = (path: string, bytes: Uint8Array) => Promise<void>;

/**
 * Fills the new directory `target` through a temporary one and one rename, so an interrupted run
 * leaves nothing under `target`. One file is held in memory at a time.
 */
async function intoNewDirectory(target: string, fill: (put: Put) => Promise<void>) {
  const temp = `${target}.partial-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  try {
    await fill(async (path, bytes) => {
      const at = join(temp, path);
      await mkdir(dirname(at), { recursive: true, mode: 0o700 });
      await writeFile(at, bytes, { mode: PRIVATE.has(path) ? 0o600 : 0o644 });
    });
    if (await stat(target).catch(() => null)) await rmdir(target);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Copies the data directory `data` of a relay (running or not) to the new directory `to`, with a
 * manifest written last. Returns the manifest.
 */
export async function backupData(data: string, to: string, now = Date.now()) {
  if (!(await readIfThere(join(data, 'secret')))) {
    throw new DataBackupError(`${data} is not a relay's data directory (it has no secret)`);
  }
  if (!(await emptyOrAbsent(to))) throw new DataBackupError(`${to} already holds files`);
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    created: now,
    files: {},
  };
  await intoNewDirectory(to, async (put) => {
    for await (const path of filesOf(data)) {
      const read = await readIfThere(join(data, path));
      if (!read) continue; // compacted away meanwhile: its replacement is read under its own name
      const bytes = keptPart(path, read);
      await put(path, bytes);
      manifest.files[path] = { bytes: bytes.byteLength, sha256: sha256(bytes) };
    }
    await put(MANIFEST, Buffer.from(JSON.stringify(manifest, null, 1)));
  });
  return manifest;
}

/** Reads a backup's manifest, and checks every file it names without holding them all. */
async function checkBackup(from: string): Promise<BackupManifest> {
  const text = await readIfThere(join(from, MANIFEST));
  if (!text) throw new DataBackupError(`${from} is not a finished relay backup (no ${MANIFEST})`);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(text.toString('utf8')) as BackupManifest;
  } catch {
    throw new DataBackupError(`${from}/${MANIFEST} is damaged`);
  }
  if (manifest?.format !== BACKUP_FORMAT)
    throw new DataBackupError(`${from} is not a relay backup`);
  if (!Number.isInteger(manifest.version) || manifest.version > BACKUP_VERSION) {
    throw new DataBackupError(
      `${from} was made by a newer relay: update djamms-relay to restore it`,
    );
  }
  const paths = Object.keys(manifest.files ?? {});
  if (!paths.includes('secret')) throw new DataBackupError(`${from} holds no signing secret`);
  for (const path of paths) await checkedFile(from, manifest, path);
  return manifest;
}

/** A file of a backup, when it is whole: the size and hash of the manifest, no torn record. */
async function checkedFile(from: string, manifest: BackupManifest, path: string): Promise<Buffer> {
  if (path === MANIFEST || path.split('/').some((part) => part === '..' || part === '')) {
    throw new DataBackupError(`${from}/${MANIFEST} names a file outside the backup: ${path}`);
  }
  const want = manifest.files[path]!;
  const bytes = await readIfThere(join(from, path));
  if (!bytes || bytes.byteLength !== want.bytes || sha256(bytes) !== want.sha256) {
    throw new DataBackupError(`${from}/${path} is missing or damaged: nothing was restored`);
  }
  if (keptPart(path, bytes).byteLength !== bytes.byteLength) {
    throw new DataBackupError(`${from}/${path} ends in a torn record: nothing was restored`);
  }
  return bytes;
}

/**
 * Puts the backup `from` in place as the data directory `data`, which must be empty or absent (the
 * relay stopped, the old directory moved aside). Every file is checked before anything is written.
 */
export async function restoreData(from: string, data: string) {
  if (!(await emptyOrAbsent(data))) {
    throw new DataBackupError(
      `${data} already holds data: stop the relay and move that directory aside first`,
    );
  }
  const manifest = await checkBackup(from);
  const paths = Object.keys(manifest.files);
  await intoNewDirectory(data, async (put) => {
    for (const path of paths) await put(path, await checkedFile(from, manifest, path));
  });
  return paths.length;
}

const USAGE = `Usage:
  djamms-relay backup --data <dir> --to <new dir>     copy a data directory, even while the relay runs
  djamms-relay restore --from <backup dir> --data <empty dir>
`;

/** Runs `backup` or `restore` with their arguments; returns the process exit code. */
export async function runDataCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
): Promise<number> {
  const [command, ...rest] = argv;
  let values: { data?: string; to?: string; from?: string; help?: boolean };
  try {
    values = parseArgs({
      args: [...rest],
      options: {
        data: { type: 'string' },
        to: { type: 'string' },
        from: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    out(`djamms-relay ${command}: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const data = values.data ?? env.DJAMMS_DATA ?? './data';
  try {
    if (command === 'backup' && values.to) {
      const manifest = await backupData(data, values.to);
      const count = Object.keys(manifest.files).length;
      out(`Backed up ${data} to ${values.to} (${count} files)\n`);
      return 0;
    }
    if (command === 'restore' && values.from) {
      const count = await restoreData(values.from, data);
      out(
        `Restored ${values.from} into ${data} (${count} files): start the relay with --data ${data}\n`,
      );
      return 0;
    }
    out(USAGE);
    return 2;
  } catch (error) {
    out(`djamms-relay ${command}: ${(error as Error).message}\n`);
    return 1;
  }
}
