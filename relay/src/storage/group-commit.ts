/**
 * A commit starts at least this long after the previous one started (RP11). Each commit costs the
 * event loop far more than the updates in it: handing an fdatasync to the thread pool (about
 * 0.2 ms on a virtual machine), or a round trip and a commit in PostgreSQL. At a thousand busy
 * venues, commits back to back carried three updates each and their fsyncs were a quarter of the
 * relay's CPU. A lone update still commits at once.
 */
export const COMMIT_GAP_MS = 10;

/**
 * The gap between a cluster node's commits to PostgreSQL (RP40). A commit there costs a node more
 * than an fdatasync does (a statement to build, a round trip, a reply to read) and PostgreSQL a
 * parse and a WAL flush, and a node of a cluster carries only its share of the writes, so each of
 * its commits carries fewer: with three nodes on the bench's evening, 10 ms made a node's CPU per
 * write 1.50 × the single relay's and 20 ms 1.32 ×. 40 ms rather than 20 then cut a node's CPU per
 * write by 6 % with each venue on one node and 9–15 % with every venue spread over three, and
 * PostgreSQL's by 28 % (both placements): PostgreSQL is the part of a cluster that does not grow by
 * adding a node. A device hears `saved` up to 20 ms later, and another node's devices hear an
 * update about as much later (a node publishes what it committed).
 */
export const POSTGRES_COMMIT_GAP_MS = 40;

interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit (RP11), for the disk commit log and PostgreSQL alike: one commit takes everything
 * added during the current event-loop turn, and whatever is added while a commit runs goes into
 * the next, which starts once that one returns and a gap after it started. Commits run one at a
 * time; each added item resolves (or rejects) with the commit that carried it.
 */
export class GroupCommit<T> {
  readonly #commit: (items: T[]) => Promise<void>;
  readonly #gapMs: number;
  #waiting: Waiting<T>[] = [];
  #scheduled = false;
  /** `performance.now()` when the last commit started. */
  #lastStart = -Infinity;
  #committing: Promise<void> | null = null;
  /** Callers of {@link drained} waiting for a commit that leaves nothing behind. */
  #drainers: (() => void)[] = [];

  /** `gapMs`: how long after a commit started the next may start. */
  constructor(commit: (items: T[]) => Promise<void>, gapMs = COMMIT_GAP_MS) {
    this.#commit = commit;
    this.#gapMs = gapMs;
  }

  /** Resolves once `item` is committed; rejects with its commit's error. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once the commit running now (if any) has finished. */
  current(): Promise<void> {
    return this.#committing ?? Promise.resolve();
  }

  /** Resolves once everything added so far has been committed or has failed. */
  drained(): Promise<void> {
    if (!this.#committing && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainers.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#committing) return;
    this.#scheduled = true;
    const start = () => {
      // a timer may fire a little early by this clock (libuv counts from the loop's cached time)
      const early = this.#lastStart + this.#gapMs - performance.now();
      if (early > 0) return void setTimeout(start, Math.ceil(early));
      this.#scheduled = false;
      this.#lastStart = performance.now();
      const batch = this.#waiting.splice(0);
      this.#committing = this.#commit(batch.map((w) => w.item))
        .then(
          () => batch.forEach((w) => w.resolve()),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          this.#committing = null;
          if (this.#waiting.length > 0) this.#schedule();
          else for (const drained of this.#drainers.splice(0)) drained();
        });
    };
    const wait = this.#lastStart + this.#gapMs - performance.now();
    if (wait > 0) setTimeout(start, wait);
    else setImmediate(start);
  }
}
