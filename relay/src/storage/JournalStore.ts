import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalEntry } from '@djamms/protocol';
import { writeFileDurably } from './durable-file';

interface VenueJournal {
  entries: JournalEntry[];
  ids: Set<string>;
  tail: Promise<void>;
}

/**
 * Per-venue append-only journal (RP18): JSON lines in `<data>/journal/<venueId>.jsonl`, fsynced
 * before the append is answered. Idempotent by entry id: a retried batch appends nothing twice.
 * A torn last line (crash mid-write) is copied aside and cut off on load, so later appends stay
 * readable. In ephemeral mode nothing is written.
 */
export class JournalStore {
  readonly #dir: string | null;
  readonly #venues = new Map<string, Promise<VenueJournal>>();

  constructor(dataDir: string | null) {
    this.#dir = dataDir ? join(dataDir, 'journal') : null;
  }

  #open(venueId: string): Promise<VenueJournal> {
    let journal = this.#venues.get(venueId);
    if (!journal) {
      journal = this.#load(venueId);
      this.#venues.set(venueId, journal);
      journal.catch(() => this.#venues.delete(venueId));
    }
    return journal;
  }

  async #load(venueId: string): Promise<VenueJournal> {
    const journal: VenueJournal = { entries: [], ids: new Set(), tail: Promise.resolve() };
    if (!this.#dir) return journal;
    const path = join(this.#dir, `${venueId}.jsonl`);
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return journal;
      throw error;
    }
    let good = 0;
    while (good < data.byteLength) {
      const end = data.indexOf(0x0a, good);
      if (end < 0) break; // a torn last line (crash mid-write)
      try {
        const entry = JSON.parse(data.subarray(good, end).toString('utf8')) as JournalEntry;
        journal.entries.push(entry);
        journal.ids.add(entry.id);
      } catch {
        break;
      }
      good = end + 1;
    }
    if (good < data.byteLength) await setTailAside(path, data, good);
    return journal;
  }

  /** Appends the entries whose ids are new; returns how many were appended and the last seq. */
  async append(
    venueId: string,
    entries: readonly Omit<JournalEntry, 'seq'>[],
  ): Promise<{ appended: number; last: number }> {
    const journal = await this.#open(venueId);
    const run = journal.tail.then(() => this.#appendNow(venueId, journal, entries));
    journal.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #appendNow(
    venueId: string,
    journal: VenueJournal,
    entries: readonly Omit<JournalEntry, 'seq'>[],
  ): Promise<{ appended: number; last: number }> {
    const fresh: JournalEntry[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
      if (journal.ids.has(entry.id) || seen.has(entry.id)) continue;
      seen.add(entry.id);
      fresh.push({ ...entry, seq: journal.entries.length + fresh.length + 1 });
    }
    if (fresh.length > 0 && this.#dir) {
      await mkdir(this.#dir, { recursive: true });
      const path = join(this.#dir, `${venueId}.jsonl`);
      await appendFile(path, fresh.map((e) => JSON.stringify(e) + '\n').join(''));
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const entry of fresh) {
      journal.entries.push(entry);
      journal.ids.add(entry.id);
    }
    return { appended: fresh.length, last: journal.entries.length };
  }

  /** Entries after `after` (a seq), at most `limit`. */
  async read(venueId: string, after: number, limit: number): Promise<JournalEntry[]> {
    const journal = await this.#open(venueId);
    return journal.entries.slice(after, after + limit);
  }
}

/** Copies an unreadable tail aside and cuts it off, so later appends stay readable. */
async function setTailAside(path: string, data: Buffer, good: number): Promise<void> {
  await writeFileDurably(`${path}.corrupt-${Date.now()}`, data.subarray(good));
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(good);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
