/**
 * The media cache (research/pwa-anchors.md §1.3–1.5): tracks the venue will play soon are fetched
 * whole (no Range, so a full 200) into a Cache Storage cache of their own, with progress, checked
 * against Content-Length (a partial or broken download is dropped and retried), and played from a
 * blob URL, so playback needs neither the network nor the service worker. An LRU byte budget evicts
 * only media that is not wanted; what is queued is never evicted.
 */
import { createStore, get, set, type UseStore } from 'idb-keyval';

export const MEDIA_CACHE = 'djamms-media';
const DEFAULT_BUDGET = 1024 * 1024 * 1024;

interface IndexEntry {
  size: number;
  usedAt: number;
}

export interface MediaItemState {
  url: string;
  status: 'waiting' | 'downloading' | 'cached' | 'failed';
  received: number;
  total: number | null;
  error?: string;
  /** The relay does not have the file (404): retried only when the wanted list changes. */
  missing?: true;
}

export interface MediaCacheState {
  items: MediaItemState[];
  bytes: number;
  hits: number;
  misses: number;
}

let indexDb: UseStore | undefined;
const indexStore = () => (indexDb ??= createStore('djamms-media-index', 'keyval'));

/** Playback lookups in this tab: served from the media cache, or not there yet. */
export const mediaCounters = { hits: 0, misses: 0 };

/** What the media cache holds on this device (for diagnostics). */
export async function mediaSummary(): Promise<{ files: number; bytes: number }> {
  const index = (await get<Record<string, IndexEntry>>('index', indexStore())) ?? {};
  const entries = Object.values(index);
  return { files: entries.length, bytes: entries.reduce((n, e) => n + e.size, 0) };
}

export class MediaCache {
  private wanted: string[] = [];
  private readonly items = new Map<string, MediaItemState>();
  private index: Record<string, IndexEntry> = {};
  private running = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private readonly loaded: Promise<void>;

  constructor(
    private readonly onChange: (state: MediaCacheState) => void,
    private readonly budget = DEFAULT_BUDGET,
  ) {
    this.loaded = get<Record<string, IndexEntry>>('index', indexStore()).then((i) => {
      this.index = i ?? {};
    });
    addEventListener('online', this.retryNow);
  }

  private emit() {
    this.onChange({
      // Copies: the UI compares items by identity.
      items: this.wanted.map((url) => ({
        ...(this.items.get(url) ?? { url, status: 'waiting', received: 0, total: null }),
      })),
      bytes: Object.values(this.index).reduce((n, e) => n + e.size, 0),
      hits: mediaCounters.hits,
      misses: mediaCounters.misses,
    });
  }

  /** The urls that should be on this device, in play order (queued first). */
  want(urls: string[]) {
    const next = [...new Set(urls)];
    if (next.join('\n') === this.wanted.join('\n')) return;
    this.wanted = next;
    for (const item of this.items.values()) delete item.missing;
    this.emit();
    void this.run();
  }

  private readonly retryNow = () => {
    this.failures = 0;
    void this.run();
  };

  private async run() {
    await this.loaded;
    if (this.running) return;
    this.running = true;
    try {
      const cache = await caches.open(MEDIA_CACHE);
      for (const url of this.wanted) {
        if (await this.isCached(cache, url)) continue;
        // A missing file stays missing: it does not hold back the tracks after it.
        if (this.items.get(url)?.missing) continue;
        const ok = await this.download(cache, url);
        if (!ok && this.items.get(url)?.missing) continue;
        if (!ok) {
          this.failures += 1;
          if (this.retryTimer) clearTimeout(this.retryTimer);
          const wait = Math.min(60_000, 1000 * 2 ** this.failures) * (0.5 + Math.random() / 2);
          this.retryTimer = setTimeout(() => void this.run(), wait);
          break;
        }
        this.failures = 0;
      }
      await this.evict(cache);
    } finally {
      this.running = false;
      this.emit();
    }
  }

  private async isCached(cache: Cache, url: string): Promise<boolean> {
    const known = this.index[url];
    if (known && (await cache.match(url))) {
      this.items.set(url, { url, status: 'cached', received: known.size, total: known.size });
      return true;
    }
    return false;
  }

  /** Fetches `url` whole and stores it only if every byte arrived. */
  private async download(cache: Cache, url: string): Promise<boolean> {
    const item: MediaItemState = { url, status: 'downloading', received: 0, total: null };
    this.items.set(url, item);
    this.emit();
    try {
      const res = await fetch(url, { mode: 'cors', cache: 'no-store' });
      if (res.status === 404) {
        item.missing = true;
        throw new Error('the file is missing on the relay');
      }
      if (res.status !== 200 || !res.body) throw new Error(`status ${res.status}`);
      const length = Number(res.headers.get('content-length'));
      item.total = Number.isFinite(length) && length > 0 ? length : null;
      const reader = res.body.getReader();
      const chunks: Uint8Array[] = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        item.received += value.byteLength;
        this.emit();
      }
      const type = res.headers.get('content-type') ?? 'application/octet-stream';
      const blob = new Blob(chunks as BlobPart[], { type });
      if (item.total !== null && blob.size !== item.total) {
        throw new Error(`partial download: ${blob.size} of ${item.total} bytes`);
      }
      await cache.put(
        url,
        new Response(blob, {
          status: 200,
          headers: { 'content-type': type, 'content-length': String(blob.size) },
        }),
      );
      this.index[url] = { size: blob.size, usedAt: Date.now() };
      await set('index', this.index, indexStore());
      item.status = 'cached';
      return true;
    } catch (e) {
      await cache.delete(url);
      item.status = 'failed';
      item.error = e instanceof Error ? e.message : String(e);
      if (e instanceof DOMException && e.name === 'QuotaExceededError') this.failures = 10;
      return false;
    } finally {
      this.emit();
    }
  }

  /** Evicts least recently used media that is not wanted until the cache fits the budget. */
  private async evict(cache: Cache) {
    let total = Object.values(this.index).reduce((n, e) => n + e.size, 0);
    if (total <= this.budget) return;
    const keep = new Set(this.wanted);
    const victims = Object.entries(this.index)
      .filter(([url]) => !keep.has(url))
      .sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [url, entry] of victims) {
      if (total <= this.budget) break;
      await cache.delete(url);
      delete this.index[url];
      total -= entry.size;
    }
    await set('index', this.index, indexStore());
  }

  /** What the cache knows of `url` (waiting, downloading, cached, failed or missing). */
  item(url: string): MediaItemState | undefined {
    return this.items.get(url);
  }

  /**
   * A blob URL for `url` from the cache (revoke it when the track ends), or null when the media is
   * not on this device yet.
   */
  async playable(url: string): Promise<string | null> {
    await this.loaded;
    const cache = await caches.open(MEDIA_CACHE);
    const hit = await cache.match(url);
    if (!hit) {
      mediaCounters.misses += 1;
      this.emit();
      void this.run();
      return null;
    }
    mediaCounters.hits += 1;
    const entry = this.index[url];
    if (entry) entry.usedAt = Date.now();
    this.emit();
    return URL.createObjectURL(await hit.blob());
  }

  destroy() {
    removeEventListener('online', this.retryNow);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}
