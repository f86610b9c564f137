import type { IncomingMessage, ServerResponse } from 'node:http';
import * as Y from 'yjs';
import {
  decodeHttpSyncRequest,
  encodeHttpSyncAnswer,
  isRoomName,
  isSha256,
  isAcceptedMediaType,
  ACCEPTED_MEDIA_TYPES,
  mayAppendJournal,
  mayReadJournal,
  type JournalAppendResponse,
  type JournalEntry,
  type JournalPage,
} from '@djamms/protocol';
import { CORS_HEADERS, HttpError, bearerToken, readBody, readJson, sendJson } from './http-util';
import { clientAddress } from './client-address';
import { callerFor, limit } from './api-venues';
import { mediaHeaders } from './security-headers';
import { checkUpdate, isEmptyUpdate } from '../sync/update-check';
import { MediaTooLarge } from '../storage/MediaStore';
import type { RelayServices } from '../services';

const MAX_JOURNAL_BATCH = 100;
/** Largest `data` of one entry, in UTF-8 bytes of its JSON (RP18). */
const MAX_ENTRY_BYTES = 8 * 1024;
/** Room for a full batch of the largest entries with their ids, kinds, times and escapes. */
const MAX_JOURNAL_BODY = 2 * MAX_JOURNAL_BATCH * MAX_ENTRY_BYTES;

/** `POST /api/venues/<id>/journal`: idempotent by entry id (RP18); guests within RP30. */
export async function appendJournal(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  venueId: string,
) {
  const { claims } = await callerFor(s, req, venueId);
  const body = await readJson(req, MAX_JOURNAL_BODY);
  if (!Array.isArray(body.entries) || body.entries.length > MAX_JOURNAL_BATCH) {
    throw new HttpError(
      400,
      'invalid-entries',
      `entries must be an array of ≤ ${MAX_JOURNAL_BATCH}.`,
    );
  }
  const entries: Omit<JournalEntry, 'seq'>[] = body.entries.map((raw: unknown) => {
    const entry = validEntry(raw);
    if (!mayAppendJournal(claims.role, entry.kind)) {
      throw new HttpError(
        403,
        'journal-kind-forbidden',
        `A ${claims.role} may not append ${entry.kind}.`,
      );
    }
    return { ...entry, by: claims.sub, role: claims.role };
  });
  if (claims.role === 'guest') limitGuests(s, req, venueId, entries);
  const { appended, last } = await s.journal.append(venueId, entries);
  const response: JournalAppendResponse = { appended, cursor: String(last) };
  sendJson(res, 200, response);
}

/** Takes a guest batch from the venue's guest link and the caller's address (RP30), or 429. */
function limitGuests(
  s: RelayServices,
  req: IncomingMessage,
  venueId: string,
  entries: readonly Omit<JournalEntry, 'seq'>[],
): void {
  const bytes = entries.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0);
  const wait = s.guestJournalLimiter.take(venueId, clientAddress(req), entries.length, bytes);
  if (wait === 0) return;
  if (!Number.isFinite(wait)) {
    throw new HttpError(413, 'batch-too-large', 'Send fewer guest entries at once.');
  }
  s.metrics.rateLimited.inc();
  throw new HttpError(
    429,
    'guest-rate-limited',
    "This venue's guests are sending more requests than it takes; try again shortly.",
    { 'retry-after': String(Math.ceil(wait / 1000)) },
  );
}

function validEntry(raw: unknown): { id: string; kind: string; at: number; data?: unknown } {
  const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const ok =
    typeof e.id === 'string' &&
    /^[A-Za-z0-9_.:-]{1,80}$/.test(e.id) &&
    typeof e.kind === 'string' &&
    /^[a-z][a-z0-9-]{0,39}$/.test(e.kind) &&
    typeof e.at === 'number' &&
    Number.isFinite(e.at) &&
    Buffer.byteLength(JSON.stringify(e.data ?? null)) <= MAX_ENTRY_BYTES;
  if (!ok) {
    throw new HttpError(
      400,
      'invalid-entry',
      'Each entry needs {id, kind, at, data?} within limits.',
    );
  }
  const entry = { id: e.id as string, kind: e.kind as string, at: e.at as number };
  return e.data === undefined ? entry : { ...entry, data: e.data };
}

/** `GET /api/venues/<id>/journal?after=&limit=`: the cursor is the last seq returned (RP18). */
export async function readJournal(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  venueId: string,
  query: URLSearchParams,
) {
  const { claims } = await callerFor(s, req, venueId);
  if (!mayReadJournal(claims.role)) {
    throw new HttpError(403, 'journal-read-forbidden', 'Guests cannot read the journal.');
  }
  const after = Number(query.get('after') ?? 0);
  const max = Number(query.get('limit') ?? 100);
  if (!Number.isInteger(after) || after < 0 || !Number.isInteger(max) || max < 1 || max > 1000) {
    throw new HttpError(400, 'invalid-cursor', 'after must be a cursor; limit 1–1000.');
  }
  const entries = await s.journal.read(venueId, after, max);
  const cursor = entries.length > 0 ? (entries[entries.length - 1] as JournalEntry).seq : after;
  const page: JournalPage = { entries, cursor: String(cursor) };
  sendJson(res, 200, page);
}

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
  if (req.headers['if-none-match'] === etag) {
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
  const shape = update.byteLength > 0 ? checkUpdate(update) : { structs: 0, deletes: 0 };
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
    if (!isEmptyUpdate(shape)) await opened.receiveDurably(update);
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
