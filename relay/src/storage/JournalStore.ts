import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalEntry } from '@djamms/protocol';
import {
  appendDurably,
  keepRanges,
  readRange,
  scanLines,
  setTailAside,
  type ByteRange,
} from './journal-file';

/** What a venue's journal keeps (RP29): the newest entries within byte budgets. */
export interface JournalRetention {
  /** Bytes of entries (JSON lines) a venue keeps in all. */
  readonly maxBytes: number;
  /** Bytes of those that guest entries (requests and votes) may take. */
  readonly maxGuestBytes: number;
}

/** Neither budget may be smaller than this: it must hold many of the largest entries (RP29). */
export const MIN_RETENTION_BYTES = 64 * 1024;

/** Throws unless `MIN_RETENTION_BYTES ≤ maxGuestBytes ≤ maxBytes` (every journal store checks). */
export function checkRetention(retention: JournalRetention): void {
  if (
    retention.maxGuestBytes < MIN_RETENTION_BYTES ||
    retention.maxBytes < retention.maxGuestBytes
  ) {
    throw new Error(`journal budgets: ${MIN_RETENTION_BYTES} ≤ guest bytes ≤ all bytes`);
  }
}

/**
 * One venue's retained entries as an index: where each line is, not the entry itself (the file
 * holds those; an ephemeral relay keeps the lines). Parallel arrays cost a few words an entry.
 */
interface VenueJournal {
  readonly path: string | null;
  readonly seqs: number[];
  readonly ids: string[];
  readonly offsets: number[];
  readonly sizes: number[];
  readonly guests: boolean[];
  /** The lines themselves when nothing is on disk. */
  readonly lines: string[] | null;
  /** Ids of retained entries: a retried batch appends nothing twice (RP18). */
  readonly known: Set<string>;
  bytes: number;
  guestBytes: number;
  lastSeq: number;
  /** Every operation on the venue runs after the previous one (appends, reads, compaction). */
  tail: Promise<void>;
  busy: number;
  lastUsed: number;
  /** A write failed: the file may hold bytes the index does not know; reload before going on. */
  broken: boolean;
}

/** What one line of the file must hold for the index. */
interface StoredLine {
  readonly id: string;
  readonly seq: number;
  readonly role: string;
}

/**
 * Where venue journals live (RP18, RP29): the seam a shared store plugs into in cluster mode. Every
 * implementation passes journal-contract.ts.
 */
export interface JournalStore {
  /** Appends the entries whose ids are new; returns how many were appended and the last seq. */
  append(
    venueId: string,
    entries: readonly Omit<JournalEntry, 'seq'>[],
  ): Promise<{ appended: number; last: number }>;
  /** Retained entries with a seq above `after`, oldest first, at most `limit`. */
  read(venueId: string, after: number, limit: number): Promise<JournalEntry[]>;
  /** Frees what venues unused for `idleMs` hold in memory. */
  unloadIdle(idleMs: number): Promise<void>;
}

/**
 * Per-venue append-only journal (RP18, RP29): JSON lines in `<data>/journal/<venueId>.jsonl`,
 * fsynced before the append is answered, idempotent by entry id. Only an index of the retained
 * entries stays in memory; the file is streamed on open and read by range. Compaction keeps the
 * newest entries within the retention budgets (guest entries within their own) and rewrites the
 * file atomically once it holds a quarter more than that. A torn last line is set aside on open.
 * In ephemeral mode the lines are kept in memory, within the same budgets.
 */
export class FileJournalStore implements JournalStore {
  readonly #dir: string | null;
  readonly #retention: JournalRetention;
  readonly #now: () => number;
  readonly #venues = new Map<string, Promise<VenueJournal>>();

  constructor(dataDir: string | null, retention: JournalRetention, now: () => number = Date.now) {
    checkRetention(retention);
    this.#dir = dataDir ? join(dataDir, 'journal') : null;
    this.#retention = retention;
    this.#now = now;
  }

  /** Appends the entries whose ids are new; returns how many were appended and the last seq. */
  append(
    venueId: string,
    entries: readonly Omit<JournalEntry, 'seq'>[],
  ): Promise<{ appended: number; last: number }> {
    return this.#run(venueId, (journal) => this.#appendNow(journal, entries));
  }

  /** Retained entries with a seq above `after`, oldest first, at most `limit`. */
  read(venueId: string, after: number, limit: number): Promise<JournalEntry[]> {
    return this.#run(venueId, (journal) => readEntries(journal, after, limit));
  }

  /**
   * Forgets the index of venues unused since `idleMs` ago (it is rebuilt from the file on next
   * use), so a relay of many venues holds only the busy ones. Ephemeral journals are kept.
   */
  async unloadIdle(idleMs: number): Promise<void> {
    if (!this.#dir) return;
    const cutoff = this.#now() - idleMs;
    for (const [venueId, opening] of this.#venues) {
      const journal = await opening.catch(() => null);
      if (journal && journal.busy === 0 && journal.lastUsed < cutoff) {
        if (this.#venues.get(venueId) === opening) this.#venues.delete(venueId);
      }
    }
  }

  async #run<T>(venueId: string, work: (journal: VenueJournal) => Promise<T>): Promise<T> {
    let opening = this.#open(venueId);
    let journal = await opening;
    // unloaded while we waited: never work on an index that another one may replace
    while (this.#venues.get(venueId) !== opening) {
      opening = this.#open(venueId);
      journal = await opening;
    }
    journal.busy++;
    const run = journal.tail.then(async () => {
      if (journal.broken) throw new Error(`the journal of ${venueId} failed a write; retry`);
      journal.lastUsed = this.#now();
      try {
        return await work(journal);
      } catch (error) {
        // the file may hold bytes the index does not: reload it (setting a torn tail aside)
        journal.broken = true;
        if (this.#venues.get(venueId) === opening) this.#venues.delete(venueId);
        throw error;
      }
    });
    journal.tail = run.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await run;
    } finally {
      journal.busy--;
    }
  }

  #open(venueId: string): Promise<VenueJournal> {
    let journal = this.#venues.get(venueId);
    if (!journal) {
      journal = this.#load(venueId);
      this.#venues.set(venueId, journal);
      const loading = journal;
      journal.catch(() => {
        if (this.#venues.get(venueId) === loading) this.#venues.delete(venueId);
      });
    }
    return journal;
  }

  async #load(venueId: string): Promise<VenueJournal> {
    const path = this.#dir ? join(this.#dir, `${venueId}.jsonl`) : null;
    const journal: VenueJournal = {
      path,
      seqs: [],
      ids: [],
      offsets: [],
      sizes: [],
      guests: [],
      lines: path ? null : [],
      known: new Set(),
      bytes: 0,
      guestBytes: 0,
      lastSeq: 0,
      tail: Promise.resolve(),
      busy: 0,
      lastUsed: this.#now(),
      broken: false,
    };
    if (!path) return journal;
    const scanned = await scanLines(path, (line) => {
      const entry = parseLine(line);
      if (!entry || entry.seq <= journal.lastSeq) return false;
      index(journal, entry, line.byteLength + 1);
      return true;
    });
    if (scanned && scanned.good < scanned.size) {
      await setTailAside(path, scanned.good, this.#now());
    }
    await this.#compactIfDue(journal);
    return journal;
  }

  async #appendNow(
    journal: VenueJournal,
    entries: readonly Omit<JournalEntry, 'seq'>[],
  ): Promise<{ appended: number; last: number }> {
    const fresh: JournalEntry[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
      if (journal.known.has(entry.id) || seen.has(entry.id)) continue;
      seen.add(entry.id);
      fresh.push({ ...entry, seq: journal.lastSeq + fresh.length + 1 });
    }
    if (fresh.length === 0) return { appended: 0, last: journal.lastSeq };
    const lines = fresh.map((e) => JSON.stringify(e) + '\n');
    if (journal.path && this.#dir) {
      await mkdir(this.#dir, { recursive: true });
      await appendDurably(journal.path, lines.join(''), journal.bytes === 0);
    }
    fresh.forEach((entry, i) => {
      const line = lines[i] as string;
      index(journal, entry, Buffer.byteLength(line));
      journal.lines?.push(line);
    });
    await this.#compactIfDue(journal);
    return { appended: fresh.length, last: journal.lastSeq };
  }

  /** Compacts when {@link compactionDue}: each byte is rewritten at most about four times. */
  async #compactIfDue(journal: VenueJournal): Promise<void> {
    if (!compactionDue(journal, this.#retention)) return;
    const keep = retained(journal, this.#retention);
    if (journal.path) await keepRanges(journal.path, lineRanges(journal, keep));
    reindex(journal, keep);
  }
}

function parseLine(line: Buffer): StoredLine | null {
  try {
    const entry = JSON.parse(line.toString('utf8')) as Partial<StoredLine> | null;
    if (typeof entry?.id !== 'string' || !Number.isInteger(entry.seq)) return null;
    return { id: entry.id, seq: entry.seq as number, role: String(entry.role) };
  } catch {
    return null;
  }
}

function index(journal: VenueJournal, entry: StoredLine, size: number): void {
  const guest = entry.role === 'guest';
  journal.seqs.push(entry.seq);
  journal.ids.push(entry.id);
  journal.offsets.push(journal.bytes);
  journal.sizes.push(size);
  journal.guests.push(guest);
  journal.known.add(entry.id);
  journal.bytes += size;
  if (guest) journal.guestBytes += size;
  journal.lastSeq = entry.seq;
}

/** A journal's entries in seq order as retention sees them: sizes in bytes, which are guests'. */
export interface RetainedSizes {
  readonly seqs: readonly number[];
  readonly sizes: readonly number[];
  readonly guests: readonly boolean[];
}

/**
 * Whether a journal of `bytes` (of which `guestBytes` are guest entries) is due for compaction:
 * once it holds a quarter more than it retains (RP29), so each byte is rewritten a bounded number
 * of times.
 */
export function compactionDue(
  { bytes, guestBytes }: { readonly bytes: number; readonly guestBytes: number },
  { maxBytes, maxGuestBytes }: JournalRetention,
): boolean {
  const guestExcess = Math.max(0, guestBytes - maxGuestBytes);
  const excess = guestExcess + Math.max(0, bytes - guestExcess - maxBytes);
  return excess > 0 && excess * 4 >= bytes - excess;
}

/**
 * Which entries retention keeps (RP29), walking from the newest: guest entries while the guest
 * budget lasts, every entry while the whole budget lasts; the newest entry always (the next seq
 * continues from it).
 */
export function retained(
  journal: RetainedSizes,
  { maxBytes, maxGuestBytes }: JournalRetention,
): boolean[] {
  const keep = new Array<boolean>(journal.seqs.length).fill(false);
  let bytes = 0;
  let guestBytes = 0;
  let guestsFull = false;
  for (let i = journal.seqs.length - 1; i >= 0; i--) {
    const size = journal.sizes[i] as number;
    const guest = journal.guests[i] as boolean;
    const isNewest = i === journal.seqs.length - 1;
    if (!isNewest && guest && (guestsFull || guestBytes + size > maxGuestBytes)) {
      guestsFull = true;
      continue;
    }
    if (!isNewest && bytes + size > maxBytes) break;
    keep[i] = true;
    bytes += size;
    if (guest) guestBytes += size;
  }
  return keep;
}

/** The file ranges of the kept lines, neighbours merged. */
function lineRanges(journal: VenueJournal, keep: readonly boolean[]): ByteRange[] {
  const ranges: [number, number][] = [];
  keep.forEach((kept, i) => {
    if (!kept) return;
    const start = journal.offsets[i] as number;
    const end = start + (journal.sizes[i] as number);
    const last = ranges[ranges.length - 1];
    if (last && last[1] === start) last[1] = end;
    else ranges.push([start, end]);
  });
  return ranges;
}

/** Drops what compaction dropped from the index; offsets follow the rewritten file. */
function reindex(journal: VenueJournal, keep: readonly boolean[]): void {
  const { seqs, ids, sizes, guests, lines } = journal;
  for (let i = 0; i < keep.length; i++) if (!keep[i]) journal.known.delete(ids[i] as string);
  const lists: unknown[][] = lines ? [seqs, ids, sizes, guests, lines] : [seqs, ids, sizes, guests];
  for (const list of lists) {
    let to = 0;
    for (let from = 0; from < keep.length; from++) if (keep[from]) list[to++] = list[from];
    list.length = to;
  }
  journal.offsets.length = 0;
  journal.bytes = 0;
  journal.guestBytes = 0;
  sizes.forEach((size, i) => {
    journal.offsets.push(journal.bytes);
    journal.bytes += size;
    if (guests[i]) journal.guestBytes += size;
  });
}

async function readEntries(
  journal: VenueJournal,
  after: number,
  limit: number,
): Promise<JournalEntry[]> {
  const { seqs } = journal;
  let low = 0;
  let high = seqs.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((seqs[mid] as number) <= after) low = mid + 1;
    else high = mid;
  }
  const end = Math.min(seqs.length, low + limit);
  if (low >= end) return [];
  if (journal.lines) {
    return journal.lines.slice(low, end).map((line) => JSON.parse(line) as JournalEntry);
  }
  const last = end - 1;
  const from = journal.offsets[low] as number;
  const to = (journal.offsets[last] as number) + (journal.sizes[last] as number);
  const text = (await readRange(journal.path as string, [from, to])).toString('utf8');
  return text
    .split('\n')
    .slice(0, end - low)
    .map((line) => JSON.parse(line) as JournalEntry);
}
