#!/usr/bin/env node
// Runs the compiled relay (relay/dist, which `npm install` builds: see relay/scripts/build.ts) when
// it was built from exactly the sources and package versions on disk. Otherwise (never built,
// `--ignore-scripts`, or changed since) it runs the TypeScript sources through tsx, so old code never
// runs. It never builds itself: the relay may run as a user that cannot write to its install.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RELAY = fileURLToPath(new URL('..', import.meta.url));

/** True when dist/inputs.json's hash matches the sources now (same recipe as scripts/build.ts). */
function builtFromTheseSources() {
  try {
    const { inputs, sha256 } = JSON.parse(readFileSync(join(RELAY, 'dist/inputs.json'), 'utf8'));
    const hash = createHash('sha256');
    for (const path of inputs) hash.update(`${path}\0`).update(readFileSync(join(RELAY, path)));
    return hash.digest('hex') === sha256;
  } catch {
    return false; // no build, or an input was removed
  }
}

if (builtFromTheseSources()) {
  process.setSourceMapsEnabled(true); // stack traces name relay/src files and lines
  await import('../dist/djamms-relay.js');
} else {
  process.stderr.write(
    'djamms-relay: relay/dist is not built from these sources (npm run build -w djamms-relay); running the TypeScript through tsx\n',
  );
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
