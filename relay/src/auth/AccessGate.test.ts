import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccessGate } from './AccessGate';
import { Registry } from './Registry';
import { TokenSigner } from './tokens';
import { MemoryRegistryStore } from '../storage/MemoryRegistryStore';

describe('AccessGate', () => {
  it('RP5 a token says the role its device was paired as, or it is refused', async () => {
    const registry = await Registry.open(new MemoryRegistryStore());
    const [created] = await registry.createVenues([{ name: 'Bar' }], Date.now());
    const { venue, device } = created!;
    const signer = new TokenSigner(randomBytes(32));
    const gate = new AccessGate(signer, registry);
    const now = Math.floor(Date.now() / 1000);
    const token = (role: 'admin' | 'staff') =>
      signer.sign({ venue: venue.id, role, sub: device.id, iat: now, exp: now + 3600 });
    expect(gate.identify(token('admin'))).toMatchObject({ ok: true });
    // the owner is an admin: a token saying otherwise was not issued for it
    expect(gate.identify(token('staff'))).toMatchObject({ ok: false, error: 'token-bad-role' });
  });

  it('RP17 a refused token is told why in plain words', async () => {
    const gate = new AccessGate(
      new TokenSigner(randomBytes(32)),
      await Registry.open(new MemoryRegistryStore()),
    );
    for (const [token, error] of [
      [undefined, 'token-missing'],
      ['x.y', 'token-malformed'],
    ] as const) {
      const refusal = gate.identify(token);
      expect(refusal).toMatchObject({ ok: false, error });
      expect(refusal.ok || refusal.message).not.toMatch(/-/);
    }
  });
});
