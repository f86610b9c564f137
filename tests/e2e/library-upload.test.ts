/**
 * Issue 9, media in: an admin adds real tagged files through the file input and by drag and drop,
 * and sees their title, artist, album and cover in the library; the same file again is one track;
 * a damaged file, a file that is not music and a file larger than the relay takes are refused with
 * a message; a file chosen while the relay is away waits, survives a reload, and is added when the
 * relay is back. Tracks are edited afterwards (title, explicit, banned here).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientPng, taggedMp3, wavWithInfo, type MediaTags } from '@djamms/test-harness';
import {
  axeViolations,
  closeVenue,
  inApp,
  isFocused,
  openVenue,
  waitForPhase,
  type Browser,
  type E2ERelay,
  type Page,
} from './harness';
import { ROOT } from '../../web/scripts/build-if-stale';

// Page-side globals used below (this file is checked with Node's lib only).
declare const DataTransfer: new () => { items: { add(file: unknown): void } };
declare const File: new (parts: unknown[], name: string, options: { type: string }) => unknown;

const cover = gradientPng(64, [255, 140, 0], [110, 20, 170]);
const lastOrders: MediaTags = {
  title: 'Lock-In',
  artist: 'The Regulars',
  album: 'Closing Time',
  track: '3/12',
  isrc: 'GB-AYE-25-00001',
  cover,
};
const mp3 = Buffer.from(taggedMp3(lastOrders, 2));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The relay takes media up to this many bytes here, so "too large" can be shown small. */
const MAX_MEDIA = 200_000;

const uploadRow = (page: Page, text: string) =>
  page
    .getByRole('list', { name: 'Files being added' })
    .getByRole('listitem')
    .filter({ hasText: text });
const libraryRow = (page: Page, text: string) =>
  page
    .getByRole('list', { name: 'Tracks in the library' })
    .getByRole('listitem')
    .filter({ hasText: text });
const tracksTitled = (page: Page, title: string) =>
  inApp(page, (app, t) => app.library.tracks.filter((x) => x.title === t), title);

describe('e2e: music into the library', () => {
  let relay: E2ERelay;
  let browser: Browser;
  let admin: Page;

  beforeAll(async () => {
    ({
      relay,
      browser,
      page: admin,
    } = await openVenue('Upload Bar', ['--max-media', String(MAX_MEDIA)]));
    await admin.getByRole('tab', { name: 'Music' }).click();
  }, 90_000);

  afterAll(() => closeVenue(browser, relay));

  it('a tagged MP3 chosen in the picker is added with its title, artist, album, track number, ISRC and cover', async () => {
    await admin
      .getByLabel('Add music files')
      .setInputFiles({ name: 'lock-in.mp3', mimeType: 'audio/mpeg', buffer: mp3 });
    await expect
      .poll(() => uploadRow(admin, 'Lock-In').textContent(), { timeout: 20_000 })
      .toContain('Added');
    expect(await libraryRow(admin, 'Lock-In').textContent()).toContain(
      'The Regulars · Closing Time',
    );
    const [track] = await tracksTitled(admin, 'Lock-In');
    expect(track).toMatchObject({
      artist: 'The Regulars',
      album: 'Closing Time',
      trackNumber: 3,
      isrc: 'GBAYE2500001',
      explicit: false,
      media: { sha256: sha256(mp3), type: 'audio/mpeg' },
      artwork: { sha256: sha256(cover), type: 'image/png' },
    });
    expect(track!.durationMs).toBeGreaterThan(1900);
    // The cover is the file's own, served by the relay.
    const art = libraryRow(admin, 'Lock-In').locator('img');
    expect(await art.getAttribute('src')).toBe(`${relay.url}/media/${sha256(cover)}`);
    await expect
      .poll(() => art.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(64);
  });

  it('the same file again, under another name, is one track: "already in the library"', async () => {
    await admin
      .getByLabel('Add music files')
      .setInputFiles({ name: 'Copy of lock-in.mp3', mimeType: 'audio/mpeg', buffer: mp3 });
    await expect
      .poll(() => admin.locator('[data-state=already]').textContent(), { timeout: 20_000 })
      .toContain('Already in the library');
    expect(await tracksTitled(admin, 'Lock-In')).toHaveLength(1);
  });

  it('a damaged file, a file that is not music and a file larger than the relay takes are refused, and nothing is added', async () => {
    const before = await inApp(admin, (app) => app.library.tracks.length);
    const big = Buffer.from(wavWithInfo({ title: 'Long Set' }, 20));
    expect(big.length).toBeGreaterThan(MAX_MEDIA);
    await admin.getByLabel('Add music files').setInputFiles([
      {
        name: 'broken.mp3',
        mimeType: 'audio/mpeg',
        buffer: Buffer.from('not music at all. '.repeat(50)),
      },
      { name: 'setlist.txt', mimeType: 'text/plain', buffer: Buffer.from('1. Lock-In') },
      { name: 'long-set.wav', mimeType: 'audio/wav', buffer: big },
    ]);
    await expect
      .poll(() => uploadRow(admin, 'broken.mp3').textContent(), { timeout: 20_000 })
      .toContain('Not added: the file is damaged or cannot be played');
    await expect
      .poll(() => uploadRow(admin, 'setlist.txt').textContent())
      .toContain('Not added: not an audio or video file');
    await expect
      .poll(() => uploadRow(admin, 'Long Set').textContent(), { timeout: 20_000 })
      .toContain('Not added: larger than the relay accepts');
    expect(await inApp(admin, (app) => app.library.tracks.length)).toBe(before);
  });

  it('a file dropped on the library section is added', async () => {
    const bytes = [...taggedMp3({ title: 'Happy Hour', artist: 'The Regulars' }, 1)];
    const data = await admin.evaluateHandle((b) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(b)], 'happy-hour.mp3', { type: 'audio/mpeg' }));
      return transfer;
    }, bytes);
    await admin
      .getByRole('region', { name: 'Library', exact: true })
      .dispatchEvent('drop', { dataTransfer: data });
    await expect
      .poll(() => uploadRow(admin, 'Happy Hour').textContent(), { timeout: 20_000 })
      .toContain('Added');
    expect(await tracksTitled(admin, 'Happy Hour')).toHaveLength(1);
  });

  it('a file chosen while the relay is away waits, is still there after a reload, and is added when the relay is back', async () => {
    const wav = Buffer.from(
      wavWithInfo({ title: 'Night Bus', artist: 'The Regulars', album: 'Closing Time' }, 1),
    );
    await relay.down();
    await admin
      .getByLabel('Add music files')
      .setInputFiles({ name: 'night-bus.wav', mimeType: 'audio/wav', buffer: wav });
    await expect
      .poll(() => uploadRow(admin, 'Night Bus').textContent(), { timeout: 20_000 })
      .toContain('Waiting for the network');
    expect(
      await admin.getByRole('status').filter({ hasText: 'waits for the network' }).textContent(),
    ).toContain(
      'kept on this device and uploads by itself when the relay is back, even after this page is closed',
    );
    await admin.reload();
    await expect
      .poll(() => uploadRow(admin, 'Night Bus').textContent(), { timeout: 20_000 })
      .toMatch(/From your last visit.*Waiting for the network/);
    await relay.up();
    await expect
      .poll(() => uploadRow(admin, 'Night Bus').textContent(), { timeout: 40_000 })
      .toContain('Added');
    expect(await tracksTitled(admin, 'Night Bus')).toMatchObject([
      { artist: 'The Regulars', album: 'Closing Time', durationMs: 1000 },
    ]);
    await waitForPhase(admin, 'saved-relay');
  });

  it('a track is edited afterwards: title, explicit, and never played at this venue', async () => {
    const [track] = await tracksTitled(admin, 'Lock-In');
    await libraryRow(admin, 'Lock-In').getByRole('button', { name: 'Edit Lock-In' }).click();
    const form = admin.getByRole('form', { name: 'Edit Lock-In' });
    // A title of spaces passes the browser's `required`: the form says what is missing, there.
    await form.getByLabel('Title').fill('   ');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('alert').filter({ hasText: 'A track needs a title' }).waitFor();
    expect(await form.getByLabel('Title').getAttribute('aria-invalid')).toBe('true');
    expect(await isFocused(form.getByLabel('Title'))).toBe(true);
    await form.getByLabel('Title').fill('Lock-In (Live)');
    await form.getByLabel('Explicit lyrics').check();
    await form.getByLabel('Never play at this venue').check();
    expect(await axeViolations(admin)).toEqual([]);
    await form.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => libraryRow(admin, 'Lock-In (Live)').textContent())
      .toMatch(/Explicit.*Banned here/);
    const after = await inApp(
      admin,
      (app, id) => ({
        track: app.library.tracks.find((t) => t.id === id),
        banned: app.snapshot.bans.includes(id),
      }),
      track!.id,
    );
    expect(after).toMatchObject({
      track: {
        title: 'Lock-In (Live)',
        explicit: true,
        isrc: 'GBAYE2500001',
        artwork: track!.artwork,
      },
      banned: true,
    });
  });

  it('a track is edited by keyboard alone: Save and Cancel put the focus back on its Edit button', async () => {
    const edit = libraryRow(admin, 'Lock-In (Live)').getByRole('button', {
      name: 'Edit Lock-In (Live)',
    });
    const form = admin.getByRole('form', { name: 'Edit Lock-In (Live)' });
    await edit.focus();

    // Cancel: seven Tabs (title, artist, album, two boxes, Save, Cancel), then Enter.
    await admin.keyboard.press('Enter');
    await form.waitFor();
    for (let i = 0; i < 7; i++) await admin.keyboard.press('Tab');
    expect(await isFocused(form.getByRole('button', { name: 'Cancel' }))).toBe(true);
    await admin.keyboard.press('Enter');
    await form.waitFor({ state: 'detached' });
    expect(await isFocused(edit)).toBe(true);

    // Save: Tab to Explicit, space clears it, Enter saves.
    await admin.keyboard.press('Enter');
    await form.waitFor();
    for (let i = 0; i < 4; i++) await admin.keyboard.press('Tab');
    expect(await isFocused(form.getByLabel('Explicit lyrics'))).toBe(true);
    await admin.keyboard.press('Space');
    await admin.keyboard.press('Enter');
    await form.waitFor({ state: 'detached' });
    expect((await tracksTitled(admin, 'Lock-In (Live)'))[0]).toMatchObject({ explicit: false });
    expect(await isFocused(edit)).toBe(true);
  });

  it('a track is removed from the library after a second press; Keep it keeps it', async () => {
    await libraryRow(admin, 'Happy Hour').getByRole('button', { name: 'Edit Happy Hour' }).click();
    const form = admin.getByRole('form', { name: 'Edit Happy Hour' });
    const remove = form.getByRole('button', { name: 'Remove from the library' });
    await remove.click();
    const question = form.getByRole('group', { name: 'Remove from the library' });
    await question.getByText('Remove Happy Hour from the library?').waitFor();
    expect(await isFocused(question.getByRole('button', { name: 'Keep it' }))).toBe(true);
    expect(await axeViolations(admin)).toEqual([]);
    await question.getByRole('button', { name: 'Keep it' }).click();
    expect(await isFocused(remove)).toBe(true);
    expect(await tracksTitled(admin, 'Happy Hour')).toHaveLength(1);

    await remove.click();
    await question.getByRole('button', { name: 'Remove it' }).click();
    await form.waitFor({ state: 'detached' });
    await admin.getByText('Removed Happy Hour from the library').waitFor();
    expect(await tracksTitled(admin, 'Happy Hour')).toHaveLength(0);
    expect(await libraryRow(admin, 'Happy Hour').count()).toBe(0);
    // the focus is not lost with the row: it is on the search field above the list
    expect(await isFocused(admin.getByRole('searchbox', { name: 'Find a track' }))).toBe(true);
  });

  it('the tag reader is loaded on demand: no screen imports it up front and no device precaches it', () => {
    type Chunk = { file: string; name?: string; imports?: string[]; dynamicImports?: string[] };
    const manifest = JSON.parse(
      readFileSync(join(ROOT, '.svelte-kit/output/client/.vite/manifest.json'), 'utf8'),
    ) as Record<string, Chunk>;
    const statics = (key: string, seen = new Set<string>()): Set<string> => {
      if (!seen.has(key)) {
        seen.add(key);
        manifest[key]?.imports?.forEach((k) => statics(k, seen));
      }
      return seen;
    };
    const reader = Object.keys(manifest).filter((k) => manifest[k]!.name === 'tag-reader');
    const parsers = Object.keys(manifest).filter((k) => k.includes('node_modules/music-metadata/'));
    expect(reader).toHaveLength(1);
    const onDemand = new Set([...reader, ...parsers]);
    for (const key of Object.keys(manifest).filter((k) => /nodes\/\d+\.js$/.test(k))) {
      expect(
        [...statics(key)].filter((k) => onDemand.has(k)),
        key,
      ).toEqual([]);
    }
    const worker = readFileSync(join(ROOT, 'build/service-worker.js'), 'utf8');
    expect([...onDemand].map((k) => manifest[k]!.file).filter((f) => worker.includes(f))).toEqual(
      [],
    );
  });
});
