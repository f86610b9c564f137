/**
 * A track removed from the library while a venue has it queued (found from outside: the TV waited
 * for it for good, silent): when it comes up, the player waits while it might still arrive, then
 * counts it failed and the music goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToneTracks,
  closeVenue,
  inApp,
  openPlayingTv,
  openVenue,
  waitForPhase,
  type Browser,
  type E2ERelay,
  type Page,
} from './harness';

describe('e2e: a queued track removed from the library', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let admin: Page;
  let venueId: string;
  let token: string;

  beforeAll(async () => {
    ({ relay, browser, page: admin, venueId, token } = await openVenue('Removal Bar'));
    await addToneTracks(admin, relay, venueId, token, [
      { id: 'opener', title: 'Opener', seconds: 4 },
      { id: 'gone', title: 'Gone Song', seconds: 30 },
      { id: 'next', title: 'Next Song', seconds: 30 },
    ]);
    expect(await inApp(admin, (app) => app.venue.setSetting('crossfadeSeconds', 0).ok)).toBe(true);
    for (const t of ['opener', 'gone', 'next'])
      expect(await inApp(admin, (app, id) => app.venue.addToProgramme(id).ok, t)).toBe(true);
    await waitForPhase(admin, 'saved-relay');
  }, 120_000);

  afterAll(() => closeVenue(browser, relay));

  it('is skipped when it comes up, as a failure, and the next song plays', async () => {
    const tv = await openPlayingTv(browser, relay, venueId, token);
    expect(await inApp(admin, (app) => app.libraryModel.removeTrack('gone').ok)).toBe(true);
    await expect
      .poll(() => inApp(tv, (app) => app.snapshot.nowPlaying?.track), { timeout: 40_000 })
      .toBe('next');
    expect(
      await inApp(admin, (app) => app.snapshot.failures.filter((f) => f.track === 'gone')),
    ).toEqual([
      expect.objectContaining({ why: expect.stringMatching(/no longer in the library/) }),
    ]);
  }, 60_000);
});
