import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CreateVenueResponse, JournalPage } from '@djamms/protocol';
import { DEFAULT_LIMITS } from 'djamms-relay';
import {
  api,
  createVenue,
  guestTokens,
  pairDevice,
  startTestRelay,
  type TestRelay,
} from './helpers';

const KiB = 1024;

/** `count` guest entries of about `bytes` each. */
const requests = (prefix: string, count: number, bytes = 40) => ({
  entries: Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    kind: 'request',
    at: 1,
    data: { track: 't'.repeat(bytes) },
  })),
});

const journalPath = (venue: CreateVenueResponse) => `/api/venues/${venue.venueId}/journal`;

/** Posts journal entries as `token` from `address` (the relay trusts X-Forwarded-For from loopback). */
const post = (
  relay: TestRelay,
  venue: CreateVenueResponse,
  token: string,
  body: unknown,
  address: string,
) =>
  api(relay.url, 'POST', journalPath(venue), {
    token,
    body,
    headers: { 'x-forwarded-for': address },
  });

describe('guest journal limits per guest link and per address', () => {
  let relay: TestRelay;

  beforeAll(async () => {
    relay = await startTestRelay({
      limits: {
        ...DEFAULT_LIMITS,
        guestJournal: {
          entriesPerSecond: 0.05,
          entryBurst: 20,
          bytesPerSecond: 16,
          byteBurst: 16 * KiB,
        },
      },
    });
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it('T18 RP30 one link is one budget, however many tokens it mints and addresses it comes from', async () => {
    const venue = await createVenue(relay);
    const tokens = await guestTokens(relay, venue, 10);
    const answers = [];
    for (const [i, token] of tokens.entries()) {
      answers.push(await post(relay, venue, token, requests(`t${i}`, 3), `198.51.100.${i + 1}`));
    }
    expect(answers.filter((a) => a.status === 200)).toHaveLength(6);
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.body).toMatchObject({ error: 'guest-rate-limited' });
    // staff are not guests: the venue's own devices still write
    const staff = await post(relay, venue, venue.adminToken, requests('staff', 50), '198.51.100.1');
    expect(staff.status).toBe(200);
    const page = await api<JournalPage>(relay.url, 'GET', `${journalPath(venue)}?limit=1000`, {
      token: venue.adminToken,
    });
    expect(page.body.entries.filter((e) => e.role === 'guest')).toHaveLength(18);
  });

  it('T18 RP30 a refusal says when to retry', async () => {
    const venue = await createVenue(relay);
    const [token] = await guestTokens(relay, venue, 1);
    await post(relay, venue, token!, requests('fill', 20), '198.51.100.50');
    const res = await fetch(relay.url + journalPath(venue), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-forwarded-for': '198.51.100.50',
      },
      body: JSON.stringify(requests('more', 5)),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(1);
  });

  it('T18 RP30 bytes count as well as entries: a few large entries use up the link', async () => {
    const venue = await createVenue(relay);
    const [token] = await guestTokens(relay, venue, 1);
    const first = await post(relay, venue, token!, requests('big', 3, 4500), '198.51.100.60');
    const second = await post(relay, venue, token!, requests('big2', 1, 4500), '198.51.100.60');
    expect([first.status, second.status]).toEqual([200, 429]);
  });

  it("T18 RP30 one address holding several venues' links has one budget; other addresses do not", async () => {
    const bar = await createVenue(relay, 'Bar');
    const cafe = await createVenue(relay, 'Cafe');
    const [atBar] = await guestTokens(relay, bar, 1);
    const [atCafe, other] = await guestTokens(relay, cafe, 2);
    expect((await post(relay, bar, atBar!, requests('b', 20), '203.0.113.9')).status).toBe(200);
    expect((await post(relay, cafe, atCafe!, requests('c', 1), '203.0.113.9')).status).toBe(429);
    expect((await post(relay, cafe, other!, requests('d', 1), '203.0.113.10')).status).toBe(200);
  });
});

describe('guest journal limits at their defaults', () => {
  let relay: TestRelay;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it("T18 RP30 a busy bar's patrons voting at once behind one router are not refused; a flood is", async () => {
    const venue = await createVenue(relay);
    const patrons = await guestTokens(relay, venue, 150);
    const rush = await Promise.all(
      patrons.map((token, i) =>
        post(relay, venue, token, requests(`p${i}`, 2, 20), '192.0.2.1').then((r) => r.status),
      ),
    );
    expect(rush.every((s) => s === 200)).toBe(true);
    const flood = await Promise.all(
      patrons.map((token, i) =>
        post(relay, venue, token, requests(`f${i}`, 5, 20), '192.0.2.1').then((r) => r.status),
      ),
    );
    expect(flood.filter((s) => s === 429).length).toBeGreaterThan(100);
  });

  it('T8 RP18 the 8 KiB limit on data counts UTF-8 bytes, not characters', async () => {
    const venue = await createVenue(relay);
    const [token] = await guestTokens(relay, venue, 1);
    const entry = (id: string, text: string) => ({
      entries: [{ id, kind: 'request', at: 1, data: { track: text } }],
    });
    const euros = await post(relay, venue, token!, entry('e1', '€'.repeat(8000)), '192.0.2.2');
    expect(euros).toMatchObject({ status: 400, body: { error: 'invalid-entry' } });
    const fits = await post(relay, venue, token!, entry('e2', '€'.repeat(2700)), '192.0.2.2');
    expect(fits.status).toBe(200);
  });
});

describe("a venue's journal under a guest flood", () => {
  let relay: TestRelay;

  beforeAll(async () => {
    relay = await startTestRelay({
      limits: {
        ...DEFAULT_LIMITS,
        guestJournal: {
          entriesPerSecond: 1e6,
          entryBurst: 1e6,
          bytesPerSecond: 1e9,
          byteBurst: 1e9,
        },
      },
      journalRetention: { maxBytes: 256 * KiB, maxGuestBytes: 64 * KiB, historyMs: 86_400_000 },
    });
  });
  afterAll(async () => {
    await relay.dispose();
  });

  it("T23 RP29 the journal stays within its budget; staff history and the player's paging stay", async () => {
    const venue = await createVenue(relay);
    const player = await pairDevice(relay, venue, 'player');
    const played = { entries: [{ id: 'played-1', kind: 'played', at: 1, data: { track: 't1' } }] };
    expect((await post(relay, venue, player.token, played, '192.0.2.3')).status).toBe(200);
    const tokens = await guestTokens(relay, venue, 20);
    for (const [i, token] of tokens.entries()) {
      expect(
        (await post(relay, venue, token, requests(`g${i}`, 50, 1000), '192.0.2.3')).status,
      ).toBe(200);
    }
    const file = join(relay.dataDir, 'journal', `${venue.venueId}.jsonl`);
    expect((await stat(file)).size).toBeLessThan(1.25 * 256 * KiB);
    const seen: { id: string; seq: number }[] = [];
    let cursor = '0';
    for (;;) {
      const page = await api<JournalPage>(
        relay.url,
        'GET',
        `${journalPath(venue)}?after=${cursor}&limit=25`,
        { token: player.token },
      );
      if (page.body.entries.length === 0) break;
      seen.push(...page.body.entries);
      cursor = page.body.cursor;
    }
    expect(seen[0]).toMatchObject({ id: 'played-1', seq: 1 });
    expect(seen.at(-1)).toMatchObject({ id: 'g19-49', seq: 1001 });
    expect(cursor).toBe('1001');
    expect(seen.length).toBeLessThan(90);
  });
});
