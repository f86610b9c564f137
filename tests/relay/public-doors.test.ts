import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateVenueResponse } from '@djamms/protocol';
import { DEFAULT_LIMITS } from 'djamms-relay';
import { api, createVenue, startTestRelay, type TestRelay } from './helpers';

/**
 * A POST from `address`: the tests reach the relay from loopback, which the relay takes for a
 * proxy on its own host, so `X-Forwarded-For` says which client a request stands for (RP25).
 */
async function postFrom(relay: TestRelay, address: string | null, path: string, body: unknown) {
  const res = await fetch(relay.url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(address ? { 'x-forwarded-for': `10.9.9.9, ${address}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as { error?: string; message?: string; token?: string },
  };
}

async function pairingCode(relay: TestRelay, venue: CreateVenueResponse): Promise<string> {
  const code = await api<{ code: string }>(
    relay.url,
    'POST',
    `/api/venues/${venue.venueId}/pairing-codes`,
    { token: venue.adminToken, body: { role: 'player' } },
  );
  return code.body.code;
}

async function guestLink(relay: TestRelay, venue: CreateVenueResponse): Promise<string> {
  const link = await api<{ guestKey: string }>(
    relay.url,
    'POST',
    `/api/venues/${venue.venueId}/guest-link`,
    { token: venue.adminToken },
  );
  return link.body.guestKey;
}

describe('T6 pairing codes: each address has its own allowance, the relay a cap', () => {
  let relay: TestRelay;
  let venue: CreateVenueResponse;

  beforeAll(async () => {
    relay = await startTestRelay({
      limits: {
        ...DEFAULT_LIMITS,
        pairingPerAddress: { perSecond: 0.2, burst: 10 },
        pairingPerRelay: { perSecond: 0.01, burst: 40 },
      },
    });
    venue = await createVenue(relay);
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('RP14 junk codes from one address do not make a real code from another address fail', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      statuses.push(
        (await postFrom(relay, '203.0.113.7', '/api/pair', { code: 'JUNK0000' })).status,
      );
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(statuses.slice(10)).toEqual(Array(5).fill(429));
    const junk = await postFrom(relay, '203.0.113.7', '/api/pair', { code: 'JUNK0000' });
    expect(junk).toMatchObject({ status: 429, retryAfter: '5', body: { error: 'rate-limited' } });
    expect(junk.body.message).toContain('from your network');

    const code = await pairingCode(relay, venue);
    const real = await postFrom(relay, '198.51.100.2', '/api/pair', { code });
    expect(real.status).toBe(200);
    expect(real.body.token).toBeTruthy();
  });

  it('RP14 an address over its allowance is refused even with a real code (it cannot keep guessing)', async () => {
    const code = await pairingCode(relay, venue);
    expect((await postFrom(relay, '203.0.113.7', '/api/pair', { code })).status).toBe(429);
    expect((await postFrom(relay, '198.51.100.3', '/api/pair', { code })).status).toBe(200);
  });

  it('RP14 the relay-wide cap bounds guessing from many addresses', async () => {
    const statuses: number[] = [];
    for (let a = 10; a < 16; a++) {
      for (let i = 0; i < 10; i++) {
        statuses.push((await postFrom(relay, `192.0.2.${a}`, '/api/pair', { code: 'X' })).status);
      }
    }
    // 40 redemptions for the whole relay: 12 went to the tests above (10 junk, 2 real codes;
    // what an address's own allowance refused never reached the relay's).
    expect(statuses.filter((s) => s === 404)).toHaveLength(28);
    const capped = await postFrom(relay, '192.0.2.99', '/api/pair', { code: 'X' });
    expect(capped).toMatchObject({ status: 429, body: { error: 'rate-limited' } });
    expect(capped.body.message).toContain('reached the relay');
  });
});

describe('T18 guest links: limited per address (wrong keys and all) and per link', () => {
  let relay: TestRelay;
  let bar: CreateVenueResponse;
  let pub: CreateVenueResponse;

  beforeAll(async () => {
    // 6 guest tokens a minute per link, 30 at once; per address half: 15 at once.
    relay = await startTestRelay({ limits: { ...DEFAULT_LIMITS, guestTokensPerMinute: 6 } });
    bar = await createVenue(relay, 'Bar');
    pub = await createVenue(relay, 'Pub');
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('RP14 wrong guest keys are limited per address; the right key still works from elsewhere', async () => {
    const guestKey = await guestLink(relay, bar);
    const wrong = { venueId: bar.venueId, guestKey: 'not-the-key' };
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      statuses.push((await postFrom(relay, '203.0.113.50', '/api/guest', wrong)).status);
    }
    expect(statuses.slice(0, 15)).toEqual(Array(15).fill(401));
    expect(statuses.slice(15)).toEqual(Array(5).fill(429));
    const right = { venueId: bar.venueId, guestKey };
    const same = await postFrom(relay, '203.0.113.50', '/api/guest', right);
    expect(same).toMatchObject({ status: 429, retryAfter: '20', body: { error: 'rate-limited' } });
    // Wrong keys used nothing of the link's allowance.
    expect((await postFrom(relay, '198.51.100.50', '/api/guest', right)).status).toBe(200);
  });

  it('RP14 one guest link mints a bounded number of tokens, whatever the addresses', async () => {
    const guestKey = await guestLink(relay, bar);
    const right = { venueId: bar.venueId, guestKey };
    const statuses: number[] = [];
    for (let a = 1; a <= 4; a++) {
      for (let i = 0; i < 10; i++) {
        statuses.push((await postFrom(relay, `192.0.2.${a}`, '/api/guest', right)).status);
      }
    }
    // The link's 30; the previous test's token came from the previous key's allowance.
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    const over = await postFrom(relay, '192.0.2.200', '/api/guest', right);
    expect(over).toMatchObject({ status: 429, body: { error: 'rate-limited' } });
    expect(over.body.message).toContain('guest link');

    // Another venue's link is its own; rotating the link gives the venue a fresh allowance.
    const other = { venueId: pub.venueId, guestKey: await guestLink(relay, pub) };
    expect((await postFrom(relay, '192.0.2.201', '/api/guest', other)).status).toBe(200);
    const rotated = { venueId: bar.venueId, guestKey: await guestLink(relay, bar) };
    expect((await postFrom(relay, '192.0.2.202', '/api/guest', rotated)).status).toBe(200);
  });

  it("RP25 the relay's own host (loopback, no X-Forwarded-For) has only the per-link limit", async () => {
    const wrong = { venueId: pub.venueId, guestKey: 'not-the-key' };
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push((await postFrom(relay, null, '/api/guest', wrong)).status);
    }
    expect(new Set(statuses)).toEqual(new Set([401]));
  });
});
