import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isExpired, parseClaims, type TokenCheck, type TokenClaims } from '@djamms/protocol';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/**
 * Signs and checks relay tokens (RP5): compact HS256 JWTs over {@link TokenClaims} with the relay's
 * secret. The signature is compared in constant time; expiry is checked against the clock passed in.
 * A token has one accepted spelling: the header is this relay's, the claims are signed as spelled,
 * and the signature must be the canonical base64url of the MAC (Node's decoder would also take
 * `+/`, `=` padding or other trailing bits for the same bytes).
 */
export class TokenSigner {
  readonly #secret: Buffer;
  readonly #now: () => number;

  constructor(secret: Buffer, now: () => number = Date.now) {
    if (secret.byteLength < 32) throw new Error('the token secret must be at least 32 bytes');
    this.#secret = secret;
    this.#now = now;
  }

  /** Signs claims into a token. */
  sign(claims: TokenClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${HEADER}.${body}.${this.#mac(`${HEADER}.${body}`).toString('base64url')}`;
  }

  /** Checks a token's signature, shape and expiry. */
  check(token: string | null | undefined): TokenCheck {
    if (!token) return { ok: false, problem: 'missing' };
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, problem: 'malformed' };
    const [, body = '', signature = ''] = parts;
    const expected = Buffer.from(this.#mac(`${HEADER}.${body}`).toString('base64url'));
    const given = Buffer.from(signature);
    if (given.byteLength !== expected.byteLength || !timingSafeEqual(given, expected)) {
      return { ok: false, problem: 'bad-signature' };
    }
    let claims: TokenClaims | null;
    try {
      claims = parseClaims(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    } catch {
      claims = null;
    }
    if (!claims) return { ok: false, problem: 'malformed' };
    if (isExpired(claims, Math.floor(this.#now() / 1000))) return { ok: false, problem: 'expired' };
    return { ok: true, claims };
  }

  #mac(input: string): Buffer {
    return createHmac('sha256', this.#secret).update(input).digest();
  }
}

/** A random URL-safe id: `prefix` + `length` base64url characters. */
export function randomId(prefix: string, length = 20): string {
  return (
    prefix +
    randomBytes(Math.ceil((length * 3) / 4))
      .toString('base64url')
      .slice(0, length)
  );
}
