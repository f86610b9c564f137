/**
 * Journeys 4 and 5 of issue 4: with the relay stopped, every route reloads from the service worker
 * and shows the venue from IndexedDB; a queued audio track plays through with the relay stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  E2ERelay,
  api,
  createVenueInApp,
  audioState,
  cachedMediaSize,
  expectVenueName,
  inApp,
  launchChromium,
  mediaStatus,
  pairInApp,
  toneWav,
  waitForPhase,
  type Browser,
  type BrowserContext,
  type Page,
} from './harness';

// Page-side globals used below (this file is checked with Node's lib only).
declare const document: { querySelectorAll(selector: string): ArrayLike<{ href: string }> };

describe('e2e: offline routes and media', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let owner: BrowserContext;
  let admin: Page;
  let venueId: string;
  let token: string;
  let guestKey: string;

  beforeAll(async () => {
    relay = await E2ERelay.start();
    browser = await launchChromium();
    owner = await browser.newContext();
    ({ page: admin, venueId, token } = await createVenueInApp(owner, relay, 'Offline Bar'));
    ({ guestKey } = await api<{ guestKey: string }>(
      relay,
      'POST',
      `/api/venues/${venueId}/guest-link`,
      token,
    ));
    await waitForPhase(admin, 'saved-relay');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.dispose();
  });

  it('a first visit to a venue page fetches its route code beside the entry, each file once, under the page policy', async () => {
    // A phone that has never opened the app: no service worker, nothing cached, not paired.
    const cold = await browser.newContext();
    const page = await cold.newPage();
    const complaints: string[] = [];
    page.on('console', (m) => {
      if (/not used|Content Security Policy/i.test(m.text())) complaints.push(m.text());
    });
    for (const route of [`/v/${venueId}/admin`, `/v/${venueId}/kiosk`, `/v/${venueId}/player`]) {
      await page.goto(relay.url + route);
      await page.getByRole('alert').waitFor();
      // It says what this screen is missing and how to pair it, not a developer's message.
      await page
        .getByRole('heading', { name: 'This screen is not paired with the venue yet' })
        .waitFor();
      expect(await page.getByRole('link', { name: 'Enter a pairing code' }).count()).toBe(1);
      const { routeCode, notPreloaded, fetchedTwice } = await page.evaluate(() => {
        const paths = performance
          .getEntriesByType('resource')
          .map((e) => new URL(e.name).pathname)
          .filter((p) => p.startsWith('/_app/'));
        const preloaded = new Set(
          Array.from(document.querySelectorAll('link[rel=modulepreload]')).map(
            (l) => new URL(l.href).pathname,
          ),
        );
        const routeCode = paths.filter((p) => p.startsWith('/_app/immutable/nodes/'));
        return {
          routeCode,
          notPreloaded: routeCode.filter((p) => !preloaded.has(p)),
          fetchedTwice: paths.filter((p, i) => paths.indexOf(p) !== i),
        };
      });
      // The root layout, the venue layout, the error page and the screen itself.
      expect(routeCode.length, route).toBeGreaterThanOrEqual(4);
      expect(notPreloaded, route).toEqual([]);
      expect(fetchedTwice, route).toEqual([]);
    }
    expect(complaints).toEqual([]);
    await cold.close();
  });

  it("before the app's code has run, the shell paints the guest page's and the TV's skeleton, under the page policy", async () => {
    const cold = await browser.newContext();
    const page = await cold.newPage();
    const complaints: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) complaints.push(m.text());
    });
    // The app's code never arrives: what shows is the shell's alone.
    await page.route('**/_app/**', (r) => r.abort());
    const boot = page.locator('#boot');
    const guest = `/g/${venueId}?k=${encodeURIComponent(guestKey)}`;
    for (const [route, words] of [
      [guest, ['Request a song', 'Search songs', 'Up next']],
      [`/v/${venueId}/player`, ['Now playing', 'Opening the venue…', 'Scan to request a song']],
    ] as const) {
      await page.goto(relay.url + route);
      for (const text of words) await boot.getByText(text).waitFor();
      // Drawn only: a screen reader hears the notice, not the shapes.
      const heard = await boot.ariaSnapshot();
      expect(heard, route).toContain('DJAMMS · opening…');
      for (const text of words) expect(heard, route).not.toContain(text);
    }
    // A screen without a skeleton keeps the line.
    await page.goto(`${relay.url}/v/${venueId}/admin`);
    await page.getByText('DJAMMS · opening…').waitFor();
    expect(await boot.locator('.frame').count()).toBe(0);
    // With its code, the guest page replaces the skeleton with the venue's songs.
    await page.unroute('**/_app/**');
    await page.goto(relay.url + guest);
    await page
      .getByRole('button', { name: /^Request / })
      .first()
      .waitFor();
    expect(await boot.count()).toBe(0);
    expect(complaints).toEqual([]);
    await cold.close();
  });

  it('journey 4: with the relay stopped every route reloads and shows the venue', async () => {
    const routes = [
      `/v/${venueId}/admin`,
      `/v/${venueId}/player`,
      `/v/${venueId}/kiosk`,
      `/v/${venueId}/diagnostics`,
      `/g/${venueId}?k=${encodeURIComponent(guestKey)}`,
    ];
    const page = await owner.newPage();
    // Visit once online (the guest route fetches its token), then take the network away.
    for (const route of routes) {
      await page.goto(relay.url + route);
      await expectVenueName(page, 'Offline Bar');
    }
    await relay.down();
    const health = await fetch(relay.url + '/healthz').then(
      () => 'up',
      () => 'down',
    );
    expect(health).toBe('down');
    for (const route of ['/', ...routes]) {
      const response = await page.goto(relay.url + route);
      expect(response?.fromServiceWorker(), route).toBe(true);
      if (route === '/') {
        await page.waitForSelector(`a[data-venue="${venueId}"]:has-text("Offline Bar")`);
      } else {
        await expectVenueName(page, 'Offline Bar');
      }
      await page.reload();
      if (route !== '/') await expectVenueName(page, 'Offline Bar');
    }
    await page.close();
    await relay.up();
  });

  it('journey 5: a queued track plays through with the relay stopped', async () => {
    const wav = toneWav(1.5);
    const { sha256 } = await api<{ sha256: string }>(
      relay,
      'POST',
      `/api/venues/${venueId}/media`,
      token,
      wav,
    );
    const track = await inApp(
      admin,
      (app, sha) => {
        const put = app.libraryModel.putTrack({
          id: 'tone',
          title: 'Tone',
          artist: 'Test',
          album: 'Test',
          durationMs: 1500,
          media: { sha256: sha, type: 'audio/wav' },
          explicit: false,
        });
        return put.ok && app.venue.addToProgramme('tone').ok ? put.value : null;
      },
      sha256,
    );
    expect(track).toBe('tone');
    await waitForPhase(admin, 'saved-relay');

    const tv = await browser.newContext();
    const player = await pairInApp(tv, relay, venueId, token, 'player');
    await expectVenueName(player, 'Offline Bar');
    await expect.poll(() => mediaStatus(player, sha256), { timeout: 20_000 }).toBe('cached');
    await waitForPhase(player, 'saved-relay');

    await relay.down();
    const finished = (await audioState(player)).finished;
    await expect
      .poll(async () => (await audioState(player)).currentTime, { timeout: 15_000 })
      .toBeGreaterThan(0.5);
    expect(await inApp(player, (app) => app.snapshot.nowPlaying?.state)).toBe('playing');
    // It plays through to the end, and the player advances past the entry it finished; a
    // one-entry programme on repeat (the default) plays the same entry again, still offline.
    await expect
      .poll(async () => (await audioState(player)).finished, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(finished + 2);
    await tv.close();
    await relay.up();
  });

  it('a broken download is not kept: the media is fetched again and stored whole', async () => {
    const wav = toneWav(0.5, 8000);
    const { sha256 } = await api<{ sha256: string }>(
      relay,
      'POST',
      `/api/venues/${venueId}/media`,
      token,
      wav,
    );
    await inApp(
      admin,
      (app, sha) => {
        app.libraryModel.putTrack({
          id: 'torn',
          title: 'Torn',
          artist: 'Test',
          album: 'Test',
          durationMs: 500,
          media: { sha256: sha, type: 'audio/wav' },
          explicit: false,
        });
        return app.venue.playNext('torn');
      },
      sha256,
    );
    await waitForPhase(admin, 'saved-relay');
    // Without a service worker, so the page's own media fetches can be intercepted here.
    const tv = await browser.newContext({ serviceWorkers: 'block' });
    let requests = 0;
    await tv.route(`**/media/${sha256}`, async (route) => {
      requests += 1;
      if (requests > 1) return route.continue();
      // The first download breaks off: half the bytes, announced as the whole file.
      await route.fulfill({
        status: 200,
        headers: { 'content-type': 'audio/wav', 'content-length': String(wav.byteLength) },
        body: Buffer.from(wav.subarray(0, wav.byteLength / 2)),
      });
    });
    const player = await pairInApp(tv, relay, venueId, token, 'player', false);
    // If another player still holds a live lease (the previous test's), this one takes over.
    await expect
      .poll(
        async () => {
          const takeOver = player.getByRole('button', { name: 'Take over' });
          if (await takeOver.isVisible()) await takeOver.click();
          return inApp(player, (app) => app.snapshot.activePlayer === app.writer);
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    // Read from the cache itself: the track may already have played and left the wanted list.
    await expect
      .poll(() => cachedMediaSize(player, `${relay.url}/media/${sha256}`), { timeout: 20_000 })
      .toBe(wav.byteLength);
    expect(requests).toBeGreaterThanOrEqual(2);
    await tv.close();
  });
});
