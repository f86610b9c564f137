import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

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

/**
 * Serves the built PWA (RP21) with an SPA fallback to `index.html`. Returns false when there is no
 * such directory or the request is not a GET/HEAD, so the caller answers 404.
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
  const chosen = file ?? (extname(pathname) ? null : await fileAt(join(root, 'index.html')));
  if (!chosen) return false;
  const immutable = chosen.path.includes(`${sep}_app${sep}immutable${sep}`);
  res.writeHead(200, {
    'content-type': TYPES[extname(chosen.path)] ?? 'application/octet-stream',
    'content-length': chosen.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(chosen.path).pipe(res);
  return true;
}

async function fileAt(path: string): Promise<{ path: string; size: number } | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size } : null;
  } catch {
    return null;
  }
}
