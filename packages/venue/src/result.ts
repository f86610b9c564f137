/** Expected failures of venue operations, as values (CONVENTIONS: one error vocabulary). */

/** Why an operation was refused. */
export type VenueError =
  | 'read-only'
  | 'not-allowed'
  | 'not-found'
  | 'invalid'
  | 'duplicate'
  | 'limit'
  | 'banned'
  | 'explicit'
  | 'own-request'
  | 'not-active'
  | 'lease-held'
  | 'stale'
  | 'stopped'
  | 'not-loaded'
  | 'newer-schema'
  | 'empty'
  | 'clock-wrong';

/** The outcome of an operation: a value, or a reason it was refused (nothing was written). */
export type Result<T = void> =
  { ok: true; value: T } | { ok: false; error: VenueError; message: string };

/** A successful result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** A refusal. */
export const fail = <T = never>(error: VenueError, message: string): Result<T> => ({
  ok: false,
  error,
  message,
});
