import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecrets } from './relay-secrets';

describe('the signing secret and operator key in the data directory', () => {
  let dir = '';
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('are made on first start and read back the same after', async () => {
    dir = await mkdtemp(join(tmpdir(), 'djamms-secrets-'));
    const first = await loadSecrets(dir, false);
    expect(first.firstStart).toBe(true);
    expect(first.secret).toHaveLength(32);
    const again = await loadSecrets(dir, false);
    expect(again.firstStart).toBe(false);
    expect(again.secret.equals(first.secret)).toBe(true);
    expect(again.operatorKey).toBe(first.operatorKey);
  });

  it('an empty or damaged file stops the relay, naming it, and is left as it was', async () => {
    dir = await mkdtemp(join(tmpdir(), 'djamms-secrets-'));
    await loadSecrets(dir, false);
    const secretPath = join(dir, 'secret');
    const keyPath = join(dir, 'operator-key');
    const key = await readFile(keyPath, 'utf8');
    for (const [path, content, word] of [
      [secretPath, '', 'empty'],
      [secretPath, '  \n', 'empty'],
      [secretPath, 'zz', 'damaged'],
      [secretPath, 'ab'.repeat(20), 'damaged'],
      [keyPath, '', 'empty'],
      [keyPath, 'two words', 'damaged'],
    ] as const) {
      const before = path === keyPath ? key : await readFile(secretPath, 'utf8');
      await writeFile(path, content);
      await expect(loadSecrets(dir, false)).rejects.toThrow(`${path} is ${word}`);
      expect(await readFile(path, 'utf8')).toBe(content);
      await writeFile(path, before);
    }
    await expect(loadSecrets(dir, false)).resolves.toMatchObject({ firstStart: false });
  });
});
