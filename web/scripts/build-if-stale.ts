/**
 * Builds the web app (`npm run build`: vite build, then precompression) when build/ is missing or
 * older than its sources. Used by `npm start` and by the end-to-end tests; concurrent callers wait
 * for one build (a lock directory).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = join(ROOT, 'build', 'index.html');
const LOCK = join(tmpdir(), `djamms-web-build-${ROOT.replace(/[^A-Za-z0-9]/g, '_')}.lock`);
const SOURCES = [
  'web',
  'static',
  'packages/venue/src',
  'packages/protocol/src',
  'svelte.config.js',
  'vite.config.ts',
];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/** True when build/ is missing or older than a source file. */
export function buildIsStale(): boolean {
  return (
    !existsSync(BUILT) ||
    Math.max(...SOURCES.map((s) => newest(join(ROOT, s)))) > statSync(BUILT).mtimeMs
  );
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds if stale; returns once build/ is fresh. Throws if the build fails. */
export function buildIfStale(log: (line: string) => void = console.error): void {
  if (!buildIsStale()) return;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another process builds: wait for it, unless its lock is abandoned (older than 5 minutes).
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 300_000)
        rmSync(LOCK, { recursive: true, force: true });
      sleep(250);
      if (!existsSync(LOCK) && !buildIsStale()) return;
    }
  }
  try {
    if (!buildIsStale()) return;
    log('Building the web app (npm run build)…');
    const build = spawnSync('npm', ['run', 'build'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (build.status !== 0) throw new Error(`npm run build failed (${build.status})`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
