/**
 * Issue 9: schedules. An admin phone adds a weekly slot covering now in the Music tab's Schedule
 * section; the TV player switches to the slot's playlist and volume by itself (venue SPEC VM32), in
 * the venue's time zone (the admin phone's, in London) although the TV is set to Kiritimati's, 14
 * hours ahead. A player whose clock is wrong says so on the TV and on the admin, and does not
 * switch (VM33).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToneTracks,
  api,
  axeViolations,
  closeVenue,
  createVenueInApp,
  E2ERelay,
  inApp,
  isFocused,
  launchChromium,
  pairInApp,
  waitForPhase,
  type Browser,
  type Page,
} from './harness';

const PHONE = {
  viewport: { width: 390, height: 844 },
  hasTouch: true,
  timezoneId: 'Europe/London',
};
/** A TV stick left in another time zone: the schedule must not follow it. */
const TV = { viewport: { width: 1920, height: 1080 }, timezoneId: 'Pacific/Kiritimati' };
/** The wrong clock's TV reads three hours early (page code, as a string). */
const THREE_HOURS_EARLY = `(() => {
  const Real = Date;
  const skew = -3 * 60 * 60 * 1000;
  class Early extends Real {
    constructor(...args) { if (args.length === 0) super(Real.now() + skew); else super(...args); }
    static now() { return Real.now() + skew; }
  }
  globalThis.Date = Early;
})();`;

/** Programme tracks and volume as a page sees them. */
const programme = (page: Page) =>
  inApp(page, (app) => ({
    tracks: app.snapshot.programme.entries.map((e) => e.track),
    volume: app.snapshot.settings.volume,
  }));

describe('e2e: schedules', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let admin: Page;
  let venueId: string;
  let token: string;
  const lists: Record<string, string> = {};

  beforeAll(async () => {
    relay = await E2ERelay.start();
    browser = await launchChromium();
    ({
      page: admin,
      venueId,
      token,
    } = await createVenueInApp(await browser.newContext(PHONE), relay, 'Schedule Bar'));
    await waitForPhase(admin, 'saved-relay');
    await addToneTracks(admin, relay, venueId, token, [
      { id: 'house', title: 'House Tune', seconds: 60 },
      { id: 'brunch-a', title: 'Brunch A', seconds: 60 },
      { id: 'brunch-b', title: 'Brunch B', seconds: 60 },
      { id: 'late-a', title: 'Late A', seconds: 60 },
    ]);
    expect(await inApp(admin, (app) => app.venue.addToProgramme('house').ok)).toBe(true);
    // Playlists come from the model here: the Playlists section is another screen's business.
    for (const [name, tracks] of [
      ['Brunch', ['brunch-a', 'brunch-b']],
      ['Late night', ['late-a']],
    ] as const) {
      lists[name] = await inApp(
        admin,
        (app, a) => {
          const made = app.libraryModel.createPlaylist(a.name);
          if (!made.ok || !app.libraryModel.addToPlaylist(made.value!, a.tracks).ok) return '';
          return made.value!;
        },
        { name, tracks: [...tracks] },
      );
      expect(lists[name]).not.toBe('');
    }
    await waitForPhase(admin, 'saved-relay');
    // Room for building the app first when it is stale, on a busy machine.
  }, 240_000);

  afterAll(() => closeVenue(browser, relay));

  /** Adds a slot from now on today's day through the form, with `playlist` and `volume`. */
  async function addSlot(playlist: string, volume: string) {
    await admin.getByRole('button', { name: 'Add a slot' }).click();
    const form = admin.getByRole('form', { name: 'New slot' });
    await form.getByLabel('Playlist').selectOption({ label: playlist });
    await form.getByLabel('Volume').fill(volume);
    await form.getByRole('button', { name: 'Save slot' }).click();
    await admin.getByText('Slot saved').waitFor();
  }

  /** Adds a slot on one day from `start` to `end` (as the form shows them) through the form. */
  async function addSlotOn(day: string, start: string, end: string, playlist: string) {
    await admin.getByRole('button', { name: 'Add a slot' }).click();
    const form = admin.getByRole('form', { name: 'New slot' });
    await form.getByRole('button', { pressed: true }).click();
    await form.getByRole('button', { name: day }).click();
    await form.getByLabel('Starts').selectOption({ label: start });
    await form.getByLabel('Ends').selectOption({ label: end });
    await form.getByLabel('Playlist').selectOption({ label: playlist });
    await form.getByRole('button', { name: 'Save slot' }).click();
    await admin.getByText('Slot saved').waitFor();
  }

  it('a slot covering now switches the player to its playlist and volume, once', async () => {
    const player = await pairInApp(await browser.newContext(TV), relay, venueId, token, 'player');
    await player.getByTestId('now-playing').filter({ hasText: 'House Tune' }).waitFor();
    await admin.getByRole('tab', { name: 'Music' }).click();
    const section = admin.getByRole('region', { name: 'Schedule' });
    await section.getByText('No slot: nothing switches, so what plays goes on').waitFor();
    // The venue keeps the zone of the phone that made it; an admin may choose another.
    const zone = section.getByRole('combobox', { name: 'Time zone' });
    expect(await zone.inputValue()).toBe('Europe/London');
    await zone.selectOption({ label: 'America/New York' });
    await admin.getByText('Time zone set: America/New York').waitFor();
    await zone.selectOption({ label: 'Europe/London' });
    await admin.getByText('Time zone set: Europe/London').waitFor();
    // What was done shows at the top of the screen, not over the buttons at the bottom (the
    // slot form's Save and Cancel lay under it for 5 s).
    const toast = (await admin.getByTestId('message').boundingBox())!;
    expect(toast.y + toast.height).toBeLessThan(PHONE.viewport.height / 4);

    // A volume out of range is refused in words before anything is saved. The form takes the
    // focus when it opens and gives it back to Add a slot when it closes.
    await admin.getByRole('button', { name: 'Add a slot' }).click();
    const form = admin.getByRole('form', { name: 'New slot' });
    await expect.poll(() => isFocused(form.getByRole('heading', { name: 'New slot' }))).toBe(true);
    await form.getByLabel('Volume').fill('120');
    await form.getByRole('button', { name: 'Save slot' }).click();
    await form.getByText('The volume is a whole number from 0 to 100').waitFor();
    const volume = form.getByRole('textbox', { name: 'Volume (0 to 100)' });
    expect(await volume.getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(admin)).toEqual([]);
    await form.getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(() => isFocused(section.getByRole('button', { name: 'Add a slot' })))
      .toBe(true);

    await addSlot('Brunch', '35');
    await expect
      .poll(() => programme(player), { timeout: 20_000 })
      .toEqual({ tracks: ['brunch-a', 'brunch-b'], volume: 35 });
    // Today's view marks the slot playing now.
    const now = section.locator('li[aria-current="time"]');
    await expect.poll(() => now.textContent()).toContain('Brunch · volume 35');
    expect(await axeViolations(admin)).toEqual([]);

    // A bartender's change inside the slot stands, through a reload of the TV too.
    expect(await inApp(admin, (app) => app.venue.setSetting('volume', 50).ok)).toBe(true);
    await expect.poll(() => programme(player)).toMatchObject({ volume: 50 });
    await player.reload();
    await player.getByTestId('now-playing').waitFor();
    await expect
      .poll(() => inApp(player, (app) => app.snapshot.activePlayer === app.writer))
      .toBe(true);
    expect(await programme(player)).toEqual({ tracks: ['brunch-a', 'brunch-b'], volume: 50 });
    await player.context().close();
  }, 120_000);

  it('a player whose clock is wrong says so on the TV and the admin, and does not switch', async () => {
    // The brunch slot makes way for a new one for the wrong-clock TV to ignore (no player runs
    // while it is added).
    // Remove asks first, as every removal does
    await admin.getByRole('button', { name: /^Remove Brunch/ }).click();
    const question = admin.getByRole('group', { name: /^Remove Brunch/ });
    expect(await isFocused(question.getByRole('button', { name: 'Keep it' }))).toBe(true);
    await question.getByRole('button', { name: 'Remove slot' }).click();
    await admin.getByText(/^Slot removed: Brunch/).waitFor();
    // Its Remove button went with it: the focus stays in the list, on its heading.
    await expect.poll(() => isFocused(admin.getByRole('heading', { name: 'Slots' }))).toBe(true);
    await addSlot('Late night', '20');
    await waitForPhase(admin, 'saved-relay');
    const tv = await browser.newContext(TV);
    await tv.addInitScript(THREE_HOURS_EARLY);
    const player = await pairInApp(tv, relay, venueId, token, 'player');
    const warning = player.getByTestId('schedule-paused');
    await warning.waitFor({ timeout: 30_000 });
    expect(await warning.textContent()).toMatch(
      /This player's clock is wrong \(3 hours behind the relay's time\): the schedule is paused/,
    );
    const section = admin.getByRole('region', { name: 'Schedule' });
    await section.getByTestId('schedule-clock').waitFor({ timeout: 30_000 });
    // On the admin phone "this player" would be the phone.
    expect(await section.getByTestId('schedule-clock').textContent()).toContain(
      "The player's clock is wrong (3 hours behind",
    );
    await admin.getByRole('tab', { name: 'Playing' }).click();
    await admin
      .getByTestId('player-clock')
      .filter({ hasText: "The player's clock is wrong" })
      .waitFor();
    // What the right clock applied stays; the new slot is not applied.
    expect(await programme(admin)).toEqual({ tracks: ['brunch-a', 'brunch-b'], volume: 50 });
    expect(await axeViolations(player)).toEqual([]);
  }, 120_000);

  it('a venue made at the relay’s API takes the zone of the first admin device to open it', async () => {
    const made = await api<{ venueId: string; adminToken: string }>(
      relay,
      'POST',
      '/api/venues',
      await relay.operatorKey(),
      { name: 'Provisioned Bar' },
    );
    const tokyo = await browser.newContext({ ...PHONE, timezoneId: 'Asia/Tokyo' });
    const page = await pairInApp(tokyo, relay, made.venueId, made.adminToken, 'admin');
    await expect
      .poll(() => inApp(page, (app) => app.snapshot.settings.timeZone), { timeout: 20_000 })
      .toBe('Asia/Tokyo');
    await tokyo.close();
  }, 60_000);

  it('staff see the schedule and the wrong clock, and cannot change the schedule', async () => {
    const staff = await pairInApp(await browser.newContext(PHONE), relay, venueId, token, 'staff');
    await staff.getByRole('tab', { name: 'Music' }).click();
    const section = staff.getByRole('region', { name: 'Schedule' });
    await section.getByText('Only an admin changes the schedule.').waitFor();
    expect(await section.getByRole('combobox', { name: 'Time zone' }).isDisabled()).toBe(true);
    await section.getByTestId('schedule-clock').waitFor();
    expect(await section.getByRole('listitem').filter({ hasText: 'Late night' }).count()).toBe(2);
    for (const name of ['Add a slot', /^Edit /, /^Remove /]) {
      expect(await section.getByRole('button', { name }).count()).toBe(0);
    }
    await staff.context().close();
  }, 60_000);

  it('VM32 a slot wholly inside another on another day is said never to play in the week, not today', async () => {
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const today = new Date().toLocaleDateString('en-GB', {
      timeZone: 'Europe/London',
      weekday: 'short',
    });
    // Three days on: neither today nor a day whose small hours are today's.
    const day = days[(days.indexOf(today) + 3) % 7]!;
    await admin.getByRole('tab', { name: 'Music' }).click();
    const section = admin.getByRole('region', { name: 'Schedule' });
    // One that ends with the day says so in words, not 00:00.
    await addSlotOn(day, '20:00', 'midnight', 'Late night');
    await section.getByRole('button', { name: `Edit Late night, ${day} 20:00–midnight` }).waitFor();
    await addSlotOn(day, '21:00', '22:00', 'Brunch');
    await section
      .getByRole('listitem')
      .filter({ has: admin.getByRole('button', { name: `Edit Brunch, ${day} 21:00–22:00` }) })
      .getByText('It will never play: it lies wholly inside Late night')
      .waitFor();
    expect(await section.getByText('Not shown above').count()).toBe(0);
    // Closing a slot's form puts the focus back on its Edit button.
    const edit = section.getByRole('button', { name: `Edit Brunch, ${day} 21:00–22:00` });
    await edit.click();
    const form = admin.getByRole('form', { name: 'Edit slot' });
    await expect.poll(() => isFocused(form.getByRole('heading', { name: 'Edit slot' }))).toBe(true);
    await form.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => isFocused(edit)).toBe(true);
    await section.getByRole('button', { name: 'This week' }).click();
    await section.getByText(`Not shown above: Brunch, ${day} 21:00–22:00`).waitFor();
    // On a tablet the week is seven narrow columns: the times stay inside theirs.
    await admin.setViewportSize({ width: 1024, height: 768 });
    const late = section.getByRole('listitem').filter({ hasText: '20:00–midnight' }).first();
    expect(await late.evaluate((li) => li.scrollWidth <= li.clientWidth)).toBe(true);
    await admin.setViewportSize({ width: 390, height: 844 });
    expect(await axeViolations(admin)).toEqual([]);
  }, 60_000);
});
