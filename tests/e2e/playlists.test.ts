/**
 * Issue 9, playlists as a bar owner uses them on a 390 px phone (the admin's Music tab): make one,
 * fill it from the library's search, reorder it by keyboard and by finger, star and rename it, load
 * it as the programme; import an M3U file through the file picker (a line the library lacks is
 * reported with its line), export M3U8 and JSON through the download, choose which playlists this
 * venue uses, and delete one after a second press.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wavWithInfo } from '@djamms/test-harness';
import {
  E2ERelay,
  addToneTracks,
  axeViolations,
  createVenueInApp,
  inApp,
  isFocused,
  launchChromium,
  programmeTracks,
  waitForPhase,
  type Browser,
  type Page,
} from './harness';

describe('e2e: playlists', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let admin: Page;
  let hashes: Record<string, string>;
  /** The track uploaded through the app, so the library knows the file it came from (VM30). */
  let africa: string;

  beforeAll(async () => {
    relay = await E2ERelay.start();
    browser = await launchChromium();
    const phone = { viewport: { width: 390, height: 844 }, hasTouch: true, acceptDownloads: true };
    const venue = await createVenueInApp(await browser.newContext(phone), relay, 'Playlist Bar');
    admin = venue.page;
    await waitForPhase(admin, 'saved-relay');
    hashes = await addToneTracks(admin, relay, venue.venueId, venue.token, [
      { id: 'queen', title: 'Dancing Queen', artist: 'ABBA', seconds: 2 },
      { id: 'brightside', title: 'Mr. Brightside', artist: 'The Killers', seconds: 2 },
      { id: 'halo', title: 'Halo', artist: 'Beyoncé', seconds: 2 },
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.dispose();
  });

  const section = () => admin.getByRole('region', { name: 'Playlists', exact: true });
  const items = (name: string) =>
    section()
      .getByRole('list', { name: `Tracks of ${name}` })
      .getByRole('listitem')
      .locator('.title')
      .allTextContents();
  const lists = () =>
    section()
      .getByRole('list', { name: 'Playlists of this venue' })
      .locator('.title')
      .allTextContents();
  const playlistNamed = (name: string) =>
    inApp(admin, (app, n) => app.library.playlists.find((l) => l.name === n), name);

  it('a file added through the app keeps the name a playlist file finds it by (VM30)', async () => {
    await admin.getByRole('tab', { name: 'Music' }).click();
    await admin.getByLabel('Add music files').setInputFiles({
      name: 'Africa.wav',
      mimeType: 'audio/wav',
      buffer: Buffer.from(wavWithInfo({ title: 'Africa', artist: 'Toto' }, 1)),
    });
    await expect
      .poll(() => inApp(admin, (app) => app.library.tracks.find((t) => t.title === 'Africa')), {
        timeout: 30_000,
      })
      .toMatchObject({ artist: 'Toto', file: 'Africa.wav' });
    africa = await inApp(admin, (app) => app.library.tracks.find((t) => t.title === 'Africa')!.id);
  });

  it('makes a playlist, fills it from the search, reorders, stars and renames it', async () => {
    await section().getByLabel('New playlist name').fill('Friday');
    await section().getByRole('button', { name: 'Create playlist' }).click();
    await expect.poll(() => section().getByRole('heading', { name: 'Friday' }).count()).toBe(1);
    const search = section().getByRole('searchbox', { name: 'Add tracks' });
    for (const [query, title] of [
      ['toto', 'Africa'],
      ['abba queen', 'Dancing Queen'],
      ['killers', 'Mr. Brightside'],
    ]) {
      await search.fill(query!);
      await section()
        .getByRole('button', { name: `Add ${title}` })
        .click();
    }
    await expect.poll(() => items('Friday')).toEqual(['Africa', 'Dancing Queen', 'Mr. Brightside']);
    // What the playlist holds already says so: a second tap would add it twice.
    expect(await section().getByRole('button', { name: 'Add again Mr. Brightside' }).count()).toBe(
      1,
    );

    // By keyboard: space picks Mr. Brightside up, two arrows up, space puts it down first.
    const handle = (title: string) =>
      section().getByRole('button', { name: new RegExp(`^Reorder ${title}:`) });
    await handle('Mr. Brightside').focus();
    for (const key of ['Space', 'ArrowUp', 'ArrowUp', 'Space']) await admin.keyboard.press(key);
    await expect.poll(() => items('Friday')).toEqual(['Mr. Brightside', 'Africa', 'Dancing Queen']);

    // By finger (a pointer): Africa's handle dragged below Dancing Queen.
    const from = (await handle('Africa').boundingBox())!;
    const to = (await handle('Dancing Queen').boundingBox())!;
    await admin.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await admin.mouse.down();
    await admin.mouse.move(to.x + to.width / 2, to.y + to.height, { steps: 5 });
    await admin.mouse.up();
    await expect.poll(() => items('Friday')).toEqual(['Mr. Brightside', 'Dancing Queen', 'Africa']);
    expect((await playlistNamed('Friday'))!.tracks).toEqual(['brightside', 'queen', africa]);

    // Removed again with ✕: the focus stays in the list, on the ✕ of the row above (the last row).
    await search.fill('halo');
    await section().getByRole('button', { name: 'Add Halo' }).click();
    await expect.poll(() => items('Friday')).toContain('Halo');
    await section().getByRole('button', { name: 'Remove Halo from the playlist' }).click();
    await expect.poll(() => items('Friday')).toEqual(['Mr. Brightside', 'Dancing Queen', 'Africa']);
    await expect
      .poll(() =>
        isFocused(section().getByRole('button', { name: 'Remove Africa from the playlist' })),
      )
      .toBe(true);

    const star = section().getByRole('button', { name: 'Star', exact: true });
    await expect.poll(() => star.getAttribute('aria-pressed')).toBe('false');
    await star.click();
    await expect.poll(() => star.getAttribute('aria-pressed')).toBe('true');
    await section().getByRole('textbox', { name: 'Name' }).fill('Friday night');
    await section().getByRole('button', { name: 'Rename' }).click();
    await expect
      .poll(() => section().getByRole('heading', { name: 'Friday night' }).count())
      .toBe(1);
    expect(await playlistNamed('Friday night')).toMatchObject({ starred: true });
    expect(await axeViolations(admin)).toEqual([]);
  });

  it('loads the playlist as the programme, replacing the one there', async () => {
    expect(await inApp(admin, (app) => app.venue.addToProgramme('halo').ok)).toBe(true);
    await expect
      .poll(() =>
        section()
          .getByText(/Replaces the whole programme \(now 1 track\)/)
          .count(),
      )
      .toBe(1);
    // A track banned here is marked in the playlist and does not count among what will play.
    expect(await inApp(admin, (app) => app.venue.banTrack('queen').ok)).toBe(true);
    const items = section().getByRole('list', { name: /Friday night/ });
    await expect
      .poll(() => items.getByRole('listitem').filter({ hasText: 'Banned here' }).count())
      .toBe(1);
    await section().getByRole('button', { name: 'Load as programme (2 tracks)' }).click();
    await expect
      .poll(() => admin.getByTestId('message').textContent())
      .toBe('Friday night is the programme now (2 tracks; 1 banned here will not play)');
    await expect.poll(() => programmeTracks(admin)).toEqual(['brightside', africa]);
    await admin.getByRole('tab', { name: 'Queue' }).click();
    const programme = admin.getByRole('list', { name: 'Programme' });
    await expect
      .poll(() => programme.locator('.title').allTextContents())
      .toEqual(['Mr. Brightside', 'Africa']);
    // Lifted, the ban lets the track play where the playlist put it.
    expect(await inApp(admin, (app) => app.venue.banTrack('queen', false).ok)).toBe(true);
    await expect.poll(() => programmeTracks(admin)).toEqual(['brightside', 'queen', africa]);
    await expect
      .poll(() => programme.locator('.title').allTextContents())
      .toEqual(['Mr. Brightside', 'Dancing Queen', 'Africa']);
    await admin.getByRole('tab', { name: 'Music' }).click();
    await section().getByRole('button', { name: 'Open Friday night' }).click();
  });

  it('exports M3U8 and JSON through the download, and the M3U8 imports back whole', async () => {
    const download = async (button: string) => {
      const [file] = await Promise.all([
        admin.waitForEvent('download'),
        section().getByRole('button', { name: button }).click(),
      ]);
      return { name: file.suggestedFilename(), text: await readFile((await file.path())!, 'utf8') };
    };
    const m3u8 = await download('Export M3U8');
    expect(m3u8.name).toBe('Friday night.m3u8');
    const africaHash = (await inApp(
      admin,
      (app, id) => app.library.tracks.find((t) => t.id === id)!.media.sha256,
      africa,
    ))!;
    expect(m3u8.text).toBe(
      [
        '#EXTM3U',
        '#PLAYLIST:Friday night',
        '#EXTINF:2,The Killers - Mr. Brightside',
        `${relay.url}/media/${hashes.brightside}`,
        '#EXTINF:2,ABBA - Dancing Queen',
        `${relay.url}/media/${hashes.queen}`,
        '#EXTINF:1,Toto - Africa',
        `${relay.url}/media/${africaHash}`,
        '',
      ].join('\n'),
    );
    const json = await download('Export JSON');
    expect(json.name).toBe('Friday night.json');
    expect(JSON.parse(json.text)).toMatchObject({
      kind: 'djamms-playlist',
      version: 1,
      name: 'Friday night',
      tracks: [
        {
          title: 'Mr. Brightside',
          artist: 'The Killers',
          media: `${relay.url}/media/${hashes.brightside}`,
        },
        { title: 'Dancing Queen', artist: 'ABBA' },
        { title: 'Africa', artist: 'Toto', file: 'Africa.wav' },
      ],
    });

    await section().getByRole('button', { name: 'Back to playlists' }).click();
    await expect.poll(lists).toEqual(['Friday night']);
    await importFile('Copy.m3u8', m3u8.text);
    await expect
      .poll(() => section().getByRole('status').textContent())
      .toContain('Imported Friday night: all 3 tracks found');
    const lists2 = await inApp(admin, (app) => app.library.playlists.map((l) => l.tracks));
    expect(lists2).toEqual([
      ['brightside', 'queen', africa],
      ['brightside', 'queen', africa],
    ]);
  });

  async function importFile(name: string, text: string) {
    const [chooser] = await Promise.all([
      admin.waitForEvent('filechooser'),
      section().getByRole('button', { name: 'Import a playlist file' }).click(),
    ]);
    await chooser.setFiles({ name, mimeType: 'audio/x-mpegurl', buffer: Buffer.from(text) });
  }

  it('imports an M3U through the file picker and reports the line the library lacks', async () => {
    await importFile(
      'Brunch.m3u',
      [
        '#EXTM3U',
        '#EXTINF:215,Toto - Africa',
        'C:\\Users\\Owner\\Music\\Toto\\Africa.wav',
        '#EXTINF:231,ABBA - Dancing Queen',
        'D:\\rips\\track02.mp3',
        '#EXTINF:200,Nobody - Not Here',
        'D:\\rips\\track03.mp3',
        '',
      ].join('\r\n'),
    );
    const report = section().getByRole('status');
    await expect
      .poll(() => report.textContent())
      .toContain('Imported Brunch: 2 tracks found, 1 not in the library');
    // Said in the report, not again in the console's toast that lay over the Import button.
    expect(await admin.getByTestId('message').textContent()).not.toContain('Imported');
    expect(
      await report
        .getByRole('list', { name: 'Not in the library' })
        .getByRole('listitem')
        .allTextContents(),
    ).toEqual(['Line 7: Nobody - Not Here · D:\\rips\\track03.mp3']);
    expect((await playlistNamed('Brunch'))!.tracks).toEqual([africa, 'queen']);
    await expect.poll(lists).toEqual(['Friday night', 'Friday night', 'Brunch']);
    expect(await axeViolations(admin)).toEqual([]);

    // Playlists reorder like their tracks: Brunch one up, by keyboard.
    await section()
      .getByRole('button', { name: /^Reorder Brunch:/ })
      .focus();
    for (const key of ['Space', 'ArrowUp', 'Space']) await admin.keyboard.press(key);
    await expect.poll(lists).toEqual(['Friday night', 'Brunch', 'Friday night']);
    expect(await inApp(admin, (app) => app.library.playlists.map((l) => l.name))).toEqual([
      'Friday night',
      'Brunch',
      'Friday night',
    ]);

    // A file that is not a playlist is refused, and nothing is made.
    await importFile('notes.m3u8', '#EXTM3U\n#EXTINF:abc,Broken\nx.mp3\n');
    await expect
      .poll(() => report.textContent())
      .toContain(
        'Not imported: an #EXTINF line needs the length in seconds, a comma, then the title (line 2)',
      );
    expect(await inApp(admin, (app) => app.library.playlists.length)).toBe(3);
    await section().getByRole('button', { name: 'Close the report' }).click();
  });

  it('this venue shows the playlists it uses; another is shown on asking; delete asks twice', async () => {
    const tracks = await inApp(admin, (app) => app.library.tracks.length);
    await section().getByRole('button', { name: 'Open Brunch' }).click();
    // Back to the list, focus returns to the playlist's Open button, not to the page's body.
    await section().getByRole('button', { name: 'Back to playlists' }).click();
    await expect
      .poll(() => isFocused(section().getByRole('button', { name: 'Open Brunch' })))
      .toBe(true);
    await section().getByRole('button', { name: 'Open Brunch' }).click();
    await section().getByRole('checkbox', { name: 'Use at this venue' }).uncheck();
    await section().getByRole('button', { name: 'Back to playlists' }).click();
    await expect.poll(lists).toEqual(['Friday night', 'Friday night']);
    const brunch = (await playlistNamed('Brunch'))!;
    expect(await inApp(admin, (app) => app.snapshot.playlists)).not.toContain(brunch.id);
    await section().getByRole('checkbox', { name: 'Show all of the library’s playlists' }).check();
    await expect.poll(lists).toEqual(['Friday night', 'Brunch', 'Friday night']);
    await expect
      .poll(() =>
        section()
          .getByRole('listitem')
          .filter({ hasText: 'Brunch' })
          .getByText('Not used here')
          .count(),
      )
      .toBe(1);
    // The marks beside a playlist are words of their own to a screen reader, not "tracksStarred".
    const rows = await section()
      .getByRole('list', { name: 'Playlists of this venue' })
      .ariaSnapshot();
    expect(rows).toMatch(/3 tracks ?, Starred/);
    expect(rows).toMatch(/2 tracks ?, Not used here/);

    await section().getByRole('button', { name: 'Open Brunch' }).click();
    await section().getByRole('button', { name: 'Delete Brunch' }).click();
    await expect
      .poll(() => section().getByText('Delete Brunch? Its tracks stay in the library.').count())
      .toBe(1);
    await section().getByRole('button', { name: 'Keep it' }).click();
    expect(await playlistNamed('Brunch')).toBeTruthy();
    // kept: the focus is back on Delete, where the question came from
    expect(await isFocused(section().getByRole('button', { name: 'Delete Brunch' }))).toBe(true);
    await section().getByRole('button', { name: 'Delete Brunch' }).click();
    await section().getByRole('button', { name: 'Delete playlist' }).click();
    await expect.poll(lists).toEqual(['Friday night', 'Friday night']);
    // The deleted playlist's buttons are gone: focus goes to the list's heading.
    expect(
      await isFocused(section().getByRole('heading', { name: 'Playlists', exact: true })),
    ).toBe(true);
    expect(await playlistNamed('Brunch')).toBeUndefined();
    expect(await inApp(admin, (app) => app.library.tracks.length)).toBe(tracks);
    expect(await axeViolations(admin)).toEqual([]);
  });
});
