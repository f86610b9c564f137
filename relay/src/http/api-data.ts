import type { IncomingMessage, ServerResponse } from 'node:http';
import * as Y from 'yjs';
import {
  decodeHttpSyncRequest,
  encodeHttpSyncAnswer,
  isRoomName,
  isSha256,
  isAcceptedMediaType,
  ACCEPTED_MEDIA_TYPES,
} from '@djamms/protocol';
import { CORS_HEADERS, HttpError, bearerToken, readBody, sendJson } from './http-util';
import { callerFor, limit } from './api-venues';
import { mediaHeaders } from './security-headers';
import { checkUpdate, isEmptyUpdate } from '../sync/update-check';
import { MediaTooLarge } from '../storage/MediaStore';
import type { RelayServices } from '../services';

/**
 * `POST /api/venues/<id>/media` (admin): streamed, hashed, stored once (RP19). Only audio, video
 * and raster images: anything a browser could run as a page is refused (T21).
 */
export async function uploadMedia(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  venueId: string,
) {
  await callerFor(s, req, venueId, ['admin']);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!isAcceptedMediaType(type)) {
    throw new HttpError(
      415,
      'unsupported-media-type',
      `The relay stores ${ACCEPTED_MEDIA_TYPES}; this upload's Content-Type is ${type || 'missing'}.`,
    );
  }
  const limit = s.limits.maxMediaBytes;
  const tooLarge = () =>
    new HttpError(413, 'media-too-large', `Media files are limited to ${limit} bytes.`);
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const stored = await s.media.put(req, type, limit).catch((error: unknown) => {
    throw error instanceof MediaTooLarge ? tooLarge() : error;
  });
  s.logger.log('info', 'media-stored', { venueId, sha256: stored.sha256, size: stored.size });
  sendJson(res, stored.fresh ? 201 : 200, {
    sha256: stored.sha256,
    size: stored.size,
    type: stored.type,
  });
}

const mediaNotFound = () => new HttpError(404, 'media-not-found', 'No such media.');

/** `GET|HEAD /media/<sha256>` with Range, ETag and immutable caching. */
export async function serveMedia(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  sha: string,
) {
  const record = isSha256(sha) ? await s.media.stat(sha) : null;
  if (!record) throw mediaNotFound();
  const etag = `"${record.sha256}"`;
  const headers: Record<string, string | number> = {
    ...CORS_HEADERS,
    ...mediaHeaders(record.type),
    etag,
    'cache-control': 'public, max-age=31536000, immutable',
    'accept-ranges': 'bytes',
  };
  if (cachedCopyMatches(req.headers['if-none-match'], record.sha256)) {
    res.writeHead(304, headers).end();
    return;
  }
  const range = parseRange(req.headers.range, record.size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${record.size}` }).end();
    return;
  }
  const [start, end] = range ?? [0, record.size - 1];
  const status = range ? 206 : 200;
  if (range) headers['content-range'] = `bytes ${start}-${end}/${record.size}`;
  headers['content-length'] = record.size === 0 ? 0 : end - start + 1;
  if (req.method === 'HEAD' || record.size === 0) {
    res.writeHead(status, headers).end();
    return;
  }
  const body = await s.media.read(sha, { start, end });
  if (!body) throw mediaNotFound();
  res.writeHead(status, headers);
  body.pipe(res);
}

/** One `bytes=a-b` range (suffix and open-ended forms too); multiple ranges are served whole. */
function parseRange(
  header: string | undefined,
  size: number,
): [number, number] | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, a = '', b = ''] = match;
  if (a === '' && b === '') return null;
  let start: number;
  let end: number;
  if (a === '') {
    start = Math.max(0, size - Number(b));
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}

/**
 * `POST /api/sync/<room>` (RP20): body `varUint8Array(stateVector) varUint8Array(update)`;
 * answer `varUint8Array(diff the client lacks) varUint8Array(relay state vector)`, after the
 * client's update is durable.
 */
export async function httpSync(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  room: string,
) {
  if (!isRoomName(room)) throw new HttpError(404, 'room-not-found', 'No such room.');
  const admission = await s.gate.admitFresh(bearerToken(req), room);
  if (!admission.ok) throw new HttpError(admission.status, admission.error, admission.message);
  limit(s, admission.claims.sub);
  const body = await readBody(req, s.limits.maxMessageBytes);
  const { stateVector, update } = decodeSyncBody(body);
  // an empty body part is an empty update
  const shape = checkUpdate(update.byteLength > 0 ? update : new Uint8Array([0, 0]));
  if (!shape) throw new HttpError(400, 'malformed-update', 'The update is not a valid Yjs update.');
  if (!isEmptyUpdate(shape) && !admission.canWrite) {
    throw new HttpError(403, 'read-only', 'This token may read this room but not write to it.');
  }
  const opened = await s.host.open(room, admission.kind);
  try {
    let diff: Uint8Array;
    try {
      Y.decodeStateVector(stateVector);
      diff = opened.diffFor(stateVector);
    } catch {
      throw new HttpError(400, 'malformed-state-vector', 'The state vector does not decode.');
    }
    if (!isEmptyUpdate(shape)) await opened.receiveDurably(update, shape.clocks);
    const out = encodeHttpSyncAnswer(diff, opened.stateVector());
    res.writeHead(200, {
      ...CORS_HEADERS,
      'content-type': 'application/octet-stream',
      'content-length': out.byteLength,
      'cache-control': 'no-store',
    });
    res.end(out);
  } finally {
    s.host.release(room);
  }
}

function decodeSyncBody(body: Buffer): { stateVector: Uint8Array; update: Uint8Array } {
  try {
    return decodeHttpSyncRequest(body);
  } catch {
    throw new HttpError(
      400,
      'malformed-sync-body',
      'Send varUint8Array(stateVector) varUint8Array(update).',
    );
  }
}

/**
 * Whether an `If-None-Match` names this media's ETag: `*`, or a list of tags compared weakly
 * (RFC 9110 §13.1.2: `W/"<sha>"` matches `"<sha>"`).
 */
function cachedCopyMatches(header: string | undefined, sha256: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === `"${sha256}"`);
}
