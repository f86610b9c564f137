/**
 * A burst of records from one screen (web/lib/records/send.ts), through a real relay: a library
 * import records an action per track, and they reach the journal in posts of up to the relay's
 * batch, not one request each (issue 9: thousands of requests are garbage a phone then collects
 * while the bartender types), and a post refused for its rate goes again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateVenueResponse, JournalPage } from '@djamms/protocol';
import { RECORDS_PER_POST, recordId, sendRecord } from '../../web/lib/records/send';
import { eventually } from '@djamms/test-harness';
import { DEFAULT_LIMITS } from 'djamms-relay';
import { api, createVenue, metric, startTestRelay, type TestRelay } from './helpers';

/** The ids of the venue's `action` records in its journal. */
async function recordIds(at: TestRelay, venue: CreateVenueResponse): Promise<string[]> {
  const page = await api<JournalPage>(
    at.url,
    'GET',
    `/api/venues/${venue.venueId}/journal?kinds=action&limit=1000`,
    { token: venue.adminToken },
  );
  return page.body.entries.map((e) => e.id);
}

describe('relay: a burst of staff records', () => {
  let relay: TestRelay;
  let venue: CreateVenueResponse;

  beforeAll(async () => {
    relay = await startTestRelay();
    venue = await createVenue(relay);
  });
  afterAll(() => relay?.dispose());

  it('goes out in posts of up to the relay’s batch, every record in the journal', async () => {
    const journal = { relay: relay.url, token: venue.adminToken, venueId: venue.venueId };
    const count = 2 * RECORDS_PER_POST + 50;
    const ids = Array.from({ length: count }, () => recordId('action'));
    let reads = 0;
    const stored = () => {
      reads++;
      return recordIds(relay, venue);
    };
    const requests = () => metric(relay, 'djamms_http_request_seconds_count{route="journal"}');
    expect(await stored()).toEqual([]);
    await eventually(async () => expect(await requests()).toBe(reads));

    for (const [n, id] of ids.entries())
      sendRecord(journal, { id, kind: 'action', at: 1_000 + n, data: { what: `Added Song ${n}` } });
    await eventually(async () => expect(new Set(await stored())).toEqual(new Set(ids)));
    // Three posts (100, 100 and 50 records), besides this test's reads of the journal.
    await eventually(async () => expect(await requests()).toBe(reads + 3));
  });

  it('waits out the relay’s rate when it is refused for it, and loses no record', async () => {
    const tight = await startTestRelay({
      limits: { ...DEFAULT_LIMITS, httpPerSecond: 2, httpBurst: 2 },
    });
    try {
      const bar = await createVenue(tight);
      const journal = { relay: tight.url, token: bar.adminToken, venueId: bar.venueId };
      const ids = Array.from({ length: 3 * RECORDS_PER_POST }, () => recordId('action'));
      for (const [n, id] of ids.entries())
        sendRecord(journal, {
          id,
          kind: 'action',
          at: 1_000 + n,
          data: { what: `Added Song ${n}` },
        });
      await eventually(
        async () => expect(new Set(await recordIds(tight, bar))).toEqual(new Set(ids)),
        { timeoutMs: 15_000, intervalMs: 1_000 },
      );
      expect(await metric(tight, 'djamms_rate_limited_total')).toBeGreaterThan(0);
    } finally {
      await tight.dispose();
    }
  });
});
