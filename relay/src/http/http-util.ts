import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { HttpErrorBody } from '@djamms/protocol';

/** CORS headers on every API and media response: the PWA may be served from another origin. */
export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type, range',
  'access-control-allow-methods': 'GET, HEAD, POST, PATCH, DELETE, OPTIONS',
  'access-control-expose-headers': 'content-length, content-range, etag, accept-ranges',
} as const;

/** An expected HTTP failure: becomes `{ error, message }` with `status` (RP17). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Writes a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** The one error helper: every HTTP error goes out through here. */
export function sendError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body: HttpErrorBody = { error: error.error, message: error.message };
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendJson(res, error.status, body);
}

/**
 * A request's URL as the relay reads it: only its path and query count. An origin-form target
 * (`/path?query`) is read as a path even when it starts with `//`, which `new URL` with a base
 * would take for a host; an absolute-form one (`http://host/path`, RFC 9112 §3.2.2) by its path.
 * Null for any other target (`*`, `http://[/`): answered 400 or 404, never thrown, since a target
 * that `new URL` refused (`//[` with a base) once took the whole relay down.
 */
export function requestUrl(req: IncomingMessage): URL | null {
  const target = req.url ?? '/';
  try {
    if (target.startsWith('/')) return new URL(`http://relay${target}`);
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/**
 * A whole HTTP answer with an `{ error, message }` body (RP17), as raw text for a socket that has
 * no `ServerResponse` (an upgrade refused, a request Node could not read); the connection closes.
 */
export function rawErrorAnswer(
  status: number,
  error: string,
  message: string,
  headers = '',
): string {
  const body = JSON.stringify({ error, message } satisfies HttpErrorBody);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n${headers}` +
    'Content-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** The bearer token of a request, if any; the scheme is case-insensitive (RFC 7235, RP17). */
export function bearerToken(req: IncomingMessage): string | null {
  return /^bearer +(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
}

/** Reads a whole body up to `limit` bytes (413 beyond). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body-too-large', `The body is larger than ${limit} bytes.`);
}

/** Reads and parses a JSON object body. */
export async function readJson(
  req: IncomingMessage,
  limit = 256 * 1024,
): Promise<Record<string, unknown>> {
  const body = await readBody(req, limit);
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  throw new HttpError(400, 'invalid-json', 'The body must be a JSON object.');
}
