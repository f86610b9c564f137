/**
 * `npm start`: builds the web app when build/ is missing or older than its sources, then runs the
 * relay (which serves ./build). Arguments after `--` go to the relay, e.g. `npm start -- --port 0`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildIfStale, ROOT } from './build-if-stale';

buildIfStale();
const relay = spawn(
  process.execPath,
  [join(ROOT, 'relay/bin/djamms-relay.js'), ...process.argv.slice(2)],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => relay.kill(signal));
relay.on('exit', (code) => process.exit(code ?? 0));
