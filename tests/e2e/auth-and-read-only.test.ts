/**
 * Journey 6 of issue 4: a device whose token the relay refuses shows the error state with its
 * reason; a viewer is told it is read-only and cannot change anything. And an admin renames its
 * phone, which its records then name. A wrong operator key on the home page is refused beside the
 * form it was typed in.
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
  isFocused,
  pairInApp,
  programmeTracks,
  tamperToken,
  waitForPhase,
  waitForServiceWorker,
  waitForTracks,
  type Browser,
  type Page,
} from './harness';

describe('e2e: refused tokens and read-only devices', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let admin: Page;
  let venueId: string;
  let token: string;

  beforeAll(async () => {
    ({ relay, browser, page: admin, venueId, token } = await openVenue('Door Bar'));
  }, 90_000);

  afterAll(() => closeVenue(browser, relay));

  /** A one-second track in the venue's library (its file is never played here). */
  const putTrack = (id: string, title: string, artist: string) =>
    inApp(
      admin,
      (app, t) =>
        app.libraryModel.putTrack({
          ...t,
          album: '',
          durationMs: 1000,
          media: { url: `https://example.invalid/${t.id}.mp3`, type: 'audio/mpeg' },
          explicit: false,
        }),
      { id, title, artist },
    );

  it('a wrong operator key is refused right under Create, in view on a phone, the key field marked and focused', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(relay.url + '/');
    await waitForServiceWorker(page);
    const create = page.getByRole('region', { name: 'Create a venue' });
    const key = create.getByLabel('Relay operator key');
    await create.getByLabel('Venue name').fill('Wrong Key Bar');
    await key.fill('not-the-operator-key');
    const button = create.getByRole('button', { name: 'Create' });
    await button.click();

    const alert = create.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toBe(
        'The relay did not accept that operator key. Copy it whole from the relay’s operator-key file (its path is printed when the relay starts).',
      );
    // Right under its button and on the screen, not below the page's other sections.
    const shown = (await alert.boundingBox())!;
    const under = (await button.boundingBox())!;
    expect(shown.y).toBeGreaterThanOrEqual(under.y + under.height);
    expect(shown.y - (under.y + under.height)).toBeLessThan(24);
    expect(shown.y + shown.height).toBeLessThanOrEqual(844);
    expect(await key.getAttribute('aria-invalid')).toBe('true');
    expect(await key.getAttribute('aria-describedby')).toBe(await alert.getAttribute('id'));
    expect(await isFocused(key)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    // A wrong pairing code, typed on the same page, says why and what to do.
    const pairing = page.getByRole('region', { name: 'Pair this device' });
    await pairing.getByLabel('Pairing code').fill('WRONG1');
    await pairing.getByRole('button', { name: 'Pair' }).click();
    await page.getByRole('heading', { name: 'This device was not paired' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain(
      'a code works once, for 10 minutes',
    );
    // Back on the home page the failed code waits in its field, selected, to be corrected.
    await page.getByRole('link', { name: 'Correct the code or type another' }).click();
    const field = pairing.getByLabel('Pairing code');
    await field.waitFor();
    await expect.poll(() => field.inputValue()).toBe('WRONG1');
    expect(await isFocused(field)).toBe(true);
    // the whole code is selected: typing replaces it
    const selected = await field.evaluate((el) => {
      const input = el as unknown as { selectionStart: number; selectionEnd: number };
      return input.selectionEnd - input.selectionStart;
    });
    expect(selected).toBe(6);
    await context.close();
  });

  it('journey 6: an unauthorized token shows the error state with its reason', async () => {
    const context = await browser.newContext();
    const page = await pairInApp(context, relay, venueId, token, 'admin');
    await waitForPhase(page, 'saved-relay');
    // Tamper with the stored token (as an expired or forged one would look to the relay).
    await tamperToken(page, venueId);
    await page.reload();
    await expectVenueName(page, 'Door Bar');
    await waitForPhase(page, 'error');
    expect(await page.textContent('[data-testid=sync-reason]')).toContain(
      'This device is no longer paired',
    );
    await context.close();
  });

  it('journey 6 and issue 8: a revoked kiosk is told so and cannot request', async () => {
    await putTrack('door-song', 'Door Song', 'The Bouncers');
    const context = await browser.newContext();
    const page = await pairInApp(context, relay, venueId, token, 'kiosk');
    await waitForPhase(page, 'saved-relay');
    const request = page.getByRole('button', { name: 'Request Door Song' });
    await expect.poll(() => request.isEnabled()).toBe(true);
    const deviceId = await inApp(page, (app) => app.credential.deviceId);
    await api(relay, 'DELETE', `/api/venues/${venueId}/devices/${deviceId}`, token);
    await waitForPhase(page, 'error');
    expect(await page.textContent('[data-testid=sync-reason]')).toContain(
      'An admin removed this device',
    );
    // No request pretends to go anywhere: the screen says why it cannot take them.
    expect(await request.isDisabled()).toBe(true);
    await page.getByText('This screen was removed from the venue').waitFor();
    await context.close();
  });

  it('a revoked staff phone is told so, and its controls are disabled rather than taking taps', async () => {
    const context = await browser.newContext();
    const page = await pairInApp(context, relay, venueId, token, 'staff', true, 'Till phone');
    await waitForPhase(page, 'saved-relay');
    const stop = page.getByRole('button', { name: /Emergency stop/ });
    await expect.poll(() => stop.isEnabled()).toBe(true);
    // The admin revokes it on the Devices tab: asked first, Keep it back on Revoke, then done.
    await admin.getByRole('tab', { name: 'Devices' }).click();
    const revoke = admin.getByRole('button', { name: 'Revoke Till phone' });
    await revoke.click();
    const question = admin.getByRole('group', { name: 'Revoke Till phone' });
    expect(await isFocused(question.getByRole('button', { name: 'Keep it' }))).toBe(true);
    await question.getByRole('button', { name: 'Keep it' }).click();
    expect(await isFocused(revoke)).toBe(true);
    await revoke.click();
    await question.getByRole('button', { name: 'Revoke' }).click();
    await expect
      .poll(() => isFocused(admin.getByRole('heading', { name: 'Devices', exact: true })))
      .toBe(true);
    await waitForPhase(page, 'error');
    expect(await page.textContent('[data-testid=sync-reason]')).toContain(
      'An admin removed this device',
    );
    await expect.poll(() => stop.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Skip' }).isDisabled()).toBe(true);
    await context.close();
  });

  it('journey 6: a viewer sees that it is read-only and cannot change anything', async () => {
    const context = await browser.newContext();
    const viewer = await pairInApp(context, relay, venueId, token, 'viewer');
    await expectVenueName(viewer, 'Door Bar');
    await viewer.waitForSelector('[data-testid=read-only]');
    expect(await viewer.getByRole('button', { name: 'Play' }).isDisabled()).toBe(true);
    expect(await viewer.getByRole('slider', { name: 'Volume', exact: true }).isDisabled()).toBe(
      true,
    );
    const attempt = await inApp(viewer, (app) => [
      app.venue.addToProgramme('sneaky'),
      app.venue.setSetting('volume', 100),
    ]);
    expect(attempt.map((r) => r.ok)).toEqual([false, false]);
    expect(await programmeTracks(viewer)).not.toContain('sneaky');
    // The admin's change still reaches the viewer (it reads), and nothing of the viewer's came back.
    await inApp(admin, (app) => app.venue.addToProgramme('legit'));
    await waitForTracks(viewer, ['legit']);
    expect(await programmeTracks(admin)).toEqual(['legit']);
    await context.close();
  });

  it('an admin renames its phone on the Devices tab: the list and the Log name it so from then on', async () => {
    await putTrack('name-song', 'Name Song', 'The Tags');
    await admin.getByRole('tab', { name: 'Devices' }).click();
    await admin.getByRole('button', { name: 'Rename owner' }).click();
    const field = admin.getByRole('textbox', { name: 'New name for owner' });
    expect(await field.inputValue()).toBe('owner');
    expect(await axeViolations(admin)).toEqual([]);
    await field.fill('  Sam’s phone ');
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await admin.getByRole('status').filter({ hasText: 'Renamed: Sam’s phone.' }).waitFor();
    await admin.getByTestId('devices').getByText('Sam’s phone (This device)').waitFor();
    expect(await field.count()).toBe(0);
    // the keyboard is back where it was: on the device's Rename button
    await expect
      .poll(() => admin.evaluate('document.activeElement?.getAttribute("aria-label")'))
      .toBe('Rename Sam’s phone');
    // a pairing code says which device and role it is for
    await admin.getByRole('radio', { name: 'Player: the TV that plays the music' }).check();
    await admin.getByRole('textbox', { name: 'Device name' }).fill('Bar TV');
    await admin.getByRole('button', { name: 'Make a pairing code' }).click();
    await admin.getByTestId('pairing').getByText('For Bar TV, as Player').waitFor();
    // the next thing this phone does is recorded under its new name
    await admin.getByRole('tab', { name: 'Queue' }).click();
    await admin.getByRole('searchbox', { name: 'Search the library' }).fill('name song');
    await admin.getByRole('button', { name: 'Add Name Song to the programme' }).click();
    await admin.getByRole('tab', { name: 'Log' }).click();
    await admin
      .getByRole('list', { name: 'Activity' })
      .getByRole('listitem')
      .filter({ hasText: 'Added Name Song to the programme' })
      .filter({ hasText: 'Sam’s phone (Admin)' })
      .waitFor({ timeout: 15_000 });
  });
});
