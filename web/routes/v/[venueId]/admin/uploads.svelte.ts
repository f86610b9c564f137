/**
 * Adding music to the library (admins): each chosen or dropped file is kept on this device
 * (IndexedDB), read (tags, cover, whether this browser can play it, its hash), recognised if the
 * library already holds it (venue SPEC VM29), uploaded with byte progress unless the relay already
 * has it, and put in the library with its tags (VM28). One file at a time, in the order chosen.
 * Without a network a file waits, and goes on when the relay is back or at the next visit.
 */
import { untrack } from 'svelte';
import { randomId } from '@djamms/venue';
import { uploadTypeOf } from '@djamms/protocol';
import {
  readFileTags,
  sha256Of,
  TagReaderMissing,
  UnreadableFile,
  type FileTags,
} from '$lib/media/file-tags';
import { forgetFile, keepFile, keptFiles } from '$lib/media/upload-store';
import { storedMediaType, uploadMedia } from '$lib/media/media-upload';
import { RelayError } from '$lib/relay-api';
import type { VenueSession } from '$lib/sync/venue-session.svelte';

/** Why a file was not added. */
export type RefusalReason = 'unsupported' | 'unreadable' | 'too-large' | 'not-allowed' | 'failed';

/** Where one file is. The last three are outcomes: the file has left the queue. */
export type UploadState =
  | { kind: 'waiting' }
  | { kind: 'reading' }
  | { kind: 'uploading'; sent: number; total: number }
  | { kind: 'offline' }
  | { kind: 'added'; track: string }
  | { kind: 'already'; track: string }
  | { kind: 'refused'; reason: RefusalReason; detail: string };

/** What reading a file found, kept so a retry after the network is back does not read it again. */
interface Prepared {
  type: string;
  tags: FileTags;
  durationMs: number;
  sha256: string | null;
}

/** One file on its way into the library. */
export class Upload {
  state = $state<UploadState>({ kind: 'waiting' });
  /** The track's title once the file's tags are read. */
  title = $state('');
  prepared: Prepared | null = null;

  constructor(
    readonly id: string,
    readonly file: File,
    /** It was chosen on an earlier visit and kept on this device. */
    readonly resumed: boolean,
    /** Settles once the file is kept on this device (or could not be). */
    readonly kept: Promise<void>,
  ) {}

  get finished(): boolean {
    const k = this.state.kind;
    return k === 'added' || k === 'already' || k === 'refused';
  }
}

/** A wait for the network that doubles from the first to the last. */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 30_000;
/** A browser that has not read a file's length by then cannot play it. */
const PLAYABLE_TIMEOUT_MS = 20_000;

/** The queue of files on their way into the library, with each file's outcome. */
export class Uploads {
  items = $state<Upload[]>([]);
  private running = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryMs = RETRY_FIRST_MS;
  /**
   * The relay could not be reached in this round: later files are only read (a file already in the
   * library, or one that cannot be added, is told at once) and wait for the next round.
   */
  private unreachable = false;
  private readonly onOnline = () => this.retryNow();

  constructor(private readonly session: VenueSession) {
    addEventListener('online', this.onOnline);
    // The relay is back for sync: it is back for uploads too.
    $effect(() => {
      if (session.venueLink?.connected) untrack(() => this.retryNow());
    });
    void this.restore();
  }

  /** Files waiting for the network (kept on this device until then). */
  get offline(): number {
    return this.items.filter((u) => u.state.kind === 'offline').length;
  }

  /** Queues files (from the picker or a drop) and starts on them. */
  add(files: readonly File[]) {
    const venueId = this.session.credential.venueId;
    const chosen = Date.now();
    for (const [i, file] of files.entries()) {
      const id = randomId(Math.random, 'u');
      // A device whose storage is full still uploads the file, from memory.
      const kept = keepFile({ id, venueId, file, chosen: chosen + i }).catch(() => undefined);
      this.items.push(new Upload(id, file, false, kept));
    }
    void this.run();
  }

  /** Takes finished files off the list. */
  clearFinished() {
    this.items = this.items.filter((u) => !u.finished);
  }

  destroy() {
    removeEventListener('online', this.onOnline);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /** Files kept from an earlier visit go on by themselves. */
  private async restore() {
    const kept = await keptFiles(this.session.credential.venueId).catch(() => []);
    const known = new Set(this.items.map((u) => u.id));
    const resumed = kept.filter((k) => !known.has(k.id));
    if (!resumed.length) return;
    this.items.unshift(...resumed.map((k) => new Upload(k.id, k.file, true, Promise.resolve())));
    void this.run();
  }

  private retryNow() {
    if (!this.items.some((u) => u.state.kind === 'offline')) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.unreachable = false;
    for (const u of this.items) if (u.state.kind === 'offline') u.state = { kind: 'waiting' };
    void this.run();
  }

  private retryLater() {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retryNow();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private async run() {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.nextWaiting(); next; next = this.nextWaiting()) {
        const state = await this.process(next);
        next.state = state;
        if (state.kind === 'offline') this.unreachable = true;
        // The screen says why in words; what the reader or the relay said goes to the log.
        if (state.kind === 'refused') console.warn('not added', next.file.name, state.detail);
        if (next.finished) {
          if (state.kind !== 'refused') this.retryMs = RETRY_FIRST_MS;
          void next.kept.then(() => forgetFile(this.session.credential.venueId, next.id));
        }
      }
    } finally {
      this.running = false;
    }
    if (this.items.some((u) => u.state.kind === 'offline')) this.retryLater();
  }

  private nextWaiting(): Upload | undefined {
    return this.items.find((u) => u.state.kind === 'waiting');
  }

  /** Takes one file as far as it can go now; answers where it ended. */
  private async process(upload: Upload): Promise<UploadState> {
    const library = this.session.libraryModel;
    try {
      upload.state = { kind: 'reading' };
      if (!upload.prepared) {
        const read = await prepare(upload.file);
        if ('refused' in read)
          return { kind: 'refused', reason: read.refused, detail: read.detail };
        upload.prepared = read;
      }
      const prepared = upload.prepared;
      upload.title = prepared.tags.track.title;
      const { type, sha256 } = prepared;
      const twin = sha256 ? library.trackWithMedia({ sha256, type }) : null;
      if (twin) return { kind: 'already', track: twin.id };
      if (this.unreachable || !navigator.onLine) return { kind: 'offline' };
      const media = await this.store(upload, prepared);
      const stored = library.trackWithMedia(media);
      if (stored) return { kind: 'already', track: stored.id };
      return this.put(prepared, media, upload.file.name);
    } catch (error) {
      return failure(error);
    }
  }

  /** The file's media on the relay: found by its hash, or uploaded with progress. */
  private async store(upload: Upload, { sha256 }: Prepared) {
    const c = this.session.credential;
    const known = sha256 ? await storedMediaType(c.relay, sha256) : null;
    if (sha256 && known) return { sha256, type: known };
    upload.state = { kind: 'uploading', sent: 0, total: upload.file.size };
    const up = await uploadMedia(c.relay, c.token, c.venueId, upload.file, (sent, total) => {
      upload.state = { kind: 'uploading', sent, total };
    });
    return { sha256: up.sha256, type: up.type };
  }

  /**
   * Puts the track, with its cover when the relay stores it and the name of its file, which
   * playlist files name it by (venue SPEC VM30).
   */
  private async put(prepared: Prepared, media: { sha256: string; type: string }, file: string) {
    const c = this.session.credential;
    const { cover, track } = prepared.tags;
    let artwork: { sha256: string; type: string } | undefined;
    if (cover) {
      const blob = new Blob([cover.data as Uint8Array<ArrayBuffer>], { type: cover.type });
      try {
        const up = await uploadMedia(c.relay, c.token, c.venueId, blob);
        artwork = { sha256: up.sha256, type: up.type };
      } catch (error) {
        // A cover the relay refuses is left out; without a network the whole file waits.
        if (error instanceof RelayError && retryable(error)) throw error;
      }
    }
    const put = this.session.libraryModel.putTrack({
      ...track,
      durationMs: prepared.durationMs || track.durationMs,
      media,
      explicit: false,
      ...(artwork ? { artwork } : {}),
      ...(fileName(file) ? { file: fileName(file) } : {}),
    });
    if (put.ok) return { kind: 'added', track: put.value } as const;
    const twin = this.session.libraryModel.trackWithMedia(media);
    if (twin) return { kind: 'already', track: twin.id } as const;
    return { kind: 'refused', reason: 'failed', detail: put.message } as const;
  }
}

/** Reads a file on this device: its type, tags, playable length and hash, or why it cannot be added. */
async function prepare(file: File): Promise<Prepared | { refused: RefusalReason; detail: string }> {
  const type = uploadTypeOf(file);
  if (!type || !/^(audio|video)\//.test(type)) return { refused: 'unsupported', detail: file.type };
  let tags: FileTags;
  try {
    tags = await readFileTags(file);
  } catch (error) {
    if (error instanceof UnreadableFile) return { refused: 'unreadable', detail: error.message };
    throw error;
  }
  const durationMs = await playableLength(file, type);
  if (durationMs === null) return { refused: 'unreadable', detail: 'this browser cannot play it' };
  return { type, tags, durationMs, sha256: await sha256Of(file) };
}

/**
 * How long the file plays, as this browser decodes it, in ms (0 when it cannot tell, e.g. a live
 * stream); null when it cannot play the file at all.
 */
function playableLength(file: File, type: string): Promise<number | null> {
  return new Promise((resolve) => {
    const media = document.createElement(type.startsWith('video/') ? 'video' : 'audio');
    const url = URL.createObjectURL(file);
    const timer = setTimeout(() => done(null), PLAYABLE_TIMEOUT_MS);
    function done(ms: number | null) {
      clearTimeout(timer);
      media.onloadedmetadata = media.onerror = null;
      media.removeAttribute('src');
      media.load();
      URL.revokeObjectURL(url);
      resolve(ms);
    }
    media.preload = 'metadata';
    media.onloadedmetadata = () =>
      done(Number.isFinite(media.duration) ? Math.round(media.duration * 1000) : 0);
    media.onerror = () => done(null);
    media.src = url;
  });
}

/** A file's name as the library keeps it (VM30): one line, at most 500 characters. */
const fileName = (name: string) =>
  name
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
    .slice(0, 500);

/** No network, or a relay too busy right now: the file waits and is tried again. */
const retryable = (e: RelayError) => e.status === 0 || e.status === 429 || e.status >= 500;

function failure(error: unknown): UploadState {
  if (error instanceof TagReaderMissing) return { kind: 'offline' };
  if (!(error instanceof RelayError)) {
    return { kind: 'refused', reason: 'failed', detail: String(error) };
  }
  if (retryable(error)) return { kind: 'offline' };
  const reason: RefusalReason =
    error.status === 413
      ? 'too-large'
      : error.status === 415
        ? 'unsupported'
        : error.status === 401 || error.status === 403
          ? 'not-allowed'
          : 'failed';
  return { kind: 'refused', reason, detail: error.message };
}
