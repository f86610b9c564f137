/**
 * Reordering by keyboard alone (reorder.svelte.ts), on a 390 px phone, in the two lists an owner
 * reorders most: the queue's programme and a playlist's tracks. Space picks a row up, each arrow
 * moves it one place, space drops it; the focus stays on the row's handle throughout, so the row
 * moving on the screen does not put it down. Leaving the handle with Tab puts it down where it
 * shows; Escape puts it back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2ERelay,
  PHONE,
  closeVenue,
  openVenue,
  addToneTracks,
  axeViolations,
  inApp,
  isFocused,
  programmeTracks,
  type Browser,
  type Locator,
  type Page,
} from './harness';

const TRACKS = [
  { id: 'one', title: 'Song One', seconds: 2 },
  { id: 'two', title: 'Song Two', seconds: 2 },
  { id: 'three', title: 'Song Three', seconds: 2 },
  { id: 'four', title: 'Song Four', seconds: 2 },
];

describe('e2e: reordering by keyboard', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let admin: Page;

  beforeAll(async () => {
    const venue = await openVenue('Reorder Bar', [], PHONE);
    ({ relay, browser, page: admin } = venue);
    await addToneTracks(admin, relay, venue.venueId, venue.token, TRACKS);
    const added = await inApp(
      admin,
      (app, ids) => ids.every((id) => app.venue.addToProgramme(id).ok),
      TRACKS.map((t) => t.id),
    );
    expect(added).toBe(true);
  }, 120_000);

  afterAll(() => closeVenue(browser, relay));

  /** Presses each key in turn on whatever has the focus, as a keyboard user does. */
  const press = async (...keys: string[]) => {
    for (const key of keys) await admin.keyboard.press(key);
  };
  const handle = (list: Locator, title: string) =>
    list.getByRole('button', { name: new RegExp(`^Reorder ${title}:`) });
  const titles = (list: Locator) => list.locator('.title').allTextContents();

  it('the programme: space, two arrows down and space move song 2 to position 4', async () => {
    await admin.getByRole('tab', { name: 'Queue' }).click();
    const programme = admin.getByRole('list', { name: 'Programme' });
    await expect
      .poll(() => titles(programme))
      .toEqual(['Song One', 'Song Two', 'Song Three', 'Song Four']);

    await handle(programme, 'Song Two').focus();
    await press('Space', 'ArrowDown', 'ArrowDown', 'Space');
    await expect
      .poll(() => titles(programme))
      .toEqual(['Song One', 'Song Three', 'Song Four', 'Song Two']);
    expect(await programmeTracks(admin)).toEqual(['one', 'three', 'four', 'two']);
    expect(await admin.getByText('Song Two dropped at position 4').count()).toBe(1);
    // Dropped, not picked up again, and the focus is still on its handle.
    expect(await handle(programme, 'Song Two').getAttribute('aria-pressed')).toBe('false');
    expect(await isFocused(handle(programme, 'Song Two'))).toBe(true);
    expect(await axeViolations(admin)).toEqual([]);

    // Tabbing away mid-move puts the row down where it shows.
    await handle(programme, 'Song Four').focus();
    await press('Space', 'ArrowUp', 'ArrowUp', 'Tab');
    await expect.poll(() => programmeTracks(admin)).toEqual(['four', 'one', 'three', 'two']);
    expect(await handle(programme, 'Song Four').getAttribute('aria-pressed')).toBe('false');
    expect(await isFocused(handle(programme, 'Song Four'))).toBe(false);
  });

  it('a playlist: space, two arrows down and space move song 2 to position 4', async () => {
    await admin.getByRole('tab', { name: 'Music' }).click();
    const shelf = admin.getByRole('region', { name: 'Playlists', exact: true });
    await shelf.getByLabel('New playlist name').fill('Late');
    await shelf.getByRole('button', { name: 'Create playlist' }).click();
    const filled = await inApp(
      admin,
      (app, ids) => {
        const list = app.library.playlists.find((l) => l.name === 'Late');
        return !!list && app.libraryModel.addToPlaylist(list.id, ids).ok;
      },
      TRACKS.map((t) => t.id),
    );
    expect(filled).toBe(true);
    const tracks = shelf.getByRole('list', { name: 'Tracks of Late' });
    const playlist = () =>
      inApp(admin, (app) => app.library.playlists.find((l) => l.name === 'Late')!.tracks);
    await expect
      .poll(() => titles(tracks))
      .toEqual(['Song One', 'Song Two', 'Song Three', 'Song Four']);

    await handle(tracks, 'Song Two').focus();
    await press('Space', 'ArrowDown', 'ArrowDown', 'Space');
    await expect
      .poll(() => titles(tracks))
      .toEqual(['Song One', 'Song Three', 'Song Four', 'Song Two']);
    expect(await playlist()).toEqual(['one', 'three', 'four', 'two']);
    expect(await handle(tracks, 'Song Two').getAttribute('aria-pressed')).toBe('false');
    expect(await isFocused(handle(tracks, 'Song Two'))).toBe(true);

    // Escape puts a row back where it was, the focus still on its handle.
    await press('Space', 'ArrowUp', 'ArrowUp', 'Escape');
    await expect
      .poll(() => titles(tracks))
      .toEqual(['Song One', 'Song Three', 'Song Four', 'Song Two']);
    expect(await handle(tracks, 'Song Two').getAttribute('aria-pressed')).toBe('false');
    expect(await isFocused(handle(tracks, 'Song Two'))).toBe(true);
    expect(await playlist()).toEqual(['one', 'three', 'four', 'two']);
    expect(await axeViolations(admin)).toEqual([]);
  });
});
