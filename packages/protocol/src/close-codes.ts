/**
 * WebSocket close codes used by the relay, by name. Codes 4400–4499 are permanent (a stock
 * y-websocket client stops reconnecting); 1013 and 1011 are transient (the client retries).
 * Documented in relay/PROTOCOL.md (RP table "Close codes").
 */
export const CloseCode = {
  /** Normal closure (relay shutting down gracefully, client leaving). */
  normal: 1000,
  /** The relay is going away (shutdown); clients retry. */
  goingAway: 1001,
  /** A message larger than the configured maximum. */
  tooBig: 1009,
  /** Internal error (e.g. the room failed to load); clients retry. */
  internal: 1011,
  /** Retry later: rate limit exceeded or relay busy; clients retry with backoff. */
  retryLater: 1013,
  /** Malformed frame, unknown message type or a Yjs update that does not decode. */
  badRequest: 4400,
  /** No token, a forged token or an expired token. */
  unauthorized: 4401,
  /** A valid token for a room it does not open (another venue's room). */
  forbidden: 4403,
  /** The room or venue does not exist (unknown or malformed room name). */
  notFound: 4404,
  /** The device behind this token was revoked by an admin (or its guest link rotated). */
  revoked: 4410,
} as const;

/** The name of a close code, e.g. `'unauthorized'`. */
export type CloseCodeName = keyof typeof CloseCode;

/** A close code number the relay uses. */
export type CloseCodeNumber = (typeof CloseCode)[CloseCodeName];

/** True when a stock client should not reconnect after this code (the 4400–4499 band). */
export function isPermanentClose(code: number): boolean {
  return code >= 4400 && code < 4500;
}
