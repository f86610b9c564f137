import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RelaySecrets } from '../config/relay-secrets';
import { writeFileDurably } from '../storage/durable-file';
import type { Postgres } from './postgres';

/**
 * The cluster's signing secret and operator key (RP41): made by the first node to start, kept in
 * the `secrets` table, the same for every node (a token signed by one is accepted by all). Each
 * node writes the operator key to `<data>/operator-key` (0600) for its operator.
 */
export async function loadClusterSecrets(pool: Postgres, dataDir: string): Promise<RelaySecrets> {
  const created = await pool.query(
    `INSERT INTO secrets (name, value) VALUES ('secret', $1), ('operator-key', $2)
     ON CONFLICT (name) DO NOTHING`,
    [randomBytes(32).toString('hex'), randomBytes(24).toString('base64url')],
  );
  const { rows } = await pool.query<{ name: string; value: string }>(
    `SELECT name, value FROM secrets WHERE name IN ('secret', 'operator-key')`,
  );
  const value = (name: string) => {
    const found = rows.find((r) => r.name === name)?.value;
    if (!found) throw new Error(`the cluster database has no ${name}`);
    return found;
  };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const operatorKeyPath = join(dataDir, 'operator-key');
  await writeFileDurably(operatorKeyPath, value('operator-key') + '\n', 0o600);
  return {
    secret: Buffer.from(value('secret'), 'hex'),
    operatorKey: value('operator-key'),
    operatorKeyPath,
    firstStart: created.rowCount === 2,
  };
}
