/**
 * Issue 9: the venue's records. Two tracks play on a paired player (one to its end, one skipped by
 * a staff phone) and both plays and the skip appear in the admin's Log tab while it is open; an
 * action the admin makes offline arrives after reconnecting with the time it was made, shown at the
 * venue's time; the play history of today exports as a CSV with the right rows; the Log tab has no
 * axe violations.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalPage, PlayRecord } from '@djamms/protocol';
import {
  addToneTracks,
  api,
  audioState,
  axeViolations,
  closeVenue,
  expectVenueName,
  inApp,
  openVenue,
  pairInApp,
  waitForPhase,
  type Browser,
  type E2ERelay,
  type Page,
} from './harness';

describe('e2e: play history and the activity log', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let admin: Page;
  let player: Page;
  let staff: Page;
  let venueId: string;
  let token: string;

  /** The venue's journal entries of one kind, as the relay holds them. */
  const journal = async (kind: 'action' | 'play') =>
    (
      await api<JournalPage>(
        relay,
        'GET',
        `/api/venues/${venueId}/journal?kinds=${kind}&limit=1000`,
        token,
      )
    ).entries;
  /** The venue's actions in words. */
  const actions = async () =>
    (await journal('action')).map((e) => ({
      what: (e.data as { what: string }).what,
      at: e.at,
      device: (e.data as { device: string }).device,
    }));
  const logRows = (page: Page) =>
    page.getByRole('list', { name: 'Activity' }).getByRole('listitem').allInnerTexts();

  beforeAll(async () => {
    ({ relay, browser, page: admin, venueId, token } = await openVenue('History Bar'));
    await addToneTracks(admin, relay, venueId, token, [
      { id: 'first', title: 'First, "Live"', artist: 'Café Band', seconds: 5 },
      { id: 'second', title: 'Second Song', artist: 'Café Band', seconds: 30 },
      { id: 'third', title: 'Third Song', artist: 'Café Band', seconds: 60 },
    ]);
    expect(await inApp(admin, (app) => app.venue.setSetting('crossfadeSeconds', 0).ok)).toBe(true);
    for (const t of ['first', 'second', 'third'])
      expect(await inApp(admin, (app, id) => app.venue.addToProgramme(id).ok, t)).toBe(true);
    await waitForPhase(admin, 'saved-relay');
    await admin.getByRole('tab', { name: 'Log' }).click();
    staff = await pairInApp(
      await browser.newContext(),
      relay,
      venueId,
      token,
      'staff',
      true,
      'Bar phone',
    );
    await expectVenueName(staff, 'History Bar');
  }, 120_000);

  afterAll(() => closeVenue(browser, relay));

  it('a finished play, a skipped play and the skip appear in the open Log tab', async () => {
    player = await pairInApp(await browser.newContext(), relay, venueId, token, 'player');
    await expectVenueName(player, 'History Bar');
    // The first plays to its end (5 s), then the second starts.
    await expect
      .poll(() => inApp(player, (app) => app.snapshot.nowPlaying?.track), { timeout: 30_000 })
      .toBe('second');
    // A few seconds of the second song (30 s long; the first was 5 s) play before it is skipped.
    // The snapshot names the second song a moment before its deck takes over, so wait for the deck.
    await expect
      .poll(
        async () => {
          const { currentTime, duration } = await audioState(player);
          return duration > 10 ? currentTime : 0;
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(2.5);
    await staff.getByRole('button', { name: 'Skip' }).click();
    await expect.poll(() => inApp(player, (app) => app.snapshot.nowPlaying?.track)).toBe('third');
    await expect
      .poll(() => logRows(admin), { timeout: 15_000 })
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/First, "Live" · Café Band\s+Played 0:0[45] · played to the end/),
          expect.stringMatching(/Second Song · Café Band\s+Played 0:0[2-9] · skipped/),
          expect.stringMatching(/Skipped Second Song\s+Bar phone \(Staff\)/),
        ]),
      );
    // The phone that skipped is a staff phone, and says so.
    expect(await staff.title()).toBe('History Bar · Staff');
    expect(await staff.getByRole('heading', { level: 1 }).textContent()).toBe(
      'History Bar · Staff',
    );
    const rows = await logRows(admin);
    // Newest first: the skip and the skipped play come before the first play.
    expect(rows.findIndex((r) => r.includes('First, "Live"'))).toBeGreaterThan(
      rows.findIndex((r) => r.includes('Skipped Second Song')),
    );
  });

  it('an action made offline arrives after reconnecting, with the time it was made', async () => {
    await admin.context().setOffline(true);
    await admin.getByRole('tab', { name: 'Playing' }).click();
    const madeAt = Date.now();
    await admin.getByRole('button', { name: 'Pause' }).click();
    await admin.waitForTimeout(3_000);
    expect((await actions()).map((a) => a.what)).not.toContain('Paused Third Song');
    await admin.getByRole('tab', { name: 'Log' }).click();
    const back = Date.now();
    await admin.context().setOffline(false);
    await expect
      .poll(() => logRows(admin), { timeout: 20_000 })
      .toEqual(
        expect.arrayContaining([expect.stringMatching(/Paused Third Song\s+owner \(Admin\)/)]),
      );
    const paused = (await actions()).find((a) => a.what === 'Paused Third Song')!;
    expect(paused.at).toBeGreaterThanOrEqual(madeAt - 1_000);
    expect(paused.at).toBeLessThan(back - 2_000);
    // The Log shows it at the time it was made, not when it arrived.
    const shown = await admin
      .getByRole('listitem')
      .filter({ hasText: 'Paused Third Song' })
      .locator('time')
      .getAttribute('datetime');
    expect(Date.parse(shown!)).toBe(paused.at);
    // ... at the venue's time (VM32), as the schedule and the export tell it, wherever the phone is
    const zone = await inApp(admin, (app) => app.snapshot.settings.timeZone);
    const setZone = async (value: string) => {
      await admin.getByRole('tab', { name: 'Music' }).click();
      await admin.getByRole('combobox', { name: 'Time zone' }).selectOption(value);
      await admin.getByRole('tab', { name: 'Log' }).click();
    };
    await setZone('Asia/Tokyo');
    const [hour, minute] = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Tokyo',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .format(paused.at)
      .split(':');
    await expect
      .poll(() =>
        admin
          .getByRole('listitem')
          .filter({ hasText: 'Paused Third Song' })
          .locator('time')
          .innerText(),
      )
      .toMatch(new RegExp(`^0?${Number(hour)}.${minute}$`));
    await setZone(zone);
  });

  it('exports today’s plays as CSV: BOM, header, titles, seconds played, how each ended', async () => {
    const today = await admin.evaluate(`(() => {
      const d = new Date();
      return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
    })()`);
    // the fields start on last month (a licensing report); tonight's plays are one tap away
    const todayButton = admin.getByRole('button', { name: 'Today', exact: true });
    await expect.poll(() => todayButton.getAttribute('aria-pressed')).toBe('false');
    await todayButton.click();
    await expect.poll(() => todayButton.getAttribute('aria-pressed')).toBe('true');
    expect(await admin.getByLabel('From', { exact: true }).inputValue()).toBe(today);
    expect(await admin.getByLabel('To', { exact: true }).inputValue()).toBe(today);
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Export play history' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`History Bar plays ${today} to ${today}.csv`);
    const text = await readFile((await download.path())!, 'utf8');
    expect(
      text.startsWith('\uFEFFtitle,artist,album,isrc,started,seconds_played,ended_by\r\n'),
    ).toBe(true);
    const rows = text.slice(1).trimEnd().split('\r\n').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /^"First, ""Live""",Café Band,,,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d,[45],finished$/,
    );
    expect(rows[1]).toMatch(/^Second Song,Café Band,,,[^,]+,[2-9],skipped$/);
    await admin.getByRole('status').filter({ hasText: 'Exported 2 plays.' }).waitFor();
  });

  it('a play left open by a player that crashed is recorded as stopped when it was last heard', async () => {
    await admin.getByRole('tab', { name: 'Playing' }).click();
    await admin.getByRole('button', { name: 'Play', exact: true }).click();
    await expect
      .poll(async () => (await audioState(player)).paused, { timeout: 15_000 })
      .toBe(false);
    // Long enough for the open play to be kept after 5 s of sound in this stretch.
    const from = (await audioState(player)).currentTime;
    await expect
      .poll(async () => (await audioState(player)).currentTime, { timeout: 20_000 })
      .toBeGreaterThan(from + 6);
    const url = player.url();
    // A damaged copy beside it is forgotten, not recorded.
    await player.evaluate(`localStorage.setItem('djamms-open-play:${venueId}:damaged', '{"id":')`);
    // The renderer dies (as a frozen TV stick or a power cut ends it): no pagehide, no end.
    const crashed = new Promise((resolve) => player.once('crash', resolve));
    await player.goto('chrome://crash').catch(() => undefined);
    await crashed;
    const crashedAt = Date.now();
    const plays = async () => (await journal('play')).map((e) => e.data as PlayRecord);
    // Nothing was recorded on the way down.
    await admin.waitForTimeout(2_000);
    expect((await plays()).map((p) => p.track)).not.toContain('third');
    player = await player.context().newPage();
    await player.goto(url);
    await expect
      .poll(async () => (await plays()).find((p) => p.track === 'third'), { timeout: 20_000 })
      .toMatchObject({ title: 'Third Song', endedBy: 'stopped' });
    const third = (await plays()).find((p) => p.track === 'third')!;
    expect(third.seconds).toBeGreaterThanOrEqual(5);
    expect(third.ended).toBeLessThanOrEqual(crashedAt);
    expect(third.ended).toBeGreaterThan(crashedAt - 6_000);
    // The dead tab's copy and the damaged one are gone; the new player keeps only its own.
    const kept = (await player.evaluate(
      `Object.keys(localStorage).filter((k) => k.startsWith('djamms-open-play:'))`,
    )) as string[];
    expect(kept.length).toBeLessThanOrEqual(1);
    expect(kept).not.toContain(`djamms-open-play:${venueId}:damaged`);
    expect(
      await player.evaluate(`navigator.locks.query().then((s) => s.held.map((l) => l.name))`),
    ).toEqual(expect.arrayContaining(kept));
  }, 90_000);

  it('the Log tab has no axe violations', async () => {
    expect(await axeViolations(admin)).toEqual([]);
  });
});
