import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { TokenSigner } from './tokens';

const claims = {
  venue: 'v' + 'a'.repeat(20),
  role: 'player' as const,
  sub: 'd1',
  iat: 100,
  exp: 200,
};

describe('TokenSigner', () => {
  it('RP5 a signed token checks out before expiry, with its claims', () => {
    const signer = new TokenSigner(randomBytes(32), () => 150_000);
    expect(signer.check(signer.sign(claims))).toEqual({ ok: true, claims });
  });

  it('RP5 expired, forged, malformed and missing tokens are refused with the reason', () => {
    const signer = new TokenSigner(randomBytes(32), () => 200_000);
    const other = new TokenSigner(randomBytes(32), () => 0);
    expect(signer.check(signer.sign(claims))).toEqual({ ok: false, problem: 'expired' });
    expect(signer.check(other.sign(claims))).toEqual({ ok: false, problem: 'bad-signature' });
    expect(signer.check('a.b')).toEqual({ ok: false, problem: 'malformed' });
    expect(signer.check(undefined)).toEqual({ ok: false, problem: 'missing' });
  });
});

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The last character of a 32-byte base64url value carries 2 unused bits: flip one. */
const flipLowBit = (char: string) => BASE64URL[BASE64URL.indexOf(char) ^ 1]!;

describe('TokenSigner spelling', () => {
  // A fixed secret whose signature for these claims holds '-' and '_', which base64 spells '+/'.
  const signer = new TokenSigner(Buffer.alloc(32, 3), () => 150_000);
  const token = signer.sign(claims);
  const [header = '', body = '', signature = ''] = token.split('.');
  /** The same MAC bytes under another base64 spelling. */
  const respelled = {
    padded: `${header}.${body}.${signature}=`,
    standardAlphabet: `${header}.${body}.${Buffer.from(signature, 'base64url').toString('base64').replace(/=+$/, '')}`,
    otherTrailingBits: `${header}.${body}.${signature.slice(0, -1)}${flipLowBit(signature.at(-1)!)}`,
    withJunk: `${header}.${body}.${signature.slice(0, 10)}!${signature.slice(10)}`,
  };

  it('RP5 every respelling decodes to the same signature bytes (what the check must not accept)', () => {
    const mac = Buffer.from(signature, 'base64url');
    for (const spelled of Object.values(respelled)) {
      expect(spelled).not.toBe(token);
      expect(Buffer.from(spelled.split('.')[2]!, 'base64url')).toEqual(mac);
    }
  });

  it('RP5 a token has exactly one accepted spelling: re-encoded signatures are refused', () => {
    expect(signer.check(token)).toEqual({ ok: true, claims });
    for (const spelled of Object.values(respelled)) {
      expect(signer.check(spelled)).toEqual({ ok: false, problem: 'bad-signature' });
    }
  });
});
