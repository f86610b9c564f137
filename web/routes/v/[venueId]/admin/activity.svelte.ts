/**
 * The Log tab's live activity (issue 9): the venue's plays and staff actions from the relay's
 * journal, newest first. It follows the journal's cursor as the player does (a poll every few
 * seconds for what came after the newest shown) and reads backwards a page at a time for "Show
 * older" (RP34). An action made offline arrives when its device is back, with its original time:
 * the list is kept in time order, newest first, so it lands where it happened.
 */
import type { JournalEntry } from '@djamms/protocol';
import { readRecords } from '$lib/relay-api';
import type { VenueSession } from '$lib/sync/venue-session.svelte';

const POLL_MS = 3_000;
const PAGE = 50;

export class ActivityLog {
  /** Newest first. */
  entries = $state.raw<JournalEntry[]>([]);
  loaded = $state(false);
  /** The relay did not answer the last read. */
  unreachable = $state(false);
  /** Nothing older is kept. */
  complete = $state(false);
  loadingOlder = $state(false);
  private newest = 0;
  private oldest = Number.MAX_SAFE_INTEGER;
  private readonly timer: ReturnType<typeof setInterval>;
  private polling = false;

  constructor(private readonly session: VenueSession) {
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    void this.poll();
  }

  private get credential() {
    return this.session.credential;
  }

  /** Reads what came after the newest entry shown (the first time: the newest page). */
  private async poll() {
    const { relay, token, venueId } = this.credential;
    if (this.polling || !token) return;
    this.polling = true;
    try {
      if (!this.loaded) {
        const page = await readRecords(
          relay,
          token,
          venueId,
          { before: Number.MAX_SAFE_INTEGER },
          PAGE,
        );
        this.complete = page.entries.length < PAGE;
        this.add(page.entries);
        this.loaded = true;
      } else {
        let found = PAGE;
        while (found === PAGE) {
          const page = await readRecords(relay, token, venueId, { after: this.newest }, PAGE);
          this.add(page.entries);
          found = page.entries.length;
        }
      }
      this.unreachable = false;
    } catch {
      this.unreachable = true;
    } finally {
      this.polling = false;
    }
  }

  /** Reads the page before the oldest shown. */
  async showOlder() {
    const { relay, token, venueId } = this.credential;
    if (this.loadingOlder || this.complete) return;
    this.loadingOlder = true;
    try {
      const page = await readRecords(relay, token, venueId, { before: this.oldest }, PAGE);
      this.complete = page.entries.length < PAGE;
      this.add(page.entries);
      this.unreachable = false;
    } catch {
      this.unreachable = true;
    } finally {
      this.loadingOlder = false;
    }
  }

  private add(found: readonly JournalEntry[]) {
    if (found.length === 0) return;
    for (const e of found) {
      this.newest = Math.max(this.newest, e.seq);
      this.oldest = Math.min(this.oldest, e.seq);
    }
    const known = new Set(this.entries.map((e) => e.seq));
    this.entries = [...this.entries, ...found.filter((e) => !known.has(e.seq))].sort(
      (a, b) => b.at - a.at || b.seq - a.seq,
    );
  }

  destroy() {
    clearInterval(this.timer);
  }
}
