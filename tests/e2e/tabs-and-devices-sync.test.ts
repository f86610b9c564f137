/**
 * Journeys 1–3 of issue 4: tabs of one browser sync with the relay stopped; two devices sync
 * through the relay; both devices edit while the relay is stopped and converge after it restarts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  E2ERelay,
  addTrack,
  createVenueInApp,
  expectVenueName,
  inApp,
  launchChromium,
  pairInApp,
  programmeTracks,
  waitForPhase,
  waitForTracks,
  type Browser,
  type BrowserContext,
  type Page,
} from './harness';

describe('e2e: sync between tabs and devices', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let owner: BrowserContext;
  let other: BrowserContext;
  let admin: Page;
  let venueId: string;
  let token: string;

  beforeAll(async () => {
    relay = await E2ERelay.start();
    browser = await launchChromium();
    owner = await browser.newContext();
    other = await browser.newContext();
    ({ page: admin, venueId, token } = await createVenueInApp(owner, relay, 'Tab Bar'));
    await waitForPhase(admin, 'saved-relay');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.dispose();
  });

  it('journey 1: a change in one tab shows in another tab with the relay stopped', async () => {
    const second = await owner.newPage();
    await second.goto(`${relay.url}/v/${venueId}/admin`);
    await expectVenueName(second, 'Tab Bar');
    await relay.down();
    await waitForPhase(admin, 'offline');
    expect(await addTrack(admin, 'tab-one')).toBe(true);
    await waitForTracks(second, ['tab-one']);
    expect(await addTrack(second, 'tab-two')).toBe(true);
    await waitForTracks(admin, ['tab-one', 'tab-two']);
    expect(await programmeTracks(second)).toEqual(['tab-one', 'tab-two']);
    await waitForPhase(admin, 'saved-device');
    await relay.up();
    await waitForPhase(admin, 'saved-relay');
    await second.close();
  });

  it('journey 2: a change on one device shows on another through the relay', async () => {
    const device = await pairInApp(other, relay, venueId, token, 'admin');
    await expectVenueName(device, 'Tab Bar');
    await waitForTracks(device, ['tab-one', 'tab-two']);
    expect(await addTrack(device, 'device-b')).toBe(true);
    await waitForTracks(admin, ['device-b']);
    expect(await addTrack(admin, 'device-a')).toBe(true);
    await waitForTracks(device, ['device-a']);
    await device.close();
  });

  it('journey 3: both devices edit with the relay stopped and converge after it restarts', async () => {
    const device = await other.newPage();
    await device.goto(`${relay.url}/v/${venueId}/admin`);
    await waitForTracks(device, ['device-a', 'device-b']);
    await waitForPhase(device, 'saved-relay');
    await relay.down();
    await Promise.all([waitForPhase(admin, 'offline'), waitForPhase(device, 'offline')]);
    for (const t of ['off-a1', 'off-a2']) expect(await addTrack(admin, t)).toBe(true);
    for (const t of ['off-b1', 'off-b2']) expect(await addTrack(device, t)).toBe(true);
    await waitForPhase(device, 'saved-device');
    // Neither sees the other's offline edits yet: there is no path between them.
    expect(await programmeTracks(device)).not.toContain('off-a1');
    await relay.up();
    const all = [
      'tab-one',
      'tab-two',
      'device-a',
      'device-b',
      'off-a1',
      'off-a2',
      'off-b1',
      'off-b2',
    ];
    await Promise.all([waitForTracks(admin, all, 30_000), waitForTracks(device, all, 30_000)]);
    expect(await programmeTracks(admin)).toEqual(await programmeTracks(device));
    await Promise.all([waitForPhase(admin, 'saved-relay'), waitForPhase(device, 'saved-relay')]);
  });

  it('journey 7: a device whose clock is ten minutes fast is told so, and its edits take their real place', async () => {
    const fast = await browser.newContext();
    await fast.addInitScript(() => {
      const shift = 10 * 60_000;
      const RealDate = Date;
      class FastDate extends RealDate {
        constructor(...args: unknown[]) {
          if (args.length === 0) super(RealDate.now() + shift);
          else super(...(args as [number]));
        }
        static override now() {
          return RealDate.now() + shift;
        }
      }
      globalThis.Date = FastDate as DateConstructor;
    });
    const device = await pairInApp(fast, relay, venueId, token, 'admin');
    await waitForPhase(device, 'saved-relay');
    await device.waitForSelector('[data-testid=clock-wrong]');
    const set = (page: Page, volume: number) =>
      inApp(page, (app, v) => app.venue.setSetting('volume', v).ok, volume);
    expect(await set(admin, 70)).toBe(true);
    await expect.poll(() => inApp(device, (app) => app.snapshot.settings.volume)).toBe(70);
    // Set after the 70 in real time: it wins everywhere, though its own clock reads ten minutes on.
    expect(await set(device, 30)).toBe(true);
    await expect.poll(() => inApp(admin, (app) => app.snapshot.settings.volume)).toBe(30);
    expect(await inApp(admin, (app) => app.snapshot.problems.length)).toBe(0);
    await fast.close();
  });
});
