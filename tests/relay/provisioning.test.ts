import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MAX_VENUES_PER_REQUEST,
  type CreateVenuesResponse,
  type VenueInfo,
} from '@djamms/protocol';
import { api, connect, createVenue, startTestRelay, synced, type TestRelay } from './helpers';

describe('provisioning a chain of venues', () => {
  let relay: TestRelay;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.dispose();
  });

  const createMany = (venues: unknown, token = relay.operatorKey) =>
    api<CreateVenuesResponse & { error?: string; message?: string }>(
      relay.url,
      'POST',
      '/api/venues',
      { token, body: { venues } },
    );

  /** Venues in the registry file, which the relay writes before it answers. */
  const storedVenues = async () =>
    Object.keys(
      (
        JSON.parse(await readFile(join(relay.dataDir, 'registry.json'), 'utf8')) as {
          venues: object;
        }
      ).venues,
    ).length;

  it('RP28 one request creates many venues, each with its rooms and a working admin token', async () => {
    const shared = await createVenue(relay, 'Flagship');
    const res = await createMany([
      { name: 'Bar 1' },
      { name: '  Bar 2  ' },
      { name: 'Bar 3', libraryId: shared.libraryId },
    ]);
    expect(res.status).toBe(201);
    const [one, two, three] = res.body.venues;
    expect(new Set(res.body.venues.map((v) => v.venueId)).size).toBe(3);
    expect(one!.libraryId).not.toBe(two!.libraryId);
    expect(three!.libraryId).toBe(shared.libraryId);
    const info = await api<VenueInfo>(relay.url, 'GET', `/api/venues/${two!.venueId}`, {
      token: two!.adminToken,
    });
    expect(info.body).toMatchObject({ name: 'Bar 2', role: 'admin' });
    const provider = connect(relay.wsUrl, three!.libraryId, three!.adminToken);
    await synced(provider);
    provider.destroy();
  });

  it('RP28 a batch with one bad entry creates nothing and names the entry', async () => {
    const before = await storedVenues();
    const bad = await createMany([{ name: 'Fine' }, { name: 'Fine too' }, { name: ' ' }]);
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid-name' } });
    expect(bad.body.message).toContain('venues[2].name');
    const unknownLibrary = await createMany([{ name: 'A', libraryId: 'l' + 'x'.repeat(20) }]);
    expect(unknownLibrary).toMatchObject({ status: 404, body: { error: 'library-not-found' } });
    expect(unknownLibrary.body.message).toContain('venues[0].libraryId');
    for (const venues of [[], Array(MAX_VENUES_PER_REQUEST + 1).fill({ name: 'x' }), 'Bar']) {
      expect(await createMany(venues)).toMatchObject({
        status: 400,
        body: { error: 'invalid-venues' },
      });
    }
    expect((await createMany([{ name: 'x' }], 'not-the-key')).status).toBe(401);
    expect(await storedVenues()).toBe(before);
  });

  it('RP28 a thousand venues in one request, and again: no retry loop against the operator limit', async () => {
    const before = await storedVenues();
    for (let round = 0; round < 2; round++) {
      const res = await createMany(
        Array.from({ length: MAX_VENUES_PER_REQUEST }, (_, i) => ({ name: `Chain ${round}-${i}` })),
      );
      expect(res.status).toBe(201);
      expect(res.body.venues).toHaveLength(MAX_VENUES_PER_REQUEST);
    }
    expect(await storedVenues()).toBe(before + 2 * MAX_VENUES_PER_REQUEST);
  });
});
