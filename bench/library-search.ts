/**
 * Library search per keystroke (issue 9): 20,000 tracks in a venue's library, a query typed one key
 * at a time with the real keyboard, each key timed in the page from its keydown until the results
 * list shows that query's matches and a frame has been painted (a requestAnimationFrame in which
 * the list is right, then a macrotask after that frame). Run with the CPU throttled 4× (a
 * phone-class CPU) and unthrottled, on the admin's library search and on the kiosk's request screen
 * (the same search, web/lib/track-search.ts). Each key's main-thread CPU time is taken too, and the
 * same keys are typed into a lone search box on a blank page: on a machine shared with other work,
 * that floor says how much of a time is the machine's rather than the app's.
 */
import {
  api,
  createVenueInApp,
  inApp,
  pairInApp,
  toneWav,
  waitForPhase,
  type Browser,
  type CDPSession,
  type Djamms,
  type E2ERelay,
  type Page,
} from '../tests/e2e/harness';

// Page-side globals (this file is checked with Node's lib only).
declare const window: unknown;
declare function addEventListener(
  type: string,
  f: () => void,
  options: { capture: boolean; once: boolean },
): void;
declare function requestAnimationFrame(f: () => void): void;
declare function atob(data: string): string;
declare const document: {
  getElementById(id: string): {
    closest(selector: string): {
      querySelectorAll(s: string): ArrayLike<{
        getAttribute(name: string): string | null;
        closest(selector: string): unknown;
      }>;
    } | null;
  } | null;
};

/** How many tracks the library holds while typing. */
export const LIBRARY_TRACKS = 20_000;
/** What a bartender types, one key at a time (each query from an empty box). */
const QUERIES = ['sweet caroline', 'the killers bright', 'midnight river'];

const FIRST =
  `Amy Ben Carla Dan Ella Finn Grace Hugo Iris Jack Kate Leo Maya Nina Omar Paul Rosa Sam
Tara Vic Will Zoe Ana Bruno Chloe Diego Elif Femi Gil Hana Ivan Jun Kofi Lena Mateo Nadia Olu Pia
Ravi Sofia Tomas Uma Yara`.split(/\s+/);
const LAST = `Reed Stone Park Rivers Lane Moss Hart Cole Fox Gray Hale Knight Lowe Marsh Nash Price
Quinn Rowe Shaw Vance Wells Young Banks Cruz Diaz Evans Ford Grant Hayes Ito Jones Kim Lopez Mendes
Novak Okafor Petrov Silva Tanaka Weber`.split(/\s+/);
const ADJECTIVES = `Blue Golden Silver Electric Midnight Broken Wild Quiet Burning Paper Velvet Neon
Hollow Crimson Distant Lonely Sweet Bitter Frozen Heavy Gentle Restless Endless Little Secret Summer
Winter Northern Southern Last First Empty Lucky Rusty Sunday Saturday Lazy Shiny Dusty Open`.split(
  /\s+/,
);
const NOUNS = `Heart River Road Night Fire Rain Dream Light City Ocean Moon Sky Train Window Garden
Letter Mirror Highway Shadow Storm Island Echo Harbour Valley Kingdom Radio Signal Diamond Angel
Thunder Morning Evening Summer Wire Bridge Tide Horizon Avenue Parade Circus Lantern Engine Orchard
Meadow Canyon Desert Forest Skyline Balloon Dancer`.split(/\s+/);
const VERBS = `Chasing Dancing Running Falling Holding Waiting Calling Burning Driving Dreaming
Leaving Finding Losing Breaking Singing Watching Counting Saving Turning Crossing`.split(/\s+/);
// Names people really type with and without their accents.
const ACCENTED = `Beyoncé|Björk|Sigur Rós|Motörhead|Mötley Crüe|Café Tacvba|Zoé|Rosalía|Héroes del
Silencio|Françoise Hardy|Édith Piaf|Ólafur Arnalds|Jóhann Jóhannsson|Mø|Røyksopp|Maná|Julieta
Venegas|Gilberto Gil|Ibrahim Ferrer|Compay Segundo`
  .replace(/\n/g, ' ')
  .split('|');
const REAL = [
  ['Sweet Caroline', 'Neil Diamond', 'Brother Love’s Travelling Salvation Show'],
  ['Mr. Brightside', 'The Killers', 'Hot Fuss'],
  ['Hey Jude', 'The Beatles', 'Hey Jude'],
  ['Dancing Queen', 'ABBA', 'Arrival'],
  ['Halo', 'Beyoncé', 'I Am… Sasha Fierce'],
  ['Hyperballad', 'Björk', 'Post'],
  ['Wonderwall', 'Oasis', '(What’s the Story) Morning Glory?'],
  ['Valerie', 'Amy Winehouse', 'Back to Black'],
] as const;

/** A repeatable source of choices (the same library on every run). */
function seeded(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
  return <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
}

/** A library track without its media (the bench gives them all one tone). */
type BenchTrack = Omit<Djamms['djamms']['library']['tracks'][number], 'media'>;

/**
 * A library as a venue might have it: some 1,700 albums of a dozen tracks, titles and names made
 * of everyday words, a quarter of the albums by artists with accented names, and a few tracks
 * everyone knows.
 */
function benchLibrary(count = LIBRARY_TRACKS): BenchTrack[] {
  const pick = seeded(9);
  const title = () =>
    pick([
      () => `${pick(ADJECTIVES)} ${pick(NOUNS)}`,
      () => `${pick(VERBS)} the ${pick(NOUNS)}`,
      () => `${pick(NOUNS)} of ${pick(NOUNS)}s`,
      () => `${pick(FIRST)}`,
      () => `${pick(ADJECTIVES)} ${pick(NOUNS)} (${pick(['Live', 'Remastered', 'Acoustic'])})`,
    ])();
  const artist = () =>
    pick([
      () => `${pick(FIRST)} ${pick(LAST)}`,
      () => `The ${pick(ADJECTIVES)} ${pick(NOUNS)}s`,
      () => `${pick(NOUNS)} ${pick(NOUNS)}`,
      () => pick(ACCENTED),
    ])();
  const tracks: BenchTrack[] = REAL.map(([t, a, al], i) => ({
    id: `real${i}`,
    title: t,
    artist: a,
    album: al,
    durationMs: 200_000,
    explicit: false,
  }));
  while (tracks.length < count) {
    const by = artist();
    const album = pick([() => `${pick(ADJECTIVES)} ${pick(NOUNS)}`, () => by, title])();
    for (let n = 0; n < 12 && tracks.length < count; n++) {
      tracks.push({
        id: `s${tracks.length}`,
        title: title(),
        artist: by,
        album,
        durationMs: 120_000 + ((tracks.length * 7919) % 240) * 1000,
        explicit: tracks.length % 9 === 0,
      });
    }
  }
  return tracks;
}

const folded = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * What a screen listing up to `shown` results should show for `query`: how many rows, and which
 * tracks any of them may be (those with every word in the title, artist or album), as a bitmap over
 * `tracks` in base64 (see {@link indexTracks}). The bench's own reckoning, so a screen showing stale
 * or wrong results is never timed as done. Accents folded or not, the answer must be the same, so
 * every version of the search can be measured: a query for which it is not throws.
 */
function expected(tracks: BenchTrack[], query: string, shown: number) {
  const match = (fold: (s: string) => string) => {
    const words = fold(query).split(/\s+/).filter(Boolean);
    const found: number[] = [];
    tracks.forEach((t, i) => {
      if (words.every((w) => fold(`${t.title} ${t.artist} ${t.album}`).includes(w))) found.push(i);
    });
    return found;
  };
  const found = match(folded);
  const count = Math.min(found.length, shown);
  if (count !== Math.min(match((s) => s.toLowerCase()).length, shown))
    throw new Error(`"${query}" matches differently with accents folded: choose another query`);
  const bits = Buffer.alloc(Math.ceil(tracks.length / 8));
  for (const i of found) bits[i >> 3]! |= 1 << (i & 7);
  return { matches: bits.toString('base64'), count };
}

/**
 * Gives the page each track's place in `tracks`, once, before any key is timed: each key then
 * sends its expected matches as a bitmap of a few KiB, not a list of up to 20,000 ids, which made
 * the page collect megabytes of the bench's own garbage while keys were being timed.
 */
async function indexTracks(page: Page, tracks: BenchTrack[]) {
  await page.evaluate(
    (ids) => {
      (window as { __trackIndex?: Map<string, number> }).__trackIndex = new Map(
        ids.map((id, i) => [id, i]),
      );
    },
    tracks.map((t) => t.id),
  );
}

/**
 * Puts the bench library in the venue's library, a batch per transaction (one sync message the
 * relay takes). Answers the tracks the library then holds (any demo music the venue came with too).
 */
async function fillLibrary(page: Page, relay: E2ERelay, venueId: string, token: string) {
  const { sha256 } = await api<{ sha256: string }>(
    relay,
    'POST',
    `/api/venues/${venueId}/media`,
    token,
    toneWav(1),
  );
  const tracks = benchLibrary();
  for (let i = 0; i < tracks.length; i += 2000) {
    const put = await inApp(
      page,
      (app, a) => {
        let ok = true;
        app.libraryModel.doc.transact(() => {
          for (const t of a.batch) {
            // one file is one track (VM29): each track names the tone by its own URL
            const media = { url: `${a.url}#${t.id}`, type: 'audio/wav' };
            ok = app.libraryModel.putTrack({ ...t, media }).ok && ok;
          }
        });
        return ok;
      },
      { batch: tracks.slice(i, i + 2000), url: `${relay.url}/media/${sha256}` },
    );
    if (!put) throw new Error('the library refused a bench track');
  }
  await waitForPhase(page, 'saved-relay', 60_000);
  return libraryLoaded(page, tracks.length);
}

/** Waits until `page` holds at least `count` library tracks; answers them. */
async function libraryLoaded(page: Page, count: number): Promise<BenchTrack[]> {
  await page.waitForFunction((n) => (window as Djamms).djamms.library.tracks.length >= n, count, {
    timeout: 60_000,
  });
  return inApp(page, (app) => app.library.tracks);
}

/** A screen with a search box, as the bench types into it. */
interface SearchScreen {
  page: Page;
  /** The search box's accessible name. */
  box: string;
  /** How many results the screen lists at most. */
  shown: number;
  /** Whether an empty box lists the library (the kiosk) or nothing (the admin). */
  listsWhenEmpty: boolean;
}

/** What one keystroke took: wall-clock ms to the painted list, and the page's main-thread CPU ms. */
interface Keystroke {
  ms: number;
  cpuMs: number;
}

/** The page's main-thread CPU time so far, in ms (not counting time the throttle holds it). */
async function threadTime(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return (metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN) * 1000;
}

/** Times each keystroke of `query` typed into `screen`'s search box. */
async function typeTimed(
  screen: SearchScreen,
  cdp: CDPSession,
  tracks: BenchTrack[],
  query: string,
): Promise<Keystroke[]> {
  const { page } = screen;
  const box = page.getByRole('searchbox', { name: screen.box, exact: true });
  await box.fill('');
  await box.focus();
  const boxId = await box.getAttribute('id');
  const keys: Keystroke[] = [];
  for (let i = 1; i <= query.length; i++) {
    const typed = query.slice(0, i);
    const { matches, count } =
      typed.trim() || screen.listsWhenEmpty
        ? expected(tracks, typed, screen.shown)
        : { matches: '', count: 0 };
    await page.evaluate(
      ([id, matches, count]) => {
        const w = window as { __keyMs?: number; __trackIndex?: Map<string, number> };
        const bits = Uint8Array.from(atob(matches), (c) => c.charCodeAt(0));
        const index = w.__trackIndex;
        const test: { wanted?: (track: string) => boolean } = {};
        test.wanted = (track) => {
          const i = index?.get(track);
          return i !== undefined && ((bits[i >> 3] ?? 0) >> (i & 7)) % 2 === 1;
        };
        delete w.__keyMs;
        // The keydown starts the clock (the input event follows it); each frame is then checked
        // until the list is right for this query, and the clock stops once that frame is painted.
        // (No named functions here: tsx would wrap them in a helper the page does not have.)
        addEventListener(
          'keydown',
          () => {
            const start = performance.now();
            const frame: { check?: () => void } = {};
            frame.check = () => {
              const rows = document
                .getElementById(id)
                ?.closest('section')
                ?.querySelectorAll('li[data-track]');
              const shown = Array.from(rows ?? [])
                .filter((r) => !r.closest('[hidden]'))
                .map((r) => r.getAttribute('data-track') ?? '');
              if (shown.length === count && shown.every(test.wanted!))
                setTimeout(() => (w.__keyMs = performance.now() - start), 0);
              else requestAnimationFrame(frame.check!);
            };
            requestAnimationFrame(frame.check);
          },
          { capture: true, once: true },
        );
      },
      [boxId ?? '', matches, count] as const,
    );
    const cpuBefore = await threadTime(cdp);
    await page.keyboard.type(query[i - 1]!);
    const done = await page.waitForFunction(() => (window as { __keyMs?: number }).__keyMs);
    const ms = (await done.jsonValue()) as number;
    keys.push({ ms, cpuMs: (await threadTime(cdp)) - cpuBefore });
  }
  return keys;
}

/** One screen's keystrokes at one CPU throttle, and a bare search box's beside them. */
export interface KeystrokeTimes {
  screen: 'admin' | 'kiosk';
  cpuThrottle: number;
  keys: Keystroke[];
  /** The same keys typed into a lone search box on a blank page: this machine's floor now. */
  bareInput: Keystroke[];
}

/** Types every query `rounds` times into `screen` with the CPU throttled `rate`×. */
async function typeQueries(
  screen: SearchScreen,
  tracks: BenchTrack[],
  rounds: number,
  rate: number,
) {
  // The tab in front: Chromium draws frames for a tab behind another only about once a second.
  await screen.page.bringToFront();
  const cdp = await screen.page.context().newCDPSession(screen.page);
  await cdp.send('Performance.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  const keys: Keystroke[] = [];
  await indexTracks(screen.page, tracks);
  try {
    for (let r = 0; r < rounds; r++)
      for (const query of QUERIES) keys.push(...(await typeTimed(screen, cdp, tracks, query)));
  } finally {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    await cdp.detach();
  }
  return keys;
}

async function measureScreen(
  screen: SearchScreen,
  name: KeystrokeTimes['screen'],
  tracks: BenchTrack[],
  rounds: number,
  report: (r: KeystrokeTimes) => void,
) {
  const page = await screen.page.context().newPage();
  await page.setContent('<section><input id="bare" type="search" aria-label="Bare"></section>');
  const bare = { page, box: 'Bare', shown: 0, listsWhenEmpty: false };
  for (const rate of [4, 1]) {
    const keys = await typeQueries(screen, tracks, rounds, rate);
    const bareInput = await typeQueries(bare, tracks, rounds, rate);
    report({ screen: name, cpuThrottle: rate, keys, bareInput });
  }
  await page.close();
}

/**
 * Creates a venue with {@link LIBRARY_TRACKS} tracks and times typing in the admin's library
 * search on a 390 px phone, then in a kiosk's request screen, each at 4× CPU throttle and at 1×.
 */
export async function librarySearchKeystrokes(
  relay: E2ERelay,
  browser: Browser,
  rounds: number,
  report: (r: KeystrokeTimes) => void,
) {
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true };
  const owner = await browser.newContext(phone);
  const { page, venueId, token } = await createVenueInApp(owner, relay, 'Search Bar');
  await waitForPhase(page, 'saved-relay');
  const tracks = await fillLibrary(page, relay, venueId, token);
  await page.getByRole('tab', { name: 'Queue' }).click();
  const box = 'Search the library';
  await measureScreen(
    { page, box, shown: 8, listsWhenEmpty: false },
    'admin',
    tracks,
    rounds,
    report,
  );
  await owner.close();

  const tablet = await browser.newContext({
    viewport: { width: 1024, height: 768 },
    hasTouch: true,
  });
  const kiosk = await pairInApp(tablet, relay, venueId, token, 'kiosk');
  await libraryLoaded(kiosk, tracks.length);
  const kioskBox = { page: kiosk, box: 'Search songs', shown: 8, listsWhenEmpty: true };
  await measureScreen(kioskBox, 'kiosk', tracks, rounds, report);
  await tablet.close();
}
