/**
 * End-to-end harness: the production build served by a real relay (a child process on a fixed
 * free port, so a restart keeps the page's origin), driven by headless Chromium through
 * playwright-core. Point it at another browser with CHROMIUM_PATH.
 */
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type CDPSession,
  type Locator,
  type Page,
} from 'playwright-core';
import { freePort, killChild, startChildRelay, type ChildRelay } from '../relay/child-relay';
import { buildIfStale, ROOT } from '../../web/scripts/build-if-stale';

// Functions passed to page.evaluate run in the page. This file is checked with Node's lib only (a
// DOM lib would change the types of the relay's tests), so the few page globals are declared here,
// module-scoped.
declare const window: unknown;
declare const document: {
  querySelector(selector: string): {
    textContent: string | null;
    getAttribute(name: string): string | null;
  } | null;
  activeElement: unknown;
};
declare const navigator: { serviceWorker: { controller: unknown } };
declare const caches: {
  open(
    name: string,
  ): Promise<{ match(url: string): Promise<{ blob(): Promise<Blob> } | undefined> }>;
};
declare const indexedDB: {
  open(name: string): {
    result: PageDb;
    error: unknown;
    onsuccess: (() => void) | null;
    onerror: (() => void) | null;
  };
};
interface PageDb {
  transaction(
    store: string,
    mode: string,
  ): {
    objectStore(name: string): {
      get(key: string): { result: unknown; onsuccess: (() => void) | null };
      put(value: unknown, key: string): void;
    };
  };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/** A relay serving build/ that can be stopped and started again on the same port. */
export class E2ERelay {
  child: ChildRelay | null = null;
  private constructor(
    readonly port: number,
    readonly dataDir: string,
    /** Further relay flags, e.g. `['--max-media', '200000']`. */
    readonly flags: string[],
  ) {}

  static async start(flags: string[] = []): Promise<E2ERelay> {
    buildIfStale();
    const dir = await mkdtemp(join(tmpdir(), 'djamms-e2e-'));
    const relay = new E2ERelay(await freePort(), dir, flags);
    await relay.up();
    return relay;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async up() {
    this.child = await startChildRelay([
      '--port',
      String(this.port),
      '--data',
      this.dataDir,
      '--static',
      join(ROOT, 'build'),
      ...this.flags,
    ]);
  }

  /** Stops the relay: the network is gone for every page (WebSockets included). */
  async down() {
    if (this.child) await killChild(this.child, 'SIGTERM');
    this.child = null;
  }

  operatorKey() {
    return readFile(join(this.dataDir, 'operator-key'), 'utf8').then((k) => k.trim());
  }

  async dispose() {
    await this.down();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** Calls the relay's API from the test. */
export async function api<T>(
  relay: E2ERelay,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined && !(body instanceof Uint8Array))
    headers['content-type'] = 'application/json';
  if (body instanceof Uint8Array) headers['content-type'] = 'audio/wav';
  const res = await fetch(relay.url + path, {
    method,
    headers,
    body:
      body === undefined
        ? undefined
        : body instanceof Uint8Array
          ? new Blob([body as Uint8Array<ArrayBuffer>])
          : JSON.stringify(body),
  });
  const parsed = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

/** A mono 16-bit PCM WAV of a sine tone, written by code (no fixture file). */
export function toneWav(seconds: number, rate = 8000, hz = 440): Uint8Array {
  const samples = Math.round(seconds * rate);
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 8000), 44 + i * 2);
  }
  return new Uint8Array(buf);
}

/** A track to put in a venue's library: its media is a tone of `seconds`. */
export interface ToneTrack {
  id: string;
  title: string;
  artist?: string;
  seconds: number;
  explicit?: boolean;
}

/**
 * Uploads each track's tone to the relay and puts the track in the library from `admin` (a page
 * of an admin device). Answers the media hashes by track id.
 */
export async function addToneTracks(
  admin: Page,
  relay: E2ERelay,
  venueId: string,
  token: string,
  tracks: ToneTrack[],
): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const [i, t] of tracks.entries()) {
    const { sha256 } = await api<{ sha256: string }>(
      relay,
      'POST',
      `/api/venues/${venueId}/media`,
      token,
      toneWav(t.seconds, 8000, 220 + 40 * i),
    );
    hashes[t.id] = sha256;
    const put = await inApp(
      admin,
      (app, a) =>
        app.libraryModel.putTrack({
          id: a.id,
          title: a.title,
          artist: a.artist ?? '',
          album: '',
          durationMs: a.seconds * 1000,
          media: { sha256: a.sha256, type: 'audio/wav' },
          explicit: a.explicit ?? false,
        }).ok,
      { ...t, sha256 },
    );
    if (!put) throw new Error(`could not put track ${t.id}`);
  }
  return hashes;
}

/**
 * Creates a venue through the home page, as an owner would; answers the admin page and venue id.
 * A new venue comes with the relay's demo music as its programme; unless `keepDemo`, the journey
 * empties the programme first (as a bar loading its own music would), so it starts from nothing.
 */
export async function createVenueInApp(
  context: BrowserContext,
  relay: E2ERelay,
  name: string,
  { keepDemo = false } = {},
): Promise<{ page: Page; venueId: string; token: string }> {
  const page = await context.newPage();
  await page.goto(relay.url + '/');
  await waitForServiceWorker(page);
  await page.getByLabel('Venue name').fill(name);
  await page.getByLabel('Relay operator key').fill(await relay.operatorKey());
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/v\/[^/]+\/admin$/);
  await expectVenueName(page, name);
  const venueId = new URL(page.url()).pathname.split('/')[2]!;
  const token = await page.evaluate(() => (window as unknown as Djamms).djamms.credential.token);
  if (!keepDemo && !(await inApp(page, (app) => app.venue.clearProgramme().ok))) {
    throw new Error('could not empty the demo programme');
  }
  return { page, venueId, token };
}

/** A phone as the admin and staff screens are tested on: 390 × 844, touch. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  hasTouch: true,
};

/**
 * A relay (with `flags`), a browser and a venue created in the app (on a device as `device` says)
 * whose admin page has reached the relay: what most journeys start from. Close with
 * {@link closeVenue}.
 */
export async function openVenue(
  name: string,
  flags: string[] = [],
  device: BrowserContextOptions = {},
) {
  const relay = await E2ERelay.start(flags);
  const browser = await launchChromium();
  const venue = await createVenueInApp(await browser.newContext(device), relay, name);
  await waitForPhase(venue.page, 'saved-relay');
  return { relay, browser, ...venue };
}

/** Closes what {@link openVenue} opened (either may be missing if the setup failed). */
export async function closeVenue(browser: Browser | undefined, relay: E2ERelay | undefined) {
  await browser?.close();
  await relay?.dispose();
}

/** Pairs a new device (context) with a role, and a name when given, through /pair/<code>. */
export async function pairInApp(
  context: BrowserContext,
  relay: E2ERelay,
  venueId: string,
  adminToken: string,
  role: 'admin' | 'staff' | 'player' | 'kiosk' | 'viewer',
  withServiceWorker = true,
  name = '',
): Promise<Page> {
  const { code } = await api<{ code: string }>(
    relay,
    'POST',
    `/api/venues/${venueId}/pairing-codes`,
    adminToken,
    name ? { role, name } : { role },
  );
  const page = await context.newPage();
  await page.goto(`${relay.url}/pair/${code}`);
  await page.waitForURL(new RegExp(`/v/${venueId}/`));
  if (withServiceWorker) await waitForServiceWorker(page);
  return page;
}

/** Pairs a player as a TV (1920×1080) and waits until it plays the venue's programme. */
export async function openPlayingTv(
  browser: Browser,
  relay: E2ERelay,
  venueId: string,
  adminToken: string,
): Promise<Page> {
  const tv = await pairInApp(await browser.newContext(), relay, venueId, adminToken, 'player');
  await tv.setViewportSize({ width: 1920, height: 1080 });
  await tv.waitForFunction(
    () => (window as unknown as Djamms).djamms.snapshot.nowPlaying?.state === 'playing',
    null,
    { timeout: 20_000 },
  );
  return tv;
}

/** Waits until a service worker controls the page (it claims clients on first install). */
export async function waitForServiceWorker(page: Page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: 20_000,
  });
}

export function expectVenueName(page: Page, name: string) {
  return page.waitForFunction(
    (n) => document.querySelector('[data-testid=venue-name]')?.textContent === n,
    name,
  );
}

/** The test's view of the app's debugging handle (window.djamms). */
export type Djamms = {
  djamms: {
    writer: string;
    credential: { token: string; venueId: string; role: string; deviceId: string };
    snapshot: {
      meta: { name: string };
      programme: { entries: { id: string; track: string }[] };
      lane: { id: string; track: string; votes: number }[];
      settings: { volume: number; timeZone: string };
      nowPlaying: { entry: string; track: string; state: string; stoppedBy?: string } | null;
      activePlayer: string | null;
      players: { writer: string; clock: { why: string; ms: number } | null }[];
      intents: { id: string; kind: string; status: string }[];
      problems: { where: string; what: string }[];
      bans: string[];
      playlists: string[];
      failures: { track: string; why: string }[];
    };
    library: {
      tracks: {
        id: string;
        title: string;
        artist: string;
        album: string;
        durationMs: number;
        explicit: boolean;
        trackNumber?: number;
        isrc?: string;
        media: { sha256?: string; type: string };
        artwork?: { sha256?: string; type: string };
        file?: string;
      }[];
      gallery: { id: string; caption: string }[];
      playlists: { id: string; name: string; starred: boolean; tracks: string[] }[];
    };
    venue: {
      addToProgramme(track: string): { ok: boolean };
      clearProgramme(): { ok: boolean };
      playNext(track: string): { ok: boolean };
      upNext(n: number): { track: string }[];
      snapshot(): { nowPlaying: { positionMs: number } | null };
      sendIntent(kind: string, target?: { entry?: string }): { ok: boolean; value?: string };
      setSetting(name: string, value: unknown): { ok: boolean; error?: string };
      banTrack(track: string, banned?: boolean): { ok: boolean };
    };
    libraryModel: {
      putTrack(t: unknown): { ok: boolean; value?: string };
      removeTrack(id: string): { ok: boolean };
      createPlaylist(name: string): { ok: boolean; value?: string };
      addToPlaylist(id: string, tracks: string[]): { ok: boolean };
      doc: { transact(f: () => void): void };
    };
    venueDoc: {
      doc: { getMap(name: string): { get(key: string): { push(values: unknown[]): void } } };
    };
    sync: { phase: string; pending: number; reason: string | null; readOnly: boolean };
  };
};

/** Programme tracks as a page shows them. */
export function programmeTracks(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window as unknown as Djamms).djamms.snapshot.programme.entries.map((e) => e.track),
  );
}

/** Adds a programme entry through the model on a page (as the admin screen's button does). */
export function addTrack(page: Page, track: string) {
  return page.evaluate(
    (t) => (window as unknown as Djamms).djamms.venue.addToProgramme(t).ok,
    track,
  );
}

/** Waits until a page's programme holds every one of `tracks`. */
export function waitForTracks(page: Page, tracks: string[], timeout = 20_000) {
  return page.waitForFunction(
    (want) => {
      const have = (window as unknown as Djamms).djamms?.snapshot.programme.entries.map(
        (e) => e.track,
      );
      return !!have && want.every((t) => have.includes(t));
    },
    tracks,
    { timeout },
  );
}

/** Waits for the sync bar's phase; a timeout reports the page's sync state. */
export async function waitForPhase(page: Page, phase: string, timeout = 20_000) {
  try {
    await page.waitForFunction(
      (p) => document.querySelector('[data-sync]')?.getAttribute('data-sync') === p,
      phase,
      { timeout },
    );
  } catch (error) {
    const state = await page.evaluate(() => {
      type Link = { unsaved(): unknown } | null;
      const d = (
        window as unknown as {
          djamms?: Record<string, unknown> & {
            venueDoc: { link: Link; doc: { clientID: number } };
          };
        }
      ).djamms;
      return JSON.stringify({
        venue: d?.venueLink,
        library: d?.libraryLink,
        client: d?.venueDoc.doc.clientID,
        unsaved: d?.venueDoc.link?.unsaved(),
      });
    });
    throw new Error(`sync phase never became ${phase}: ${state}`, { cause: error });
  }
}

/**
 * Runs `fn` in the page with the app's handle (window.djamms). `fn` must be self-contained: it is
 * sent as source.
 */
export function inApp<R, A = undefined>(
  page: Page,
  fn: (app: Djamms['djamms'], arg: A) => R,
  arg?: A,
): Promise<Awaited<R>> {
  return page.evaluate(
    ([source, a]) =>
      new Function('app', 'arg', `return (${source})(app, arg)`)(
        (window as unknown as Djamms).djamms,
        a,
      ) as Awaited<R>,
    [fn.toString(), arg] as const,
  );
}

/** The test's view of a player screen's engine (window.djammsPlayer). */
export type DjammsPlayer = {
  djammsPlayer?: {
    unlocked: boolean;
    active: boolean;
    finished: number;
    problem: string;
    media: { items: { url: string; status: string }[] };
    audio: {
      media: { currentTime: number; duration: number; ended: boolean; paused: boolean };
      gains(): { decks: [number, number]; music: number; master: number };
    };
  };
};

/** What a player screen plays: its deck's position, whether it ended, tracks finished. */
export function audioState(page: Page): Promise<{
  currentTime: number;
  duration: number;
  ended: boolean;
  paused: boolean;
  finished: number;
}> {
  return page.evaluate(() => {
    const engine = (window as unknown as DjammsPlayer).djammsPlayer;
    if (!engine) return { currentTime: 0, duration: 0, ended: false, paused: true, finished: 0 };
    const { currentTime, duration, ended, paused } = engine.audio.media;
    return { currentTime, duration, ended, paused, finished: engine.finished };
  });
}

/** Where the player's media cache is with the file of `sha256` (waiting, downloading, cached…). */
export function mediaStatus(page: Page, sha256: string): Promise<string | null> {
  return page.evaluate(
    (sha) =>
      (window as unknown as DjammsPlayer).djammsPlayer?.media.items.find((i) =>
        i.url.endsWith(`/media/${sha}`),
      )?.status ?? null,
    sha256,
  );
}

/** Corrupts the token this device keeps for a venue (as a forged or expired one looks). */
export function tamperToken(page: Page, venueId: string): Promise<void> {
  return page.evaluate(async (id) => {
    const db = await new Promise<PageDb>((resolve, reject) => {
      const open = indexedDB.open('djamms-device');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error as Error);
    });
    const store = db.transaction('keyval', 'readwrite').objectStore('keyval');
    const key = `venue:${id}`;
    const get = store.get(key);
    await new Promise<void>((r) => (get.onsuccess = () => r()));
    const credential = get.result as { token: string };
    store.put({ ...credential, token: credential.token.slice(0, -6) + 'AAAAAA' }, key);
  }, venueId);
}

/** Bytes the page's media cache holds for `url` (-1 when it holds nothing). */
export function cachedMediaSize(page: Page, url: string): Promise<number> {
  return page.evaluate(async (u) => {
    const hit = await (await caches.open('djamms-media')).match(u);
    return hit ? (await hit.blob()).size : -1;
  }, url);
}

let axeSource: string | undefined;

/**
 * Runs axe-core (every rule it has) on what the page shows now; answers each violation as
 * "rule: target, target…" so a failure names what to fix.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // evaluated through DevTools, not injected as an inline script the page's CSP refuses (RP27)
  axeSource ??= await readFile(
    createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
    'utf8',
  );
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    type Result = { violations: { id: string; nodes: { target: string[] }[] }[] };
    const axe = (window as unknown as { axe: { run(): Promise<Result> } }).axe;
    const { violations } = await axe.run();
    return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** Whether the locator's element has the page's focus (where a keyboard user is). */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement);
}

export type { Browser, BrowserContext, CDPSession, Locator, Page };
