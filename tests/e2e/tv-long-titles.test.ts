/**
 * The TV at 1080p with a title and an artist longer than any line (file tags say what they like):
 * every title stays inside its card, Up next's ending in an ellipsis and the one playing wrapped to
 * two lines at most; nothing runs off the screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToneTracks,
  closeVenue,
  inApp,
  openVenue,
  openPlayingTv,
  type Browser,
  type E2ERelay,
  type Locator,
  type Page,
} from './harness';

// Page-side global used below (this file is checked with Node's lib only).
declare function getComputedStyle(element: unknown): { lineHeight: string };

const LONG = 'A Very Long Song Title That Goes On And On Forever Without Stopping';
const LONG_ARTIST = 'An Artist With An Extremely Long Name Indeed, Featuring Everyone Else Too';

/** True when `inner`'s box lies within `outer`'s (to the pixel). */
async function within(inner: Locator, outer: Locator): Promise<boolean> {
  const [a, b] = [await inner.boundingBox(), await outer.boundingBox()];
  if (!a || !b) return false;
  return a.x >= b.x - 0.5 && a.x + a.width <= b.x + b.width + 0.5;
}

describe('e2e: long titles on the TV', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let tv: Page;

  beforeAll(async () => {
    let admin: Page;
    let venueId: string;
    let token: string;
    ({ relay, browser, page: admin, venueId, token } = await openVenue('Long Name Bar'));
    await addToneTracks(admin, relay, venueId, token, [
      { id: 'first', title: LONG, artist: LONG_ARTIST, seconds: 120 },
      { id: 'second', title: `${LONG} (Extended)`, artist: LONG_ARTIST, seconds: 60 },
    ]);
    for (const id of ['first', 'second']) {
      expect(await inApp(admin, (app, t) => app.venue.addToProgramme(t).ok, id)).toBe(true);
    }
    tv = await openPlayingTv(browser, relay, venueId, token);
  }, 120_000);

  afterAll(() => closeVenue(browser, relay));

  it('Up next’s title and artist stay inside its card, and the title playing inside the screen', async () => {
    const card = tv.getByRole('region', { name: 'Up next' });
    const row = card.getByRole('listitem').filter({ hasText: '(Extended)' });
    await row.waitFor({ timeout: 10_000 });
    for (const text of [row.getByText(`${LONG} (Extended)`), row.getByText(LONG_ARTIST)]) {
      expect(await within(text, card)).toBe(true);
    }
    expect(await within(card, tv.locator('main'))).toBe(true);

    const title = tv.getByRole('heading', { level: 1, name: LONG });
    const playing = tv.getByRole('region', { name: 'Now playing' });
    expect(await within(title, playing)).toBe(true);
    const box = (await title.boundingBox())!;
    const lineHeight = await title.evaluate((h) => parseFloat(getComputedStyle(h).lineHeight));
    expect(box.height).toBeLessThanOrEqual(lineHeight * 2 + 1);
    expect(box.x + box.width).toBeLessThanOrEqual(1920);
  }, 30_000);
});
