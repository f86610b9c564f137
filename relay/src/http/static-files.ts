import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pagePolicy } from './security-headers';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The SPA's page for app routes: the build's shell, or `index.html` where there is none. */
const FALLBACKS = ['shell.html', 'index.html'];

/** Precompressed variants the build writes beside a file, in order of preference. */
const VARIANTS = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;

/**
 * Serves the built PWA (RP21) with an SPA fallback to `shell.html` (else `index.html`; in this
 * build that is the prerendered home page). A file's precompressed variant (`.br`, else `.gz`) is
 * sent when the request accepts its encoding. Hashed files under `_app/immutable/` are cached for
 * a year; everything else is revalidated (`no-cache`), so a new build's pages and service worker
 * are seen at once. Pages carry a Content-Security-Policy naming their inline scripts (RP27).
 * Returns false when there is no such directory or the request is not a GET/HEAD, so the caller
 * answers 404.
 */
export async function serveStatic(
  dir: string,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const root = normalize(dir);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  const wanted = normalize(join(root, decoded));
  if (wanted !== root && !wanted.startsWith(root + sep)) return false;
  const file = (await fileAt(wanted)) ?? (await fileAt(join(wanted, 'index.html')));
  const chosen = file ?? (extname(pathname) ? null : await spaFallback(root));
  if (!chosen) return false;
  const immutable = chosen.path.includes(`${sep}_app${sep}immutable${sep}`);
  const { body, encoding } = await pickVariant(chosen, acceptedEncodings(req));
  res.writeHead(200, {
    'content-type': TYPES[extname(chosen.path)] ?? 'application/octet-stream',
    'content-length': body.size,
    ...(encoding ? { 'content-encoding': encoding } : {}),
    vary: 'Accept-Encoding',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...(extname(chosen.path) === '.html'
      ? { 'content-security-policy': await policyOf(chosen) }
      : {}),
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(body.path).pipe(res);
  return true;
}

type FoundFile = { path: string; size: number; mtimeMs: number };

/** Each page's policy, computed again when a new build replaces the file. */
const policies = new Map<string, { stamp: string; policy: string }>();

async function policyOf(page: FoundFile): Promise<string> {
  const stamp = `${page.size}:${page.mtimeMs}`;
  const known = policies.get(page.path);
  if (known?.stamp === stamp) return known.policy;
  const policy = pagePolicy(await readFile(page.path, 'utf8'));
  policies.set(page.path, { stamp, policy });
  return policy;
}

async function pickVariant(
  file: FoundFile,
  accepted: Set<string>,
): Promise<{ body: FoundFile; encoding: string | null }> {
  for (const { encoding, suffix } of VARIANTS) {
    if (!accepted.has(encoding)) continue;
    const variant = await fileAt(file.path + suffix);
    if (variant) return { body: variant, encoding };
  }
  return { body: file, encoding: null };
}

/** The content codings an Accept-Encoding header allows (`q=0` refuses one; `*` allows the rest). */
function acceptedEncodings(req: IncomingMessage): Set<string> {
  const weights = new Map<string, number>();
  for (const part of (req.headers['accept-encoding'] ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const q = params.find((p) => p.startsWith('q='));
    weights.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  const accepted = new Set<string>();
  for (const { encoding } of VARIANTS) {
    const weight = weights.get(encoding) ?? weights.get('*') ?? 0;
    if (weight > 0) accepted.add(encoding);
  }
  return accepted;
}

async function spaFallback(root: string): Promise<FoundFile | null> {
  for (const name of FALLBACKS) {
    const found = await fileAt(join(root, name));
    if (found) return found;
  }
  return null;
}

async function fileAt(path: string): Promise<FoundFile | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size, mtimeMs: info.mtimeMs } : null;
  } catch {
    return null;
  }
}
