/**
 * Issue 9, the content gallery (venue SPEC VM37): an admin adds a picture from a 390 px phone and
 * sets the rotation; the TV, playing a song, downloads the picture and shows it full screen with
 * what plays along the bottom; a file that is not a picture is refused; turning the rotation off and
 * removing the picture take it off the TV.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientPng } from '@djamms/test-harness';
import {
  addToneTracks,
  axeViolations,
  closeVenue,
  inApp,
  isFocused,
  mediaStatus,
  openVenue,
  openPlayingTv,
  waitForPhase,
  type Browser,
  type E2ERelay,
  type Page,
} from './harness';

const picture = Buffer.from(gradientPng(96, [20, 120, 200], [250, 200, 40]));
const pictureHash = createHash('sha256').update(picture).digest('hex');

describe('e2e: the gallery on the TV', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let admin: Page;
  let tv: Page;

  beforeAll(async () => {
    let venueId: string;
    let token: string;
    ({ relay, browser, page: admin, venueId, token } = await openVenue('Gallery Bar'));
    await admin.setViewportSize({ width: 390, height: 844 });
    await addToneTracks(admin, relay, venueId, token, [
      { id: 'long', title: 'Long Song', artist: 'House Band', seconds: 120 },
    ]);
    expect(await inApp(admin, (app) => app.venue.addToProgramme('long').ok)).toBe(true);
    await waitForPhase(admin, 'saved-relay');
    tv = await openPlayingTv(browser, relay, venueId, token);
    await admin.getByRole('tab', { name: 'Music' }).click();
  }, 120_000);

  afterAll(() => closeVenue(browser, relay));

  it('a picture added on the phone shows on the TV during the song, over the screen, with what plays', async () => {
    await admin.getByLabel('Show one every').selectOption({ label: '30 seconds' });
    await admin.getByLabel('Each shows for').selectOption({ label: '20 seconds' });
    await admin.getByLabel('Add pictures or videos').setInputFiles([
      { name: 'happy-hour.png', mimeType: 'image/png', buffer: picture },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') },
    ]);
    await expect
      .poll(() => admin.getByText('happy-hour.png: added').count(), { timeout: 20_000 })
      .toBe(1);
    expect(await admin.getByText('notes.txt: not added, not a picture or a video').count()).toBe(1);
    const list = admin.getByRole('list', { name: 'Pictures and videos' });
    expect(await list.getByRole('listitem').count()).toBe(1);
    expect(await admin.getByRole('button', { name: 'Remove happy-hour' }).count()).toBe(1);
    expect(await axeViolations(admin)).toEqual([]);

    // The TV keeps the picture for offline, then shows it within a rotation (every 30 s, for 20 s).
    await expect.poll(() => mediaStatus(tv, pictureHash), { timeout: 20_000 }).toBe('cached');
    const shown = tv.getByRole('img', { name: 'happy-hour' });
    await shown.waitFor({ state: 'visible', timeout: 35_000 });
    const strip = await tv.getByTestId('gallery').locator('figcaption').textContent();
    expect(strip).toContain('Long Song');
    expect(strip).toContain('House Band');
    const box = await shown.boundingBox();
    expect(box?.width).toBeGreaterThan(1000);
  }, 90_000);

  it('turning the rotation off, and removing the picture, take it off the TV', async () => {
    await admin.getByLabel('Show one every').selectOption({ label: 'Never' });
    await tv.getByTestId('gallery').waitFor({ state: 'detached', timeout: 10_000 });
    await admin.getByLabel('Show one every').selectOption({ label: '30 seconds' });
    // ✕ asks first (a mis-tap took the venue's promo away): Keep it keeps it, Remove it removes it
    await admin.getByRole('button', { name: 'Remove happy-hour' }).click();
    const question = admin.getByRole('group', { name: 'Remove happy-hour' });
    expect(await isFocused(question.getByRole('button', { name: 'Keep it' }))).toBe(true);
    await question.getByRole('button', { name: 'Keep it' }).click();
    expect(await isFocused(admin.getByRole('button', { name: 'Remove happy-hour' }))).toBe(true);
    await admin.getByRole('button', { name: 'Remove happy-hour' }).click();
    await question.getByRole('button', { name: 'Remove it' }).click();
    expect(await admin.getByText('Nothing in the gallery yet.').count()).toBe(1);
    // the last picture gone, the focus is on the section's heading, not the top of the page
    expect(await isFocused(admin.getByRole('heading', { name: 'Gallery', exact: true }))).toBe(
      true,
    );
    await expect
      .poll(() => inApp(tv, (app) => app.library.gallery.length), { timeout: 10_000 })
      .toBe(0);
    expect(await tv.getByTestId('gallery').count()).toBe(0);
  }, 60_000);
});
