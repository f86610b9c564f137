/**
 * The fallbacks around the sync socket (issue 4): when WebSockets keep failing, a device syncs over
 * the relay's HTTP endpoint (RP20) and says so; a guest's request goes through the journal and the
 * active player applies it (RP7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2ERelay } from './harness';
import {
  api,
  axeViolations,
  closeVenue,
  openVenue,
  expectVenueName,
  inApp,
  pairInApp,
  waitForPhase,
  waitForServiceWorker,
  waitForTracks,
  type Browser,
  type Page,
} from './harness';

describe('e2e: HTTP sync fallback and guest requests', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let admin: Page;
  let venueId: string;
  let token: string;

  beforeAll(async () => {
    ({ relay, browser, page: admin, venueId, token } = await openVenue('Fallback Bar'));
  }, 90_000);

  afterAll(() => closeVenue(browser, relay));

  it('syncs over HTTP when every WebSocket is refused, and says so', async () => {
    const context = await browser.newContext();
    // A network that lets HTTP through but kills every WebSocket.
    await context.routeWebSocket(/\/sync\//, (ws) => ws.close({ code: 1011, reason: 'blocked' }));
    const device = await pairInApp(context, relay, venueId, token, 'admin');
    await expectVenueName(device, 'Fallback Bar');
    await device.getByText('Over HTTP (WebSockets blocked)').waitFor({ timeout: 30_000 });
    expect(await inApp(device, (app) => app.venue.addToProgramme('over-http').ok)).toBe(true);
    await device.getByRole('button', { name: 'Sync now' }).click();
    await waitForTracks(admin, ['over-http']);
    await inApp(admin, (app) => app.venue.addToProgramme('to-http'));
    await waitForPhase(admin, 'saved-relay');
    await device.getByRole('button', { name: 'Sync now' }).click();
    await waitForTracks(device, ['to-http']);
    await waitForPhase(device, 'saved-relay');
    await context.close();
  });

  it('guest requests reach the lane through the journal and the player (also made with the relay away); intents get an outcome', async () => {
    await inApp(admin, (app) =>
      ['wish', 'later'].map((id) =>
        app.libraryModel.putTrack({
          id,
          title: id === 'wish' ? 'Wish' : 'Later',
          artist: 'Guest',
          album: 'Guest',
          durationMs: 1000,
          media: { url: `https://example.invalid/${id}.mp3`, type: 'audio/mpeg' },
          explicit: false,
        }),
      ),
    );
    await waitForPhase(admin, 'saved-relay');
    const tv = await browser.newContext();
    const player = await pairInApp(tv, relay, venueId, token, 'player');
    await expect
      .poll(() => inApp(player, (app) => app.snapshot.activePlayer), { timeout: 20_000 })
      .toMatch(/.+/);
    const { guestKey } = await api<{ guestKey: string }>(
      relay,
      'POST',
      `/api/venues/${venueId}/guest-link`,
      token,
    );
    const phone = await browser.newContext();
    const guest = await phone.newPage();
    await guest.goto(`${relay.url}/g/${venueId}?k=${encodeURIComponent(guestKey)}`);
    await waitForServiceWorker(guest);
    await expectVenueName(guest, 'Fallback Bar');
    await guest.getByRole('button', { name: 'Request Wish' }).click();
    // The player took it and said so: the guest is told the truth, not a guess.
    await guest.getByText('Requested: it is in the queue').waitFor({ timeout: 20_000 });
    await expect
      .poll(() => inApp(admin, (app) => app.snapshot.lane.map((e) => e.track)), { timeout: 20_000 })
      .toContain('wish');
    expect(await inApp(guest, (app) => app.sync.readOnly)).toBe(true);

    // A request already counts as its requester's wish: no vote on one's own (venue SPEC VM39).
    await guest.getByText('Yours').waitFor();
    expect(await guest.getByRole('button', { name: 'Vote for Wish' }).count()).toBe(0);
    const guest2 = await (await browser.newContext()).newPage();
    await guest2.goto(`${relay.url}/g/${venueId}?k=${encodeURIComponent(guestKey)}`);
    await expectVenueName(guest2, 'Fallback Bar');
    // Another guest's vote shows as cast, and cannot be cast again: even after a reload, from the
    // venue's count.
    await guest2.getByRole('button', { name: 'Vote for Wish' }).click();
    const voted = guest2.getByRole('button', { name: 'Voted for Wish' });
    expect(await voted.getAttribute('aria-disabled')).toBe('true');
    await expect
      .poll(() => inApp(admin, (app) => app.snapshot.lane.find((e) => e.track === 'wish')?.votes), {
        timeout: 20_000,
      })
      .toBe(1);
    await guest2.reload();
    await expectVenueName(guest2, 'Fallback Bar');
    await voted.waitFor({ timeout: 20_000 });
    expect(await voted.getAttribute('aria-disabled')).toBe('true');
    expect(await axeViolations(guest2)).toEqual([]);

    // Staff send intents; the player decides each one as the document changes, and staff see how.
    const intent = await inApp(admin, (app) => app.venue.sendIntent('pause'));
    expect(intent.ok).toBe(true);
    await expect
      .poll(
        () =>
          inApp(
            admin,
            (app, id) => app.snapshot.intents.find((i) => i.id === id)?.status,
            intent.value,
          ),
        { timeout: 15_000 },
      )
      .toMatch(/^(applied|rejected)$/);

    // With the relay away the post is kept by the service worker and sent when the relay is back.
    await relay.down();
    await guest.getByRole('button', { name: 'Request Later' }).click();
    await guest.getByText('it will be sent when the network is back').waitFor();
    await relay.up();
    await expect
      .poll(() => inApp(admin, (app) => app.snapshot.lane.map((e) => e.track)), { timeout: 30_000 })
      .toContain('later');
    await phone.close();
    await tv.close();
  });
});
