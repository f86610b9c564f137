import type { ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Sizes of the largest loaded room, taken when `/metrics` is scraped. */
export interface LargestRoom {
  readonly mergedBytes: number;
  readonly logBytes: number;
  readonly frames: number;
}

/** What `/metrics` reads from the relay at scrape time instead of tracking on every change. */
export interface ScrapeState {
  readonly roomsOpen: number;
  /** Rooms open here that another node of the cluster has open too (RP46). */
  readonly roomsShared: number;
  readonly connections: number;
  readonly largestRoom: LargestRoom;
}

/**
 * The classes of HTTP routes that request durations are labelled with: a fixed set, never a venue
 * or a room, so the series count stays the same however many venues the relay serves. First match
 * wins; anything else (the app's files, unknown paths) is `app`.
 */
const ROUTE_CLASSES: readonly (readonly [RegExp, string])[] = [
  [/^\/api\/sync\//, 'sync'],
  [/^\/api\/venues\/[^/]+\/(journal|history)$/, 'journal'],
  [/^\/api\/venues\/[^/]+\/media$|^\/media\//, 'media'],
  [/^\/api\/(pair|guest)$/, 'sign-in'],
  [/^\/api\/venues(\/|$)/, 'venues'],
  [/^\/api\//, 'api'],
  [/^\/(healthz|metrics)$/, 'monitoring'],
];

/** The route class of a request path (see {@link ROUTE_CLASSES}). */
export function routeClass(path: string): string {
  for (const [pattern, name] of ROUTE_CLASSES) if (pattern.test(path)) return name;
  return 'app';
}

/**
 * Durations from half a millisecond (an fsync on a fast SSD) to several seconds (a stalled disk,
 * the 4.4 s maximum seen under a thousand venues).
 */
const DISK_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processRegistry: Registry | null = null;

/**
 * prom-client's standard process and Node.js metrics (CPU, RSS, event-loop lag, GC, heap): one set
 * per process, however many relays it runs (tests start many), since their monitors cannot be
 * stopped.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * A counter bumped for every message or delivery: a plain number while the relay runs, added to
 * its prom-client counter when the metrics are read (its `collect`), so the hot path allocates
 * nothing per bump (prom-client's `inc` makes an object each time).
 */
export class Tally {
  #pending = 0;
  readonly #counter: Counter;

  constructor(registry: Registry, name: string, help: string) {
    this.#counter = new Counter({
      name,
      help,
      registers: [registry],
      collect: () => {
        if (this.#pending === 0) return;
        this.#counter.inc(this.#pending);
        this.#pending = 0;
      },
    });
  }

  inc(by = 1): void {
    this.#pending += by;
  }

  /** The counter's value as prom-client reports it (everything bumped so far). */
  get(): ReturnType<Counter['get']> {
    return this.#counter.get();
  }
}

/**
 * A histogram observed for every update: its buckets are plain numbers while the relay runs, and
 * the registry renders them as prom-client renders a histogram (cumulative `_bucket` lines, `_sum`,
 * `_count`). prom-client's `observe` hashes its labels and builds objects each time, about 1 µs.
 */
export class TallyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly #bounds: readonly number[];
  /** Observations per bucket; the last one is beyond every bound. */
  readonly #counts: number[];
  #sum = 0;

  constructor(registry: Registry, name: string, help: string, bounds: readonly number[]) {
    this.name = name;
    this.help = help;
    this.#bounds = bounds;
    this.#counts = new Array<number>(bounds.length + 1).fill(0);
    registry.registerMetric(this as unknown as Histogram);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.#bounds.length && value > (this.#bounds[i] as number)) i++;
    this.#counts[i]!++;
    this.#sum += value;
  }

  /** What the registry renders (prom-client's metric object shape). */
  async get() {
    const bucket = `${this.name}_bucket`;
    let seen = 0;
    const values = this.#bounds.map((le, i) => {
      seen += this.#counts[i]!;
      return { labels: { le }, value: seen, metricName: bucket };
    });
    const count = seen + this.#counts[this.#bounds.length]!;
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [
        ...values,
        { labels: { le: '+Inf' }, value: count, metricName: bucket },
        { labels: {}, value: this.#sum, metricName: `${this.name}_sum` },
        { labels: {}, value: count, metricName: `${this.name}_count` },
      ],
    };
  }

  reset(): void {
    this.#counts.fill(0);
    this.#sum = 0;
  }
}

/**
 * The relay's Prometheus metrics (`GET /metrics`, RP21), through prom-client. Counters are bumped
 * where things happen; sizes that already live elsewhere (rooms, sockets, the largest room) are
 * read at scrape time. No metric has a per-venue or per-room label.
 */
export class Metrics {
  readonly #registry = new Registry();
  #fsyncSlowest = 0;

  readonly #roomsOpen = this.#gauge('rooms_open', 'Rooms loaded in memory.');
  readonly #roomsShared = this.#gauge(
    'rooms_shared',
    'Rooms loaded here that another node of the cluster has open too (0 on a single relay).',
  );
  readonly #connections = this.#gauge('connections', 'Open sync sockets.');
  readonly updatesStored = this.#tally('updates_stored_total', 'Updates durably appended.');
  readonly bytesStored = this.#tally('bytes_stored_total', 'Update bytes durably appended.');
  readonly updatesForwarded = this.#tally(
    'updates_forwarded_total',
    'Update deliveries to sockets.',
  );
  readonly bytesSent = this.#tally('bytes_sent_total', 'Bytes sent on sync sockets.');
  readonly bytesReceived = this.#tally('bytes_received_total', 'Bytes received on sync sockets.');
  readonly resyncs = this.#counter('resyncs_total', 'Slow sockets resynced after draining.');
  readonly heldBack = this.#gauge(
    'sockets_held_back',
    'Sockets over their high watermark, waiting to drain.',
  );
  readonly rejectedMessages = this.#counter(
    'rejected_messages_total',
    'Malformed or refused messages.',
  );
  readonly refusedConnections = this.#counter(
    'refused_connections_total',
    'Sockets closed at admission.',
  );
  readonly compactions = this.#counter('compactions_total', 'Room logs compacted.');
  // The fsync totals and maximum predate the histogram; alerts and dashboards use them (README).
  readonly #fsyncs = this.#counter(
    'fsync_total',
    'Group commits (one commit-log append + fdatasync for every room with waiting updates).',
  );
  readonly #fsyncSecondsTotal = this.#counter(
    'fsync_seconds_total',
    'Time spent in group commits.',
  );
  readonly #fsyncSecondsMax = this.#gauge('fsync_seconds_max', 'Slowest group commit so far.');
  readonly #groupCommitSeconds = new Histogram({
    name: 'djamms_group_commit_seconds',
    help: 'Duration of each group commit (one commit-log append and fdatasync covering every room with waiting updates).',
    buckets: DISK_BUCKETS,
    registers: [this.#registry],
  });
  readonly #durableSeconds = new TallyHistogram(
    this.#registry,
    'djamms_update_durable_seconds',
    'From receiving an update to its being on disk (when `saved` is sent).',
    DISK_BUCKETS,
  );
  readonly #httpRequests = this.#counter('http_requests_total', 'HTTP requests served.');
  readonly #httpSeconds = new Histogram({
    name: 'djamms_http_request_seconds',
    help: 'HTTP request durations, from arrival to the response closing, by route class.',
    labelNames: ['route'],
    buckets: HTTP_BUCKETS,
    registers: [this.#registry],
  });
  readonly rateLimited = this.#counter(
    'rate_limited_total',
    'Requests or messages over a rate limit.',
  );
  readonly #largestMerged = this.#gauge(
    'room_merged_bytes_max',
    'Largest merged room state loaded.',
  );
  readonly #largestLog = this.#gauge(
    'room_log_bytes_max',
    'Largest room log loaded (compaction lag).',
  );
  readonly #largestFrames = this.#gauge('room_log_frames_max', 'Most frames in a loaded room log.');

  /** The `content-type` of {@link render}'s text. */
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;

  /** Records one group commit that took `seconds`. */
  observeFsync(seconds: number): void {
    this.#fsyncs.inc();
    this.#fsyncSecondsTotal.inc(seconds);
    this.#groupCommitSeconds.observe(seconds);
    if (seconds > this.#fsyncSlowest) {
      this.#fsyncSlowest = seconds;
      this.#fsyncSecondsMax.set(seconds);
    }
  }

  /** Records one update of `bytes` made durable `seconds` after the relay received it. */
  observeStored(bytes: number, seconds: number): void {
    this.updatesStored.inc();
    this.bytesStored.inc(bytes);
    this.#durableSeconds.observe(seconds);
  }

  /** Counts an HTTP request on `path` and times it until its response closes. */
  observeHttp(path: string, res: ServerResponse): void {
    this.#httpRequests.inc();
    const done = this.#httpSeconds.startTimer({ route: routeClass(path) });
    res.once('close', () => done());
  }

  /** Every metric as Prometheus text, with the relay's current sizes in `state`. */
  async render(state: ScrapeState): Promise<string> {
    this.#roomsOpen.set(state.roomsOpen);
    this.#roomsShared.set(state.roomsShared);
    this.#connections.set(state.connections);
    this.#largestMerged.set(state.largestRoom.mergedBytes);
    this.#largestLog.set(state.largestRoom.logBytes);
    this.#largestFrames.set(state.largestRoom.frames);
    return Registry.merge([this.#registry, processMetrics()]).metrics();
  }

  #tally(name: string, help: string): Tally {
    return new Tally(this.#registry, `djamms_${name}`, help);
  }

  #counter(name: string, help: string): Counter {
    return new Counter({ name: `djamms_${name}`, help, registers: [this.#registry] });
  }

  #gauge(name: string, help: string): Gauge {
    return new Gauge({ name: `djamms_${name}`, help, registers: [this.#registry] });
  }
}
