import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalEntry } from '@djamms/protocol';
import { appendDurably, keepRanges, readRange, scanLines, setAside } from './journal-file';
import {
  compactionDue,
  emptyIndex,
  entryOf,
  index,
  keptLines,
  lineRanges,
  parseLine,
  reindex,
  retained,
  select,
  type JournalIndex,
  type JournalQuery,
  type JournalRetention,
} from './journal-index';

export type { JournalQuery, JournalRetention } from './journal-index';

/** Neither budget may be smaller than this: it must hold many of the largest entries (RP29). */
export const MIN_RETENTION_BYTES = 64 * 1024;

/**
 * Throws unless `MIN_RETENTION_BYTES ≤ maxGuestBytes ≤ maxBytes` and plays are kept for some time
 * (every journal store checks).
 */
export function checkRetention(retention: JournalRetention): void {
  if (
    retention.maxGuestBytes < MIN_RETENTION_BYTES ||
    retention.maxBytes < retention.maxGuestBytes
  ) {
    throw new Error(`journal budgets: ${MIN_RETENTION_BYTES} ≤ guest bytes ≤ all bytes`);
  }
  if (!(retention.historyMs > 0)) throw new Error('play history must be kept for some time');
}

/**
 * One venue's retained entries as an index: where each line is, not the entry itself (the file
 * holds those; an ephemeral relay keeps the lines).
 */
interface VenueJournal extends JournalIndex {
  readonly path: string | null;
  /** Every operation on the venue runs after the previous one (appends, reads, compaction). */
  tail: Promise<void>;
  busy: number;
  lastUsed: number;
  /** A write failed: the file may hold bytes the index does not know; reload before going on. */
  broken: boolean;
}

/**
 * Where venue journals live (RP18, RP29, RP33, RP34): the seam a shared store plugs into in cluster mode. Every
 * implementation passes journal-contract.ts.
 */
export interface JournalStore {
  /** Appends the entries whose ids are new; returns how many were appended and the last seq. */
  append(
    venueId: string,
    entries: readonly Omit<JournalEntry, 'seq'>[],
  ): Promise<{ appended: number; last: number }>;
  /** The retained entries a query selects, oldest first (RP18, RP34). */
  read(venueId: string, query: JournalQuery): Promise<JournalEntry[]>;
  /** Frees what venues unused for `idleMs` hold in memory. */
  unloadIdle(idleMs: number): Promise<void>;
}

/**
 * Per-venue append-only journal (RP18, RP29, RP33): JSON lines in
 * `<data>/journal/<venueId>.jsonl`, fsynced before the append is answered, idempotent by entry id.
 * Only an index of the retained entries stays in memory; the file is streamed on open and read by
 * range. Compaction keeps plays younger than the history kept and the newest other entries within
 * the retention budgets (guest entries within their own), and rewrites the file atomically once it
 * holds a quarter more than that. A torn last line is set aside on open. In ephemeral mode the
 * lines are kept in memory, within the same budgets.
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

  /** The retained entries a query selects, oldest first (RP18, RP34). */
  read(venueId: string, query: JournalQuery): Promise<JournalEntry[]> {
    return this.#run(venueId, (journal) => readEntries(journal, select(journal, query)));
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
      ...emptyIndex(!path),
      path,
      tail: Promise.resolve(),
      busy: 0,
      lastUsed: this.#now(),
      broken: false,
    };
    if (!path) return journal;
    // Lines that are not entries, or not after the one before (damage: a bad copy, a disk
    // fault), are set aside and the lines after them kept. Damaged lines after the last entry may
    // each have held the next seq: seqs go on after them (RP18, never reused).
    const kept: [number, number][] = [];
    const damaged: [number, number][] = [];
    let skipped = 0;
    const scanned = await scanLines(path, (line, offset) => {
      const entry = parseLine(line);
      const range: [number, number] = [offset, offset + line.byteLength + 1];
      if (!entry || entry.seq <= journal.lastSeq) {
        damaged.push(range);
        skipped++;
      } else {
        kept.push(range);
        skipped = 0;
        index(journal, entry, line.byteLength + 1);
      }
      return true;
    });
    if (scanned && (damaged.length > 0 || scanned.good < scanned.size)) {
      // a torn last line (a crash mid-write) is set aside too
      damaged.push([scanned.good, scanned.size]);
      await setAside(path, kept, damaged, this.#now());
      journal.lastSeq += skipped;
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

  /** Compacts once the journal holds a quarter more than it retains (RP29). */
  async #compactIfDue(journal: VenueJournal): Promise<void> {
    const now = this.#now();
    if (!compactionDue(journal, this.#retention, now)) return;
    const keep = retained(journal, this.#retention, now);
    if (journal.path) await keepRanges(journal.path, lineRanges(journal, keptLines(keep)));
    reindex(journal, keep);
  }
}

/** Unwanted bytes between wanted lines that one read takes rather than start another. */
const READ_GAP_BYTES = 64 * 1024;

/**
 * The entries at the given positions (ascending). Wanted lines close together are read in one go
 * (plays between guest entries), so a page costs a few reads however its lines interleave.
 */
async function readEntries(journal: VenueJournal, positions: number[]): Promise<JournalEntry[]> {
  if (journal.lines) return positions.map((i) => entryOf(journal.lines![i] as string));
  const { offsets, sizes } = journal;
  const out: JournalEntry[] = [];
  for (let first = 0; first < positions.length;) {
    let last = first;
    const end = (k: number) =>
      (offsets[positions[k]!] as number) + (sizes[positions[k]!] as number);
    while (
      last + 1 < positions.length &&
      (offsets[positions[last + 1]!] as number) - end(last) <= READ_GAP_BYTES
    ) {
      last++;
    }
    const start = offsets[positions[first]!] as number;
    const bytes = await readRange(journal.path as string, [start, end(last)]);
    for (let k = first; k <= last; k++) {
      const from = (offsets[positions[k]!] as number) - start;
      const line = bytes.toString('utf8', from, from + (sizes[positions[k]!] as number) - 1);
      out.push(entryOf(line));
    }
    first = last + 1;
  }
  return out;
}
