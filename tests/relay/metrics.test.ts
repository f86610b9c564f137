import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@djamms/test-harness';
import { connect, createVenue, metric, startTestRelay, synced, type TestRelay } from './helpers';

describe('RP21 Prometheus metrics', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(() => relay.dispose());

  it('RP21 durable writes fill the group-commit and receive-to-durable histograms, counted per delivery', async () => {
    const venue = await createVenue(relay);
    const writer = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    const reader = connect(relay.wsUrl, venue.venueId, venue.adminToken);
    await Promise.all([synced(writer), synced(reader)]);
    for (let i = 0; i < 5; i++) writer.doc.getMap('m').set(`k${i}`, i);
    await eventually(async () =>
      expect(await metric(relay, 'djamms_updates_stored_total')).toBe(5),
    );
    await eventually(() => expect(reader.doc.getMap('m').size).toBe(5));
    expect(await metric(relay, 'djamms_update_durable_seconds_count')).toBe(5);
    const commits = await metric(relay, 'djamms_group_commit_seconds_count');
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(await metric(relay, 'djamms_fsync_total')).toBe(commits);
    expect(await metric(relay, 'djamms_fsync_seconds_max')).toBeGreaterThan(0);
    expect(await metric(relay, 'djamms_group_commit_seconds_bucket{le="+Inf"}')).toBe(commits);
    expect(await metric(relay, 'djamms_updates_forwarded_total')).toBe(5);
    expect(await metric(relay, 'djamms_rooms_open')).toBe(1);
    expect(await metric(relay, 'djamms_connections')).toBe(2);
    writer.destroy();
    reader.destroy();
  });

  it('RP21 HTTP durations are labelled by route class, never by venue, beside the process metrics', async () => {
    const venue = await createVenue(relay);
    await fetch(`${relay.url}/api/venues/${venue.venueId}/journal`);
    const res = await fetch(`${relay.url}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^djamms_http_request_seconds_count\{route="venues"\} [1-9]/m);
    expect(text).toMatch(/^djamms_http_request_seconds_count\{route="journal"\} 1$/m);
    expect(text).not.toContain(venue.venueId);
    expect(text).toMatch(/^djamms_http_requests_total [1-9]/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^process_resident_memory_bytes [1-9]/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
  });
});
