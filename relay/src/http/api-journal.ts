/** The journal routes (RP18, RP30, RP33, RP34): appends, pages, and the venue's play history. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  actionRecordProblem,
  mayAppendJournal,
  mayReadJournal,
  playRecordProblem,
  type ActionRecord,
  type HistoryPage,
  type JournalAppendResponse,
  type JournalEntry,
  type JournalPage,
  type PlayEntry,
  type PlayRecord,
} from '@djamms/protocol';
import { HttpError, readJson, sendJson } from './http-util';
import { clientAddress } from './client-address';
import { callerFor } from './api-venues';
import type { RelayServices } from '../services';

const MAX_JOURNAL_BATCH = 100;
/** An entry kind (RP18). */
const KIND = /^[a-z][a-z0-9-]{0,39}$/;
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
  const deviceName = () => s.registry.device(claims.sub)?.name ?? '';
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
    checkRecord(entry);
    const named =
      entry.kind === 'action'
        ? { ...entry, data: { what: (entry.data as ActionRecord).what, device: deviceName() } }
        : entry;
    return { ...named, by: claims.sub, role: claims.role };
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

/** A play or an action with a malformed `data` is refused with 400 and what is wrong (RP33). */
function checkRecord(entry: { kind: string; at: number; data?: unknown }): void {
  const problem =
    entry.kind === 'play'
      ? playRecordProblem(entry.data, entry.at)
      : entry.kind === 'action'
        ? actionRecordProblem(entry.data)
        : null;
  if (problem) throw new HttpError(400, `invalid-${entry.kind}`, capitalised(problem));
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function validEntry(raw: unknown): { id: string; kind: string; at: number; data?: unknown } {
  const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const ok =
    typeof e.id === 'string' &&
    /^[A-Za-z0-9_.:-]{1,80}$/.test(e.id) &&
    typeof e.kind === 'string' &&
    KIND.test(e.kind) &&
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

/**
 * `GET /api/venues/<id>/journal?after=&before=&limit=&kinds=` (RP18, RP34): the cursor is the last
 * seq returned. With `before`, the newest entries below it (the page before, for a log read
 * backwards); with `kinds`, only entries of those kinds.
 */
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
  const { after, before, limit } = pageParams(query, 100, 1000);
  const kinds = query.get('kinds')?.split(',');
  if (kinds && !kinds.every((k) => KIND.test(k))) {
    throw new HttpError(400, 'invalid-kinds', 'kinds is a comma-separated list of entry kinds.');
  }
  const entries = await s.journal.read(venueId, {
    after,
    before,
    limit,
    kinds,
    newest: before !== undefined,
  });
  const cursor = entries.length > 0 ? (entries[entries.length - 1] as JournalEntry).seq : after;
  const page: JournalPage = { entries, cursor: String(cursor) };
  sendJson(res, 200, page);
}

/** Most plays in one history page (RP34). */
const MAX_HISTORY_PAGE = 1000;

/**
 * `GET /api/venues/<id>/history?from=&to=&after=&limit=` (admin, staff; RP34): the venue's plays
 * with `from ≤ at < to` (milliseconds since the epoch), by seq, a page at a time.
 */
export async function readHistory(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  venueId: string,
  query: URLSearchParams,
) {
  await callerFor(s, req, venueId, ['admin', 'staff']);
  const from = Number(query.get('from') ?? NaN);
  const to = Number(query.get('to') ?? NaN);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from >= to) {
    throw new HttpError(
      400,
      'invalid-range',
      'from and to are times in milliseconds since the epoch, from before to.',
    );
  }
  const { after, limit } = pageParams(query, MAX_HISTORY_PAGE, MAX_HISTORY_PAGE);
  const found = await s.journal.read(venueId, { after, limit, kinds: ['play'], from, to });
  const entries: PlayEntry[] = found.map(({ id, seq, at, data }) => ({
    id,
    seq,
    at,
    data: data as PlayRecord,
  }));
  const last = entries[entries.length - 1];
  const page: HistoryPage = {
    entries,
    cursor: entries.length === limit && last ? String(last.seq) : null,
  };
  sendJson(res, 200, page);
}

/** `after`, `before` and `limit` of a page, or 400. */
function pageParams(query: URLSearchParams, fallback: number, max: number) {
  const after = Number(query.get('after') ?? 0);
  const before = query.has('before') ? Number(query.get('before')) : undefined;
  const limit = Number(query.get('limit') ?? fallback);
  const cursor = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 0);
  if (!cursor(after) || !cursor(before) || !Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new HttpError(400, 'invalid-cursor', `after and before must be cursors; limit 1–${max}.`);
  }
  return { after, before, limit };
}
