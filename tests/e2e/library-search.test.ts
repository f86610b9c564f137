/**
 * Issue 9, the library search a bartender uses on the admin's Queue tab, on a 390 px phone: it
 * finds tracks by title, artist or album as they are typed (accents aside), sorts them by title,
 * artist or album, hides explicit ones, shows eight at a time, and queues what it finds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2ERelay,
  PHONE,
  closeVenue,
  openVenue,
  api,
  axeViolations,
  inApp,
  toneWav,
  type Browser,
  type Page,
} from './harness';

const LIBRARY = [
  { id: 'halo', title: 'Halo', artist: 'Beyoncé', album: 'I Am… Sasha Fierce', explicit: false },
  { id: 'crazy', title: 'Crazy in Love', artist: 'Beyoncé', album: 'Dangerously in Love' },
  { id: 'human', title: 'Human', artist: 'The Killers', album: 'Day & Age' },
  { id: 'brightside', title: 'Mr. Brightside', artist: 'The Killers', album: 'Hot Fuss' },
  {
    id: 'killing',
    title: 'Killing in the Name',
    artist: 'Rage Against the Machine',
    album: 'Rage Against the Machine',
    explicit: true,
  },
  ...Array.from({ length: 25 }, (_, i) => ({
    id: `filler${i}`,
    title: `Filler ${String(i).padStart(2, '0')}`,
    artist: 'House Band',
    album: '',
  })),
];

describe('e2e: the admin’s library search', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let admin: Page;

  beforeAll(async () => {
    const venue = await openVenue('Search Bar', [], PHONE);
    ({ relay, browser, page: admin } = venue);
    const { sha256 } = await api<{ sha256: string }>(
      relay,
      'POST',
      `/api/venues/${venue.venueId}/media`,
      venue.token,
      toneWav(1),
    );
    const put = await inApp(
      admin,
      (app, a) =>
        a.tracks.every(
          (t) =>
            app.libraryModel.putTrack({
              explicit: false,
              ...t,
              durationMs: 1000,
              // one file is one track (VM29): each names the tone by its own URL
              media: { url: `${a.url}#${t.id}`, type: 'audio/wav' },
            }).ok,
        ),
      { tracks: LIBRARY, url: `${relay.url}/media/${sha256}` },
    );
    expect(put).toBe(true);
    await admin.getByRole('tab', { name: 'Queue' }).click();
  }, 90_000);

  afterAll(() => closeVenue(browser, relay));

  const search = () => admin.getByRole('searchbox', { name: 'Search the library' });
  const results = () => admin.getByRole('list', { name: 'Tracks found' });
  /** Titles of the rows shown, in order, as their Add buttons name them. */
  const titles = () =>
    results()
      .getByRole('button', { name: /^Add .* to the programme$/ })
      .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')))
      .then((names) => names.map((n) => n!.replace(/^Add (.*) to the programme$/, '$1')));

  async function type(query: string) {
    await search().fill('');
    await search().pressSequentially(query);
  }

  it('before anything is typed the list is neither shown, read nor reached with Tab', async () => {
    await search().fill('');
    await expect.poll(() => results().count()).toBe(0);
    const list = admin.locator('ul.results');
    expect((await list.boundingBox())?.height ?? 0).toBe(0);
    await search().focus();
    await admin.keyboard.press('Tab');
    expect(
      await admin.getByRole('combobox', { name: 'Sort by' }).evaluate((e) => e.matches(':focus')),
    ).toBe(true);
    await admin.keyboard.press('Tab');
    await admin.keyboard.press('Tab');
    // past Sort by and Hide explicit, the next stop is not a row of the hidden list
    expect(await list.evaluate((ul) => ul.matches(':focus-within'))).toBe(false);
  });

  it('finds by title, artist or album as it is typed, accents and punctuation aside', async () => {
    await type('beyonce');
    await expect.poll(titles).toEqual(['Crazy in Love', 'Halo']);
    await type('mr brightside');
    await expect.poll(titles).toEqual(['Mr. Brightside']);
    await type('hot fuss');
    await expect.poll(titles).toEqual(['Mr. Brightside']);
    await type('killers day');
    await expect.poll(titles).toEqual(['Human']);
    await type('nothing like this');
    await expect.poll(() => results().textContent()).toBe('No tracks match');
  });

  it('sorts by title, artist or album, marks explicit tracks and can hide them', async () => {
    await type('kil');
    await expect.poll(titles).toEqual(['Human', 'Killing in the Name', 'Mr. Brightside']);
    const sort = admin.getByRole('combobox', { name: 'Sort by' });
    await sort.selectOption({ label: 'Artist' });
    await expect.poll(titles).toEqual(['Killing in the Name', 'Human', 'Mr. Brightside']);
    await sort.selectOption({ label: 'Album' });
    await expect.poll(titles).toEqual(['Human', 'Mr. Brightside', 'Killing in the Name']);
    const killing = results().getByRole('listitem').filter({ hasText: 'Killing in the Name' });
    await expect.poll(() => killing.getByText('Explicit', { exact: true }).count()).toBe(1);
    await admin.getByRole('checkbox', { name: 'Hide explicit' }).check();
    await expect.poll(titles).toEqual(['Human', 'Mr. Brightside']);
    await admin.getByRole('checkbox', { name: 'Hide explicit' }).uncheck();
    await sort.selectOption({ label: 'Title' });
    await expect.poll(titles).toEqual(['Human', 'Killing in the Name', 'Mr. Brightside']);
  });

  it('shows eight tracks at a time, and more on request', async () => {
    await type('filler');
    await expect.poll(() => titles().then((t) => t.length)).toBe(8);
    const more = admin.getByRole('button', { name: 'Show more tracks' });
    await more.click();
    await expect.poll(() => titles().then((t) => t.length)).toBe(16);
    await more.click();
    await expect.poll(() => titles().then((t) => t.length)).toBe(24);
    await more.click();
    await expect.poll(titles).toEqual(LIBRARY.slice(5).map((t) => t.title));
    expect(await more.count()).toBe(0);
  });

  it('queues what it finds, and its controls are labelled and big enough to tap', async () => {
    await type('human');
    await admin.getByRole('button', { name: 'Play next: Human' }).click();
    await expect
      .poll(() => inApp(admin, (app) => app.snapshot.lane.map((e) => e.track)))
      .toEqual(['human']);
    for (const control of [
      search(),
      admin.getByRole('combobox', { name: 'Sort by' }),
      admin.getByText('Hide explicit'),
      admin.getByRole('button', { name: 'Add Human to the programme' }),
    ])
      expect((await control.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    expect(await axeViolations(admin)).toEqual([]);
  });
});
