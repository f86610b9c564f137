/**
 * Issue 9, backup and restore: an admin backs up a venue from Settings (a download), restores it
 * over the venue after changes (typing the venue's name to confirm), and restores it as a new venue
 * from the home page of a browser with nothing stored, on a relay with a fresh data directory: the
 * same name, programme, playlists, library and settings, with the songs whose files that relay
 * lacks listed as missing. Damaged and foreign files are refused and change nothing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToneTracks,
  axeViolations,
  closeVenue,
  E2ERelay,
  expectVenueName,
  inApp,
  isFocused,
  launchChromium,
  openVenue,
  programmeTracks,
  waitForPhase,
  waitForServiceWorker,
  type Browser,
  type Page,
} from './harness';

const SHOTS = '/tmp/scratch-backup';
const TRACKS = [
  { id: 'tFirst', title: 'First Round', seconds: 2 },
  { id: 'tLast', title: 'Last Orders', seconds: 2 },
  { id: 'tTaxi', title: 'Taxi Home', seconds: 2 },
];

/** What this journey compares before and after a restore: what an admin sees of the venue. */
const venueView = (page: Page) =>
  inApp(page, (app) => {
    const lib = app.library as unknown as {
      tracks: { id: string; title: string }[];
      playlists: { name: string; tracks: string[] }[];
    };
    const s = app.snapshot as unknown as { settings: { requestsPerGuest: number; volume: number } };
    return {
      name: app.snapshot.meta.name,
      programme: app.snapshot.programme.entries.map((e) => e.track),
      tracks: lib.tracks.map((t) => t.title).sort(),
      playlists: lib.playlists.map((p) => ({ name: p.name, tracks: p.tracks })),
      requestsPerGuest: s.settings.requestsPerGuest,
      volume: s.settings.volume,
    };
  });

describe('e2e: backing up and restoring a venue', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let admin: Page;
  let backupFile = '';
  let before: Awaited<ReturnType<typeof venueView>>;

  beforeAll(async () => {
    const opened = await openVenue('The Backup Bar');
    ({ relay, browser, page: admin } = opened);
    await addToneTracks(admin, relay, opened.venueId, opened.token, TRACKS);
    const ok = await inApp(admin, (app) => {
      const lib = app.libraryModel as unknown as {
        createPlaylist(name: string): { ok: boolean; value: string };
        addToPlaylist(id: string, tracks: string[]): { ok: boolean };
      };
      const venue = app.venue as unknown as { loadPlaylist(tracks: string[]): { ok: boolean } };
      const list = lib.createPlaylist('Friday Night');
      return (
        list.ok &&
        lib.addToPlaylist(list.value, ['tLast', 'tFirst']).ok &&
        venue.loadPlaylist(['tFirst', 'tLast', 'tTaxi']).ok &&
        app.venue.setSetting('requestsPerGuest', 5).ok &&
        app.venue.setSetting('volume', 42).ok
      );
    });
    expect(ok).toBe(true);
    await waitForPhase(admin, 'saved-relay');
    before = await venueView(admin);
  }, 300_000);

  afterAll(() => closeVenue(browser, relay));

  it('an admin downloads a backup from Settings', async () => {
    await admin.getByRole('tab', { name: 'Settings' }).click();
    const download = admin.waitForEvent('download');
    await admin.getByRole('button', { name: 'Back up this venue' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^the-backup-bar-\d{4}-\d{2}-\d{2}\.djamms-backup$/);
    backupFile = join(SHOTS, file.suggestedFilename());
    await file.saveAs(backupFile);
    const saved = JSON.parse(await readFile(backupFile, 'utf8')) as { format: string };
    expect(saved.format).toBe('djamms-venue-backup');
    await expect
      .poll(() => admin.getByRole('status').allTextContents())
      .toContainEqual(expect.stringContaining('Saved the-backup-bar-'));
  });

  /** Chooses a file through the Restore button, as a person does. */
  async function restoreFrom(file: string | { name: string; mimeType: string; buffer: Buffer }) {
    const [chooser] = await Promise.all([
      admin.waitForEvent('filechooser'),
      admin.getByRole('button', { name: 'Restore from a backup file' }).click(),
    ]);
    await chooser.setFiles(file);
  }

  it('a damaged or foreign file is refused in words and changes nothing', async () => {
    const text = await readFile(backupFile, 'utf8');
    await restoreFrom({
      name: 'cut.djamms-backup',
      mimeType: 'application/json',
      buffer: Buffer.from(text.slice(0, text.length / 2)),
    });
    await expect
      .poll(() => admin.getByRole('alert').allTextContents())
      .toContainEqual(expect.stringContaining('damaged or incomplete'));
    await restoreFrom({
      name: 'song.mp3',
      mimeType: 'audio/mpeg',
      buffer: Buffer.from('ID3 not a backup'),
    });
    await expect
      .poll(() => admin.getByRole('alert').allTextContents())
      .toContainEqual(expect.stringContaining('not a DJAMMS venue backup'));
    expect(await admin.getByRole('button', { name: /Replace this venue/ }).count()).toBe(0);
    expect(await venueView(admin)).toEqual(before);
  });

  it('restoring over the venue names what it replaces, waits for the venue name, and brings the backup back', async () => {
    const changed = await inApp(admin, (app) => {
      const venue = app.venue as unknown as { loadPlaylist(tracks: string[]): { ok: boolean } };
      return venue.loadPlaylist(['tTaxi']).ok && app.venue.setSetting('volume', 90).ok;
    });
    expect(changed).toBe(true);
    expect(await programmeTracks(admin)).toEqual(['tTaxi']);
    await restoreFrom(backupFile);
    const warning = admin.getByRole('group', { name: /Restoring replaces everything/ });
    expect(await warning.textContent()).toContain(
      'the programme, the requests waiting, the playlists, settings',
    );
    const replace = warning.getByRole('button', { name: 'Replace this venue with the backup' });
    expect(await replace.isDisabled()).toBe(true);
    await warning.getByLabel(/Type the venue name/).fill('The Backup');
    expect(await replace.isDisabled()).toBe(true);
    await admin.setViewportSize({ width: 390, height: 844 });
    await warning.scrollIntoViewIfNeeded();
    await admin.screenshot({ path: join(SHOTS, 'restore-over-390.png'), fullPage: false });
    expect(await axeViolations(admin)).toEqual([]);
    // typed as a phone types it: the case and spaces are a person's own (confirmsName)
    await warning.getByLabel(/Type the venue name/).fill('the backup  bar ');
    await replace.click();
    await expect.poll(() => programmeTracks(admin)).toEqual(before.programme);
    // the question closes and the focus is back on the button that asked it
    expect(await isFocused(admin.getByRole('button', { name: 'Restore from a backup file' }))).toBe(
      true,
    );
    expect(await venueView(admin)).toEqual(before);
    await waitForPhase(admin, 'saved-relay');
  });

  it('a browser with nothing stored restores it as a new venue on a fresh relay, the missing song files listed', async () => {
    const fresh = await E2ERelay.start();
    const other = await launchChromium();
    try {
      const context = await other.newContext({ viewport: { width: 390, height: 844 } });
      const home = await context.newPage();
      await home.goto(fresh.url + '/');
      await waitForServiceWorker(home);
      const region = home.getByRole('region', { name: 'Restore a venue from a backup' });
      await region.getByLabel('Backup file').setInputFiles(backupFile);
      await region.getByLabel('The relay’s operator key').fill(await fresh.operatorKey());
      await region.getByRole('button', { name: 'Restore' }).click();
      const status = region.getByRole('status');
      await expect.poll(() => status.textContent(), { timeout: 20_000 }).toContain('Restored');
      const said = await status.textContent();
      // The relay's demo music is in the library too: none of it was made on this relay yet.
      expect(said).toContain(`${before.tracks.length} songs’ files are not on this relay`);
      for (const t of TRACKS) expect(said).toContain(t.title);
      await home.screenshot({ path: join(SHOTS, 'restore-new-390.png'), fullPage: true });
      expect(await axeViolations(home)).toEqual([]);
      await region.getByRole('link', { name: 'Open The Backup Bar' }).click();
      await home.waitForURL(/\/v\/[^/]+\/admin$/);
      await expectVenueName(home, 'The Backup Bar');
      await waitForPhase(home, 'saved-relay');
      expect(await venueView(home)).toEqual(before);
      // What the relay holds is the restored venue: a reload from the relay alone shows it too.
      const again = await (await other.newContext()).newPage();
      const token = await inApp(home, (app) => app.credential.token);
      const venueId = await inApp(home, (app) => app.credential.venueId);
      const { code } = (await (
        await fetch(`${fresh.url}/api/venues/${venueId}/pairing-codes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ role: 'admin' }),
        })
      ).json()) as { code: string };
      await again.goto(`${fresh.url}/pair/${code}`);
      await again.waitForURL(new RegExp(`/v/${venueId}/`));
      await expect
        .poll(() => venueView(again).catch(() => null), { timeout: 20_000 })
        .toEqual(before);
    } finally {
      await other.close();
      await fresh.dispose();
    }
  });
});
