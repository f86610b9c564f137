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
  const secretHex = await readOrCreate(secretPath, () => randomBytes(32).toString('hex'));
  const operatorKey = await readOrCreate(keyPath, () => randomBytes(24).toString('base64url'));
  return {
    secret: Buffer.from(secretHex.value, 'hex'),
    operatorKey: operatorKey.value,
    operatorKeyPath: keyPath,
    firstStart: operatorKey.created,
  };
}

async function readOrCreate(path: string, make: () => string) {
  try {
    const value = (await readFile(path, 'utf8')).trim();
    if (value) return { value, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = make();
  await writeFileDurably(path, value + '\n', 0o600);
  return { value, created: true };
}
