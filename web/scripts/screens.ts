/**
 * Screenshots of the screens people use, at the sizes they use them (issue 8): the player on a
 * 1080p TV, the admin console on a 390×844 phone (and a 1024×768 tablet), the kiosk on a 1024×768 tablet and a guest's
 * 360 px phone. A real relay serves the production build; the venue is set up as a bar would have it
 * (a programme, requests, votes, a guest link) and the player plays. Writes docs/screens/*.png.
 *
 * Usage: npm run screens
 */
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  E2ERelay,
  addToneTracks,
  api,
  createVenueInApp,
  inApp,
  launchChromium,
  pairInApp,
  waitForPhase,
  type Browser,
  type Page,
} from '../../tests/e2e/harness';
import { ROOT } from './build-if-stale';

const OUT = join(ROOT, 'docs', 'screens');
const TRACKS = [
  { id: 'hey-jude', title: 'Hey Jude', artist: 'The Beatles', seconds: 240 },
  { id: 'dancing-queen', title: 'Dancing Queen', artist: 'ABBA', seconds: 60 },
  { id: 'mr-brightside', title: 'Mr. Brightside', artist: 'The Killers', seconds: 60 },
  { id: 'wonderwall', title: 'Wonderwall', artist: 'Oasis', seconds: 60 },
  { id: 'september', title: 'September', artist: 'Earth, Wind & Fire', seconds: 60 },
  { id: 'valerie', title: 'Valerie', artist: 'Amy Winehouse', seconds: 60 },
  { id: 'la-bamba', title: 'La Bamba', artist: 'Ritchie Valens', seconds: 60 },
  { id: 'superstition', title: 'Superstition', artist: 'Stevie Wonder', seconds: 60 },
  { id: 'africa', title: 'Africa', artist: 'Toto', seconds: 60 },
  { id: 'sweet-caroline', title: 'Sweet Caroline', artist: 'Neil Diamond', seconds: 60 },
];

async function shot(page: Page, name: string) {
  // Settled: fonts loaded and two frames drawn after the last change.
  await page.evaluate(
    'document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))',
  );
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`docs/screens/${name}.png`);
}

async function main() {
  await mkdir(OUT, { recursive: true });
  const relay = await E2ERelay.start();
  const browser = await launchChromium();
  try {
    await setUp(relay, browser);
  } catch (error) {
    // What each page showed when it went wrong.
    for (const [i, page] of browser
      .contexts()
      .flatMap((c) => c.pages())
      .entries()) {
      const path = join(tmpdir(), `djamms-screens-failed-${i}.png`);
      await page.screenshot({ path }).catch(() => undefined);
      console.error(`${page.url()}: ${path}`);
    }
    throw error;
  } finally {
    await browser.close();
    await relay.dispose();
  }
}

async function setUp(relay: E2ERelay, browser: Browser) {
  // The waits below are page-side expressions sent as strings (tsx renames functions it compiles),
  // which the app's CSP (RP27) refuses to evaluate; a screenshot needs no CSP.
  const newContext = (options: Parameters<Browser['newContext']>[0]) =>
    browser.newContext({ ...options, bypassCSP: true });
  {
    const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true };
    const {
      page: admin,
      venueId,
      token,
    } = await createVenueInApp(await newContext(phone), relay, 'The Crown & Anchor');
    await waitForPhase(admin, 'saved-relay');
    await addToneTracks(admin, relay, venueId, token, TRACKS);
    await inApp(admin, (app, ids) => ids.forEach((id) => app.venue.addToProgramme(id)), [
      'hey-jude',
      'dancing-queen',
      'mr-brightside',
      'wonderwall',
      'september',
      'valerie',
    ]);
    const { guestKey } = await api<{ guestKey: string }>(
      relay,
      'POST',
      `/api/venues/${venueId}/guest-link`,
      token,
    );
    await inApp(admin, (app, key) => app.venue.setSetting('guestKey', key), guestKey);
    await waitForPhase(admin, 'saved-relay');

    const tv = await newContext({ viewport: { width: 1920, height: 1080 } });
    const player = await pairInApp(tv, relay, venueId, token, 'player');
    // Chromium here allows sound without a tap, so the player starts by itself.
    await player.getByTestId('now-playing').filter({ hasText: 'Hey Jude' }).waitFor();

    const tablet = await newContext({
      viewport: { width: 1024, height: 768 },
      hasTouch: true,
    });
    const kiosk = await pairInApp(tablet, relay, venueId, token, 'kiosk');
    // the demo library comes first in the list, so each song is searched for as a patron would
    const request = async (page: Page, title: string) => {
      await page.getByLabel('Search songs').fill(title);
      await page.getByRole('button', { name: `Request ${title}` }).click();
    };
    await request(kiosk, 'Superstition');
    await request(kiosk, 'Africa');
    await inApp(admin, (app) => app.venue.playNext('la-bamba'));
    await waitForPhase(admin, 'saved-relay');

    // The smallest phone patrons bring: 360 px wide.
    const guestPhone = await newContext({
      ...phone,
      viewport: { width: 360, height: 780 },
    });
    const guest = await guestPhone.newPage();
    await guest.goto(`${relay.url}/g/${venueId}?k=${encodeURIComponent(guestKey)}`);
    await request(guest, 'Sweet Caroline');
    await guest.getByText('Requested: it is in the queue').waitFor({ timeout: 20_000 });
    await guest.getByLabel('Search songs').fill('');
    await guest.getByRole('button', { name: 'Vote for Africa' }).click();
    // The TV shows some progress, and the player has taken the guest's vote from the journal.
    await player.waitForFunction(
      `window.djammsPlayer?.audio.media.currentTime > 3 &&
        window.djamms.snapshot.lane.some((e) => e.track === 'africa' && e.votes > 0)`,
      null,
      { timeout: 20_000 },
    );

    await shot(player, 'player-tv-1080p');
    await shot(admin, 'admin-phone-playing');
    await admin.getByRole('tab', { name: 'Queue' }).click();
    await shot(admin, 'admin-phone-queue');
    await admin.getByRole('tab', { name: 'Log' }).click();
    await admin
      .getByRole('list', { name: 'Activity' })
      .getByText('Put La Bamba to play next')
      .waitFor();
    await shot(admin, 'admin-phone-log');
    await admin.getByRole('tab', { name: 'Devices' }).click();
    await shot(admin, 'admin-phone-devices');
    await admin.getByRole('tab', { name: 'Music' }).click();
    await shot(admin, 'admin-phone-music');
    await admin.getByRole('tab', { name: 'Settings' }).click();
    await shot(admin, 'admin-phone-settings');
    // A manager's tablet behind the bar.
    const managerTablet = await newContext({
      viewport: { width: 1024, height: 768 },
      hasTouch: true,
    });
    const manager = await pairInApp(
      managerTablet,
      relay,
      venueId,
      token,
      'admin',
      true,
      'Bar tablet',
    );
    await manager.getByTestId('now-playing').filter({ hasText: 'Hey Jude' }).waitFor();
    await shot(manager, 'admin-tablet-playing');
    await managerTablet.close();
    await kiosk.getByLabel('Search songs').fill('');
    await shot(kiosk, 'kiosk-tablet');
    await guest.getByRole('heading', { name: 'Request a song' }).scrollIntoViewIfNeeded();
    await shot(guest, 'guest-phone');
  }
}

await main();
