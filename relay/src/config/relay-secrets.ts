import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../storage/durable-file';

/** The relay's signing secret and operator key. */
export interface RelaySecrets {
  readonly secret: Buffer;
  readonly operatorKey: string;
  /** Where the operator key is (null in ephemeral mode) and whether it was just created. */
  readonly operatorKeyPath: string | null;
  readonly firstStart: boolean;
}

/**
 * Reads `<data>/secret` and `<data>/operator-key` (mode 0600), creating them on first start.
 * Ephemeral mode makes both up in memory.
 */
export async function loadSecrets(dataDir: string, ephemeral: boolean): Promise<RelaySecrets> {
  if (ephemeral) {
    return {
      secret: randomBytes(32),
      operatorKey: randomBytes(24).toString('base64url'),
      operatorKeyPath: null,
      firstStart: true,
    };
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secretPath = join(dataDir, 'secret');
  const keyPath = join(dataDir, 'operator-key');
  const secretHex = await readOrCreate(
    secretPath,
    () => randomBytes(32).toString('hex'),
    (value) => /^[0-9a-f]{64}$/i.test(value),
    "it signs every device's token: restore it from a backup of this directory, or delete it to " +
      'make a new one, which signs every device out (each must be paired again)',
  );
  const operatorKey = await readOrCreate(
    keyPath,
    () => randomBytes(24).toString('base64url'),
    (value) => /^\S+$/.test(value),
    'restore it from a backup of this directory, or delete it to make a new one',
  );
  return {
    secret: Buffer.from(secretHex.value, 'hex'),
    operatorKey: operatorKey.value,
    operatorKeyPath: keyPath,
    firstStart: operatorKey.created,
  };
}

/**
 * The value kept in `path`, or a new one made and written there when there is no such file. A
 * file that is there but empty or damaged (a full disk, a bad copy) stops the relay with
 * `remedy`: made again silently, a new secret would sign every device out for good.
 */
async function readOrCreate(
  path: string,
  make: () => string,
  valid: (value: string) => boolean,
  remedy: string,
) {
  let value: string;
  try {
    value = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    value = make();
    await writeFileDurably(path, value + '\n', 0o600);
    return { value, created: true };
  }
  if (!valid(value)) throw new Error(`${path} is ${value ? 'damaged' : 'empty'}: ${remedy}.`);
  return { value, created: false };
}
