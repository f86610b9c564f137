import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FALLBACK_NOTE = 'running the TypeScript through tsx';
const run = promisify(execFile);

/** Runs `node <args>` in `cwd` and returns what it printed. */
function node(args: string[], cwd = ROOT): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, args, { cwd });
}

/** A copy of the relay, its build and the protocol package, sharing this checkout's node_modules. */
async function relayCopy(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'djamms-relay-copy-'));
  for (const part of ['bin', 'dist', 'src', 'scripts', 'package.json'])
    await cp(join(ROOT, 'relay', part), join(root, 'relay', part), { recursive: true });
  await cp(join(ROOT, 'packages/protocol'), join(root, 'packages/protocol'), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  return root;
}

describe('the compiled relay (relay/dist)', () => {
  it('the bin runs the bundle that the test setup built from these sources', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'relay/dist/inputs.json'), 'utf8')) as {
      inputs: string[];
    };
    expect(manifest.inputs).toEqual(
      expect.arrayContaining([
        'src/main.ts',
        '../packages/protocol/src/index.ts',
        '../node_modules/yjs/package.json',
      ]),
    );
    const { stdout, stderr } = await node(['relay/bin/djamms-relay.js', '--help']);
    expect(stdout).toContain('djamms-relay: the DJAMMS sync relay');
    expect(stderr).not.toContain(FALLBACK_NOTE);
  });

  it('a source changed after the build runs through tsx, never the old bundle', async () => {
    const root = await relayCopy();
    try {
      const bin = join(root, 'relay/bin/djamms-relay.js');
      expect((await node([bin, '--help'])).stderr).not.toContain(FALLBACK_NOTE);
      const cli = join(root, 'relay/src/config/cli-config.ts');
      await writeFile(cli, (await readFile(cli, 'utf8')).replace('DJAMMS sync', 'edited'));
      const { stdout, stderr } = await node([bin, '--help']);
      expect(stderr).toContain(FALLBACK_NOTE);
      expect(stdout).toContain('djamms-relay: the edited relay');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('stack traces from the bundle point into relay/src through its source map', async () => {
    const probe = `
      import { findSourceMap } from 'node:module';
      import { readFileSync } from 'node:fs';
      const bundle = ${JSON.stringify(join(ROOT, 'relay/dist/djamms-relay.js'))};
      process.setSourceMapsEnabled(true);
      process.argv = [process.argv[0], 'probe', '--help'];
      process.stdout.write = () => true;
      await import(bundle);
      const lines = readFileSync(bundle, 'utf8').split('\\n');
      const line = lines.findIndex((l) => l.includes('function startRelay('));
      const entry = findSourceMap('file://' + bundle).findEntry(line, lines[line].indexOf('startRelay'));
      process.stderr.write(JSON.stringify(entry));`;
    const { stderr } = await node(['--input-type=module', '-e', probe]);
    const entry = JSON.parse(stderr) as { originalSource: string; originalLine: number };
    expect(entry.originalSource).toMatch(/\/relay\/src\/relay\.ts$/);
    const source = (await readFile(join(ROOT, 'relay/src/relay.ts'), 'utf8')).split('\n');
    expect(source[entry.originalLine]).toContain('export async function startRelay(');
  });
});
