import { isRole, type Role } from './roles';
import { isVenueId } from './ids';

/**
 * The claims inside a relay token (a compact HS256 JWT). Times are seconds since the epoch, as in
 * JWT. `gk` is set on guest tokens only: the guest-link key the token came from, so rotating the
 * link revokes every guest token it issued.
 */
export interface TokenClaims {
  /** The venue the token opens (its venue room and that venue's library room). */
  readonly venue: string;
  /** What the holder may do. */
  readonly role: Role;
  /** The device id (JWT `sub`); revoking the device revokes the token. */
  readonly sub: string;
  /** Issued at, seconds. */
  readonly iat: number;
  /** Expires at, seconds. */
  readonly exp: number;
  /** Guest-link key id, guest tokens only. */
  readonly gk?: string;
}

/** Why a token was refused. */
export type TokenProblem = 'missing' | 'malformed' | 'bad-signature' | 'expired';

/** Result of checking a token: its claims or the problem. */
export type TokenCheck =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly problem: TokenProblem };

/**
 * Validates the shape of decoded claims (not the signature: the relay checks that). Returns null
 * when any field is missing or of the wrong type.
 */
export function parseClaims(value: unknown): TokenClaims | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!isVenueId(v.venue) || !isRole(v.role)) return null;
  if (typeof v.sub !== 'string' || v.sub.length === 0 || v.sub.length > 64) return null;
  if (!Number.isInteger(v.iat) || !Number.isInteger(v.exp)) return null;
  if (v.gk !== undefined && typeof v.gk !== 'string') return null;
  const claims: TokenClaims = {
    venue: v.venue,
    role: v.role,
    sub: v.sub,
    iat: v.iat as number,
    exp: v.exp as number,
  };
  return typeof v.gk === 'string' ? { ...claims, gk: v.gk } : claims;
}

/** True when the claims have expired at `nowSeconds`. */
export function isExpired(claims: TokenClaims, nowSeconds: number): boolean {
  return claims.exp <= nowSeconds;
}
