/**
 * What the TV does when something is removed (both found from outside):
 * - a track removed from the library while the venue has it queued: the TV waited for it for good,
 *   silent; now it waits while the track might still arrive, then counts it failed and goes on;
 * - the TV itself removed from the venue by an admin: it played on, out of everyone's reach; now it
 *   stops and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToneTracks,
  api,
  audioState,
  closeVenue,
  inApp,
  openPlayingTv,
  openVenue,
  waitForPhase,
  type Page,
} from './harness';

describe('e2e: removals the TV meets', () => {
  /** The venue (relay, browser, admin page, venue id, token) that openVenue made. */
  let v: Awaited<ReturnType<typeof openVenue>>;

  beforeAll(async () => {
    v = await openVenue('Removal Bar');
    await addToneTracks(v.page, v.relay, v.venueId, v.token, [
      { id: 'opener', title: 'Opener', seconds: 4 },
      { id: 'gone', title: 'Gone Song', seconds: 30 },
      { id: 'next', title: 'Next Song', seconds: 30 },
    ]);
    expect(await inApp(v.page, (app) => app.venue.setSetting('crossfadeSeconds', 0).ok)).toBe(true);
    for (const t of ['opener', 'gone', 'next'])
      expect(await inApp(v.page, (app, id) => app.venue.addToProgramme(id).ok, t)).toBe(true);
    await waitForPhase(v.page, 'saved-relay');
  }, 120_000);

  afterAll(() => closeVenue(v?.browser, v?.relay));

  let tv: Page;

  it('a queued track removed from the library is skipped when it comes up, as a failure', async () => {
    tv = await openPlayingTv(v.browser, v.relay, v.venueId, v.token);
    expect(await inApp(v.page, (app) => app.libraryModel.removeTrack('gone').ok)).toBe(true);
    await expect
      .poll(() => inApp(tv, (app) => app.snapshot.nowPlaying?.track), { timeout: 40_000 })
      .toBe('next');
    expect(
      await inApp(v.page, (app) => app.snapshot.failures.filter((f) => f.track === 'gone')),
    ).toEqual([
      expect.objectContaining({ why: expect.stringMatching(/no longer in the library/) }),
    ]);
  }, 60_000);

  it('a TV removed from the venue stops the music and says why', async () => {
    await expect.poll(async () => (await audioState(tv)).paused, { timeout: 10_000 }).toBe(false);
    const deviceId = await inApp(tv, (app) => app.credential.deviceId);
    await api(v.relay, 'DELETE', `/api/venues/${v.venueId}/devices/${deviceId}`, v.token);
    await tv.getByText('This player was removed from the venue by an admin.').waitFor();
    await expect.poll(async () => (await audioState(tv)).paused, { timeout: 10_000 }).toBe(true);
  }, 30_000);
});
