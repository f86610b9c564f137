/**
 * Web app benchmark (issue 4), against the production build served by a real relay, in headless
 * Chromium. Prints one JSON line per measurement:
 * - navigation to the venue shown from local state (p50/p90), also with the CPU throttled 4× through
 *   the DevTools protocol (a stand-in for a TV stick);
 * - tab to tab latency (BroadcastChannel, no network) and device to device latency through the
 *   relay: from a write in one page to the venue state rebuilt in the other (p50/p99);
 * - intent to audible action: from an admin's pause or play to the player's media element pausing
 *   or playing, through the relay (issue 8: p50 ≤ 100 ms on loopback);
 * - IndexedDB rows of the venue document after 1,000 edits, after closing a tab within a second of
 *   a burst, and after five reopens;
 * - library search per keystroke at 20,000 tracks (bench/library-search.ts), on the admin's phone
 *   and on a kiosk, with the CPU throttled 4× and not.
 *
 * Usage: npm run bench:web [-- --runs 30 --latency 300 --intents 40 --rounds 2]
 *        npm run bench:web -- --only library-search   (that measurement alone)
 * Targets (issue 4): tab p50 ≤ 2 ms; device p50 ≤ 4 ms; first render p50 ≤ 150 ms (≤ 400 ms at 4×);
 * (issue 8) intent to audible p50 ≤ 100 ms; (issue 9) library search ≤ 50 ms per keystroke at 4×.
 */
import { loadavg } from 'node:os';
import { LIBRARY_TRACKS, librarySearchKeystrokes } from './library-search';
import {
  E2ERelay,
  addToneTracks,
  createVenueInApp,
  expectVenueName,
  inApp,
  launchChromium,
  pairInApp,
  waitForPhase,
  type Browser,
  type Page,
} from '../tests/e2e/harness';

// Page-side globals used below (this file is checked with Node's lib only).
declare const window: { __arrivals?: number[]; djamms: unknown };
declare const document: {
  querySelectorAll(selector: 'video'): ArrayLike<{
    addEventListener(type: string, listener: () => void): void;
  }>;
};
declare class BroadcastChannel {
  constructor(name: string);
  onmessage: ((e: { data: number }) => void) | null;
  postMessage(v: unknown): void;
}
declare const performance: {
  now(): number;
  timeOrigin: number;
  getEntriesByName(name: string): { startTime: number }[];
};

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', 30);
const LATENCY_SAMPLES = arg('latency', 300);
const INTENT_SAMPLES = arg('intents', 40);
const SEARCH_ROUNDS = arg('rounds', 2);
const ONLY = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]
  : undefined;
const MEASUREMENTS = ['venue', 'library-search'];
if (ONLY !== undefined && !MEASUREMENTS.includes(ONLY))
  throw new Error(`--only takes one of: ${MEASUREMENTS.join(', ')}`);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
const round = (n: number) => Math.round(n * 100) / 100;
const print = (o: Record<string, unknown>) => console.log(JSON.stringify(o));

/** Reloads a venue page `runs` times; answers ms from navigation start to the venue shown. */
async function firstRender(page: Page, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await page.reload();
    await page.waitForFunction(() => performance.getEntriesByName('djamms:venue-shown').length > 0);
    times.push(
      await page.evaluate(() => performance.getEntriesByName('djamms:venue-shown')[0]!.startTime),
    );
  }
  return times;
}

/** Records, in `page`, when each venue change has been applied and the state rebuilt. */
function listen(page: Page) {
  return inApp(page, (app) => {
    const w = window as unknown as { __arrivals: number[] };
    w.__arrivals = [];
    const doc = (app as unknown as { venueDoc: { doc: { on(e: string, f: () => void): void } } })
      .venueDoc.doc;
    // Registered after the session's own listener, so this microtask runs after its refresh.
    doc.on('update', () =>
      queueMicrotask(() => w.__arrivals.push(performance.timeOrigin + performance.now())),
    );
  });
}

/**
 * One write in `from`, timed until `to` has applied it and rebuilt its venue state. Answers ms from
 * the start of the write (the model's own write cost included) and from its end (what the sync
 * layer adds: post, delivery, apply, state rebuild).
 */
async function latency(
  from: Page,
  to: Page,
  samples: number,
): Promise<{ fromWrite: number[]; fromPost: number[] }> {
  await listen(to);
  const fromWrite: number[] = [];
  const fromPost: number[] = [];
  for (let i = 0; i < samples; i++) {
    const [start, end] = await inApp(
      from,
      (app, n) => {
        const t = performance.timeOrigin + performance.now();
        app.venue.setSetting('volume', n % 100);
        return [t, performance.timeOrigin + performance.now()];
      },
      i,
    );
    const arrived = await to.waitForFunction(
      (n) => (window.__arrivals?.length ?? 0) > n && window.__arrivals![n],
      i,
    );
    const at = (await arrived.jsonValue()) as number;
    fromWrite.push(at - start!);
    fromPost.push(at - end!);
  }
  return { fromWrite, fromPost };
}

function latencyLine(
  measure: string,
  l: { fromWrite: number[]; fromPost: number[] },
  target: number,
) {
  return {
    measure,
    samples: l.fromWrite.length,
    p50: round(quantile(l.fromWrite, 0.5)),
    p99: round(quantile(l.fromWrite, 0.99)),
    afterWriteP50: round(quantile(l.fromPost, 0.5)),
    afterWriteP99: round(quantile(l.fromPost, 0.99)),
    target,
  };
}

/**
 * Pause and play from the admin page, each timed from the intent's send until the player's media
 * element has paused, or is playing again: what a bartender hears after a tap.
 */
async function intentToAudible(admin: Page, player: Page, samples: number): Promise<number[]> {
  await player.evaluate(() => {
    const w = window as unknown as { __audible: { kind: string; at: number }[] };
    w.__audible = [];
    for (const deck of Array.from(document.querySelectorAll('video'))) {
      for (const kind of ['pause', 'playing'])
        deck.addEventListener(kind, () =>
          w.__audible.push({ kind, at: performance.timeOrigin + performance.now() }),
        );
    }
  });
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const kind = i % 2 === 0 ? 'pause' : 'play';
    const sentAt = await inApp(
      admin,
      (app, k) => {
        const t = performance.timeOrigin + performance.now();
        const entry = app.snapshot.nowPlaying?.entry;
        if (!app.venue.sendIntent(k, { entry }).ok) throw new Error(`${k} refused`);
        return t;
      },
      kind,
    );
    const heard = await player.waitForFunction(
      ([k, after]) =>
        (window as unknown as { __audible: { kind: string; at: number }[] }).__audible.find(
          (e) => e.kind === k && e.at >= after,
        )?.at,
      [kind === 'pause' ? 'pause' : 'playing', sentAt] as const,
    );
    times.push(((await heard.jsonValue()) as number) - sentAt);
  }
  return times;
}

/** The floor on this machine right now: a bare BroadcastChannel message between the two tabs. */
async function broadcastFloor(from: Page, to: Page, samples: number): Promise<number[]> {
  await to.evaluate(() => {
    const w = window as unknown as { __floor: number[] };
    w.__floor = [];
    new BroadcastChannel('djamms-bench-floor').onmessage = (e: { data: number }) =>
      w.__floor.push(performance.timeOrigin + performance.now() - e.data);
  });
  await from.evaluate(() => {
    (window as unknown as { __bc: unknown }).__bc = new BroadcastChannel('djamms-bench-floor');
  });
  for (let i = 0; i < samples; i++) {
    await from.evaluate(() =>
      (window as unknown as { __bc: { postMessage(v: number): void } }).__bc.postMessage(
        performance.timeOrigin + performance.now(),
      ),
    );
    await to.waitForFunction(
      (n) => (window as unknown as { __floor: number[] }).__floor.length > n,
      i,
    );
  }
  return to.evaluate(() => (window as unknown as { __floor: number[] }).__floor);
}

function rows(page: Page): Promise<number> {
  return inApp(page, (app) =>
    (
      app as unknown as { venueDoc: { store: { countRows(): Promise<number> } } }
    ).venueDoc.store.countRows(),
  );
}

/**
 * Library search per keystroke; the target holds at 4× CPU throttle (issue 9). Beside the
 * wall-clock times: the page's main-thread CPU time per key (other loads on this machine do not
 * inflate it; the throttle does, much as a slower CPU would), and the same for a bare search box
 * on a blank page (this machine's floor at that moment).
 */
async function librarySearch(relay: E2ERelay, browser: Browser) {
  await librarySearchKeystrokes(relay, browser, SEARCH_ROUNDS, (r) => {
    const ms = r.keys.map((k) => k.ms);
    const cpu = r.keys.map((k) => k.cpuMs);
    const bare = r.bareInput.map((k) => k.ms);
    const bareCpu = r.bareInput.map((k) => k.cpuMs);
    print({
      measure: 'library-search-keystroke-ms',
      screen: r.screen,
      tracks: LIBRARY_TRACKS,
      cpuThrottle: r.cpuThrottle,
      samples: ms.length,
      p50: round(quantile(ms, 0.5)),
      p95: round(quantile(ms, 0.95)),
      max: round(Math.max(...ms)),
      target: r.cpuThrottle === 4 ? 50 : undefined,
      mainThreadCpuP50: round(quantile(cpu, 0.5)),
      mainThreadCpuP95: round(quantile(cpu, 0.95)),
      bareInputP50: round(quantile(bare, 0.5)),
      bareInputP95: round(quantile(bare, 0.95)),
      bareInputCpuP50: round(quantile(bareCpu, 0.5)),
      loadAverage: loadavg()[0],
    });
  });
}

async function main() {
  const relay = await E2ERelay.start();
  const browser = await launchChromium();
  try {
    if (ONLY !== 'library-search') await venue(relay, browser);
    if (ONLY !== 'venue') await librarySearch(relay, browser);
  } finally {
    await browser.close();
    await relay.dispose();
  }
}

/** The venue measurements of issues 4 and 8 (first render, sync latency, audible, IndexedDB). */
async function venue(relay: E2ERelay, browser: Browser) {
  const owner = await browser.newContext();
  const { page, venueId, token } = await createVenueInApp(owner, relay, 'Bench Bar');
  for (let i = 0; i < 40; i++) await inApp(page, (app, n) => app.venue.addToProgramme(`t${n}`), i);
  await waitForPhase(page, 'saved-relay');
  const docBytes = await inApp(
    page,
    (app) =>
      (app as unknown as { venueDoc: { store: { storedBytes: number } } }).venueDoc.store
        .storedBytes,
  );

  const render = await firstRender(page, RUNS);
  print({
    measure: 'first-venue-render-ms',
    runs: RUNS,
    docBytes,
    p50: round(quantile(render, 0.5)),
    p90: round(quantile(render, 0.9)),
    target: 150,
  });
  const cdp = await owner.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const throttled = await firstRender(page, Math.ceil(RUNS / 2));
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  print({
    measure: 'first-venue-render-ms-cpu4x',
    runs: Math.ceil(RUNS / 2),
    p50: round(quantile(throttled, 0.5)),
    p90: round(quantile(throttled, 0.9)),
    target: 400,
  });

  const tab = await owner.newPage();
  await tab.goto(`${relay.url}/v/${venueId}/admin`);
  await expectVenueName(tab, 'Bench Bar');
  const tabs = await latency(page, tab, LATENCY_SAMPLES);
  const floor = await broadcastFloor(page, tab, Math.min(100, LATENCY_SAMPLES));
  print({
    ...latencyLine('tab-to-tab-ms', tabs, 2),
    bareBroadcastChannelP50: round(quantile(floor, 0.5)),
    loadAverage: loadavg()[0],
  });
  await tab.close();

  const other = await browser.newContext();
  const device = await pairInApp(other, relay, venueId, token, 'admin');
  await waitForPhase(device, 'saved-relay');
  const devices = await latency(page, device, LATENCY_SAMPLES);
  print(latencyLine('device-to-device-ms', devices, 4));
  await other.close();

  await addToneTracks(page, relay, venueId, token, [
    { id: 'bench-tone', title: 'Bench Tone', seconds: 600 },
  ]);
  await inApp(page, (app) => app.venue.playNext('bench-tone'));
  const tv = await browser.newContext();
  const player = await pairInApp(tv, relay, venueId, token, 'player');
  await player.waitForFunction(
    () =>
      (window as unknown as { djammsPlayer?: { audio: { media: { currentTime: number } } } })
        .djammsPlayer!.audio.media.currentTime > 0.2,
    null,
    { timeout: 30_000 },
  );
  const audible = await intentToAudible(page, player, INTENT_SAMPLES);
  print({
    measure: 'intent-to-audible-ms',
    samples: audible.length,
    p50: round(quantile(audible, 0.5)),
    p99: round(quantile(audible, 0.99)),
    target: 100,
  });
  await tv.close();

  // IndexedDB rows: 1,000 edits, each its own task (the worst case for one-row-per-update).
  for (let i = 0; i < 1000; i++)
    await inApp(page, (app, n) => app.venue.setSetting('volume', n % 100), i);
  const afterEdits = await rows(page);
  // A burst, then the tab closes within a second.
  const burst = await owner.newPage();
  await burst.goto(`${relay.url}/v/${venueId}/admin`);
  await expectVenueName(burst, 'Bench Bar');
  await inApp(burst, (app) => {
    for (let n = 0; n < 200; n++) app.venue.setSetting('volume', n % 100);
    return app.venue.setSetting('volume', 42);
  });
  await burst.close({ runBeforeUnload: true });
  await page.reload();
  await expectVenueName(page, 'Bench Bar');
  const volumeKept = await inApp(page, (app) => app.snapshot.settings.volume);
  const afterBurstClose = await rows(page);
  const reopens: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.reload();
    await expectVenueName(page, 'Bench Bar');
    reopens.push(await rows(page));
  }
  print({
    measure: 'indexeddb-rows',
    afterThousandEdits: afterEdits,
    afterCloseWithinASecondOfBurst: afterBurstClose,
    burstKept: volumeKept === 42,
    afterEachOfFiveReopens: reopens,
  });
  await owner.close();
}

await main();
