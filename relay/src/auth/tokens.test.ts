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
