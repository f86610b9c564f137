/**
 * A venue journal's index (RP18, RP29, RP34): where each retained line is and the little needed to
 * choose lines without reading them (seq, id, kind, time, guest or not), as parallel arrays that cost
 * a few words an entry. Retention, compaction bookkeeping and queries are pure functions over it.
 */
import type { JournalEntry } from '@djamms/protocol';
import type { ByteRange } from './journal-file';

/** What a venue's journal keeps (RP29, RP33). */
export interface JournalRetention {
  /** Bytes of entries (JSON lines) a venue keeps in all, plays aside. */
  readonly maxBytes: number;
  /** Bytes of those that guest entries (requests and votes) may take. */
  readonly maxGuestBytes: number;
  /** How long `play` entries are kept, by their time, in milliseconds; they count in no byte budget. */
  readonly historyMs: number;
}

/** The record kind retention keeps by age (RP33). */
export const PLAY_KIND = 'play';

/** Which retained entries a read wants (RP18, RP34). */
export interface JournalQuery {
  /** Only entries with a seq above this (default 0). */
  readonly after?: number;
  /** Only entries with a seq below this (default: no bound). */
  readonly before?: number;
  /** Only these kinds (default: every kind). */
  readonly kinds?: readonly string[];
  /** Only entries with `from ≤ at < to`. */
  readonly from?: number;
  readonly to?: number;
  readonly limit: number;
  /** The newest `limit` of the matches instead of the oldest; still returned oldest first. */
  readonly newest?: boolean;
}

/** The index of one venue's retained entries, oldest first. */
export interface JournalIndex {
  readonly seqs: number[];
  readonly ids: string[];
  readonly kinds: string[];
  readonly ats: number[];
  readonly offsets: number[];
  readonly sizes: number[];
  readonly guests: boolean[];
  /** The lines themselves when nothing is on disk. */
  readonly lines: string[] | null;
  /** Ids of retained entries: a retried batch appends nothing twice (RP18). */
  readonly known: Set<string>;
  bytes: number;
  guestBytes: number;
  playBytes: number;
  /** The earliest `at` of a retained play (Infinity with none): expired plays are looked for only then. */
  oldestPlay: number;
  lastSeq: number;
}

/** What one line of the file must hold for the index. */
export interface IndexedLine {
  readonly id: string;
  readonly seq: number;
  readonly role: string;
  readonly kind: string;
  readonly at: number;
}

/** An empty index; `inMemory` keeps the lines too (an ephemeral relay). */
export function emptyIndex(inMemory: boolean): JournalIndex {
  return {
    seqs: [],
    ids: [],
    kinds: [],
    ats: [],
    offsets: [],
    sizes: [],
    guests: [],
    lines: inMemory ? [] : null,
    known: new Set(),
    bytes: 0,
    guestBytes: 0,
    playBytes: 0,
    oldestPlay: Infinity,
    lastSeq: 0,
  };
}

/** The fields the index needs from a stored line, or null when it is not one. */
export function parseLine(line: Buffer | string): IndexedLine | null {
  try {
    const e = JSON.parse(line.toString()) as Partial<IndexedLine> | null;
    if (typeof e?.id !== 'string' || !Number.isInteger(e.seq)) return null;
    const at = typeof e.at === 'number' && Number.isFinite(e.at) ? e.at : 0;
    return { id: e.id, seq: e.seq as number, role: String(e.role), kind: String(e.kind), at };
  } catch {
    return null;
  }
}

/** Few distinct kinds, many entries: one string each, not one per entry. */
const kindNames = new Map<string, string>();
const interned = (kind: string) => {
  let name = kindNames.get(kind);
  if (name === undefined && kindNames.size < 1000) kindNames.set(kind, (name = kind));
  return name ?? kind;
};

/** Adds a line of `size` bytes at the end. */
export function index(journal: JournalIndex, entry: IndexedLine, size: number): void {
  const guest = entry.role === 'guest';
  journal.seqs.push(entry.seq);
  journal.ids.push(entry.id);
  journal.kinds.push(interned(entry.kind));
  journal.ats.push(entry.at);
  journal.offsets.push(journal.bytes);
  journal.sizes.push(size);
  journal.guests.push(guest);
  journal.known.add(entry.id);
  journal.bytes += size;
  if (guest) journal.guestBytes += size;
  if (entry.kind === PLAY_KIND) {
    journal.playBytes += size;
    journal.oldestPlay = Math.min(journal.oldestPlay, entry.at);
  }
  journal.lastSeq = entry.seq;
}

/** Bytes of plays older than the history kept (RP33), as of `now`. */
function expiredPlayBytes(journal: JournalIndex, historyMs: number, now: number): number {
  const cutoff = now - historyMs;
  if (journal.oldestPlay >= cutoff) return 0;
  let bytes = 0;
  journal.kinds.forEach((kind, i) => {
    if (kind === PLAY_KIND && (journal.ats[i] as number) < cutoff)
      bytes += journal.sizes[i] as number;
  });
  return bytes;
}

/**
 * True once the journal holds a quarter more than it retains, so each byte is rewritten a bounded
 * number of times (at most about four) however long the venue runs.
 */
export function compactionDue(journal: JournalIndex, retention: JournalRetention, now: number) {
  const others = journal.bytes - journal.playBytes;
  const guestExcess = Math.max(0, journal.guestBytes - retention.maxGuestBytes);
  const excess =
    guestExcess +
    Math.max(0, others - guestExcess - retention.maxBytes) +
    expiredPlayBytes(journal, retention.historyMs, now);
  return excess > 0 && excess * 4 >= journal.bytes - excess;
}

/**
 * Which entries retention keeps (RP29, RP33): plays while younger than the history kept; walking
 * from the newest, guest entries while the guest budget lasts and every other entry while the whole
 * budget lasts; the newest entry always (the next seq continues from it).
 */
export function retained(journal: JournalIndex, retention: JournalRetention, now: number) {
  const { maxBytes, maxGuestBytes, historyMs } = retention;
  const cutoff = now - historyMs;
  const keep = new Array<boolean>(journal.seqs.length).fill(false);
  let bytes = 0;
  let guestBytes = 0;
  let guestsFull = false;
  let othersFull = false;
  for (let i = journal.seqs.length - 1; i >= 0; i--) {
    const size = journal.sizes[i] as number;
    const guest = journal.guests[i] as boolean;
    if (i === journal.seqs.length - 1) keep[i] = true;
    else if (journal.kinds[i] === PLAY_KIND) keep[i] = (journal.ats[i] as number) >= cutoff;
    else if (guest && (guestsFull || guestBytes + size > maxGuestBytes)) guestsFull = true;
    else if (othersFull || bytes + size > maxBytes) othersFull = true;
    else keep[i] = true;
    if (keep[i] && journal.kinds[i] !== PLAY_KIND) {
      bytes += size;
      if (guest) guestBytes += size;
    }
  }
  return keep;
}

/** The file ranges of the given lines (ascending), neighbours merged. */
export function lineRanges(journal: JournalIndex, lines: Iterable<number>): ByteRange[] {
  const ranges: [number, number][] = [];
  for (const i of lines) {
    const start = journal.offsets[i] as number;
    const end = start + (journal.sizes[i] as number);
    const last = ranges[ranges.length - 1];
    if (last && last[1] === start) last[1] = end;
    else ranges.push([start, end]);
  }
  return ranges;
}

/** The indices of the kept lines. */
export function keptLines(keep: readonly boolean[]): number[] {
  const out: number[] = [];
  keep.forEach((kept, i) => kept && out.push(i));
  return out;
}

/** Drops what compaction dropped from the index; offsets follow the rewritten file. */
export function reindex(journal: JournalIndex, keep: readonly boolean[]): void {
  const { seqs, ids, kinds, ats, sizes, guests, lines } = journal;
  for (let i = 0; i < keep.length; i++) if (!keep[i]) journal.known.delete(ids[i] as string);
  const lists: unknown[][] = [seqs, ids, kinds, ats, sizes, guests, ...(lines ? [lines] : [])];
  for (const list of lists) {
    let to = 0;
    for (let from = 0; from < keep.length; from++) if (keep[from]) list[to++] = list[from];
    list.length = to;
  }
  journal.offsets.length = 0;
  journal.bytes = 0;
  journal.guestBytes = 0;
  journal.playBytes = 0;
  journal.oldestPlay = Infinity;
  sizes.forEach((size, i) => {
    journal.offsets.push(journal.bytes);
    journal.bytes += size;
    if (guests[i]) journal.guestBytes += size;
    if (kinds[i] === PLAY_KIND) {
      journal.playBytes += size;
      journal.oldestPlay = Math.min(journal.oldestPlay, ats[i] as number);
    }
  });
}

/** The first position whose seq is above `seq`. */
function firstAbove(seqs: readonly number[], seq: number): number {
  let low = 0;
  let high = seqs.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((seqs[mid] as number) <= seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The positions of the lines a query selects, ascending, at most its limit. */
export function select(journal: JournalIndex, query: JournalQuery): number[] {
  const { seqs, kinds, ats } = journal;
  const low = firstAbove(seqs, query.after ?? 0);
  const high = query.before === undefined ? seqs.length : firstAbove(seqs, query.before - 1);
  const from = query.from ?? -Infinity;
  const to = query.to ?? Infinity;
  const wanted = query.kinds ? new Set(query.kinds) : null;
  const matches = (i: number) =>
    (!wanted || wanted.has(kinds[i] as string)) &&
    (ats[i] as number) >= from &&
    (ats[i] as number) < to;
  const out: number[] = [];
  if (query.newest) {
    for (let i = high - 1; i >= low && out.length < query.limit; i--) if (matches(i)) out.push(i);
    return out.reverse();
  }
  for (let i = low; i < high && out.length < query.limit; i++) if (matches(i)) out.push(i);
  return out;
}

/** Parses stored lines read back from the file or memory. */
export const entryOf = (line: string) => JSON.parse(line) as JournalEntry;
