import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayTime } from '@djamms/protocol';
import { CORS_HEADERS, HttpError, requestUrl, sendError, sendJson } from './http-util';
import {
  changeDevice,
  createPairingCode,
  createVenue,
  describeVenue,
  guestToken,
  listDevices,
  pair,
  rotateGuestLink,
} from './api-venues';
import { httpSync, serveMedia, uploadMedia } from './api-data';
import { appendJournal, readHistory, readJournal } from './api-journal';
import { serveStatic } from './static-files';
import type { RelayServices } from '../services';

type Handler = (match: string[], query: URLSearchParams) => Promise<void> | void;

/** Answers one HTTP request; every failure becomes `{ error, message }` (RP17). */
export async function handleHttp(s: RelayServices, req: IncomingMessage, res: ServerResponse) {
  const url = requestUrl(req);
  // Every answer is taken as the type it declares, never sniffed into a page (RP27).
  res.setHeader('x-content-type-options', 'nosniff');
  if (!url) {
    sendError(res, new HttpError(400, 'invalid-target', 'The request names no path to answer.'));
    return;
  }
  s.metrics.observeHttp(url.pathname, res);
  try {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS_HEADERS, 'access-control-max-age': '86400' }).end();
      return;
    }
    const handler = route(s, req, res, url.pathname);
    if (handler) {
      await handler.run(handler.match, url.searchParams);
      return;
    }
    if (s.staticDir && !url.pathname.startsWith('/api/')) {
      if (await serveStatic(s.staticDir, req, res, url.pathname)) return;
    }
    throw new HttpError(404, 'not-found', `Nothing at ${req.method} ${url.pathname}.`);
  } catch (error) {
    // a body refused midway (unread, or its stream destroyed): the connection cannot carry another
    if (hasBody(req) && (!req.complete || req.destroyed)) res.setHeader('connection', 'close');
    if (error instanceof HttpError) {
      sendError(res, error);
      return;
    }
    if (req.socket.destroyed) {
      // The client went away or fell silent past the idle timeout (RP26): nobody to answer.
      s.logger.log('info', 'http-abandoned', { path: url.pathname, error: String(error) });
      return;
    }
    s.logger.log('error', 'http-failed', { path: url.pathname, error: String(error) });
    sendError(res, new HttpError(500, 'internal-error', 'The relay failed to answer.'));
  }
}

/** Whether a request came with a body (a length above zero, or chunks). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function route(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): { run: Handler; match: string[] } | null {
  const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/healthz$/, () => health(s, res)],
    ['GET', /^\/api\/time$/, () => sendJson(res, 200, { time: s.now() } satisfies RelayTime)],
    ['GET', /^\/metrics$/, () => metrics(s, res)],
    ['POST', /^\/api\/venues$/, () => createVenue(s, req, res)],
    ['GET', /^\/api\/venues\/([^/]+)$/, ([id]) => describeVenue(s, req, res, id!)],
    [
      'POST',
      /^\/api\/venues\/([^/]+)\/pairing-codes$/,
      ([id]) => createPairingCode(s, req, res, id!),
    ],
    ['POST', /^\/api\/pair$/, () => pair(s, req, res)],
    ['POST', /^\/api\/venues\/([^/]+)\/guest-link$/, ([id]) => rotateGuestLink(s, req, res, id!)],
    ['POST', /^\/api\/guest$/, () => guestToken(s, req, res)],
    ['GET', /^\/api\/venues\/([^/]+)\/devices$/, ([id]) => listDevices(s, req, res, id!)],
    [
      'PATCH',
      /^\/api\/venues\/([^/]+)\/devices\/([^/]+)$/,
      ([id, d]) => changeDevice(s, req, res, id!, d!),
    ],
    [
      'DELETE',
      /^\/api\/venues\/([^/]+)\/devices\/([^/]+)$/,
      ([id, d]) => changeDevice(s, req, res, id!, d!),
    ],
    ['POST', /^\/api\/venues\/([^/]+)\/journal$/, ([id]) => appendJournal(s, req, res, id!)],
    ['GET', /^\/api\/venues\/([^/]+)\/journal$/, ([id], q) => readJournal(s, req, res, id!, q)],
    ['GET', /^\/api\/venues\/([^/]+)\/history$/, ([id], q) => readHistory(s, req, res, id!, q)],
    ['POST', /^\/api\/venues\/([^/]+)\/media$/, ([id]) => uploadMedia(s, req, res, id!)],
    ['GET', /^\/media\/([^/]+)$/, ([sha]) => serveMedia(s, req, res, sha!)],
    ['GET', /^\/api\/demo-library$/, async () => sendJson(res, 200, await s.demoLibrary())],
    ['POST', /^\/api\/sync\/([^/]+)$/, ([room]) => httpSync(s, req, res, room!)],
  ];
  const allowed: string[] = [];
  for (const [verb, pattern, run] of routes) {
    const found = pattern.exec(path);
    if (!found) continue;
    if (verb === method) return { run, match: found.slice(1) };
    allowed.push(...(verb === 'GET' ? ['GET', 'HEAD'] : [verb]));
  }
  if (allowed.length > 0) {
    throw new HttpError(405, 'method-not-allowed', `${req.method} is not allowed here.`, {
      allow: [...allowed, 'OPTIONS'].join(', '),
    });
  }
  return null;
}

/**
 * Whether this node can save (RP21): always on a single relay; on a cluster node, while
 * PostgreSQL answers (503 when it does not). Redis is reported, not counted: without it updates are
 * still saved.
 */
async function health(s: RelayServices, res: ServerResponse): Promise<void> {
  const shared = s.shared ? await s.shared() : null;
  const ok = shared?.postgres ?? true;
  sendJson(res, ok ? 200 : 503, {
    ok,
    rooms: s.host.size,
    connections: s.connectionCount(),
    ...shared,
  });
}

async function metrics(s: RelayServices, res: ServerResponse): Promise<void> {
  const largest = { mergedBytes: 0, logBytes: 0, frames: 0 };
  for (const room of s.host.rooms()) {
    const { mergedBytes, logBytes, frames } = room.sizes;
    largest.mergedBytes = Math.max(largest.mergedBytes, mergedBytes);
    largest.logBytes = Math.max(largest.logBytes, logBytes);
    largest.frames = Math.max(largest.frames, frames);
  }
  const text = await s.metrics.render({
    roomsOpen: s.host.size,
    roomsShared: s.host.shared,
    connections: s.connectionCount(),
    largestRoom: largest,
  });
  res.writeHead(200, {
    'content-type': s.metrics.contentType,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
