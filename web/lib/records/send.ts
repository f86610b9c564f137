/**
 * The venue's records (relay PROTOCOL RP33) leave a device here: a play from the player, a staff
 * action from the console, appended to the relay's journal. Offline, the post fails and the
 * service worker keeps it (its side-effect queue in IndexedDB) and sends it when the network is
 * back, with the entry's original time; the entry id makes a resend append nothing twice.
 */
import type { JournalEntryInput } from '@djamms/protocol';
import { appendJournal, RelayError } from '../relay-api';

/** Where records go: a venue's journal at its relay, and the token that may append to it. */
interface Journal {
  relay: string;
  token: string;
  venueId: string;
}

/** Most entries one post carries: what the relay takes at once (RP18). */
export const RECORDS_PER_POST = 100;

/** Records made in this task, by journal, not yet posted. */
const waiting = new Map<string, { journal: Journal; entries: JournalEntryInput[] }>();

/**
 * Sends one record, with the others made in the same task: a burst (a library import records an
 * action per track) goes out as a post per {@link RECORDS_PER_POST}, one after another, not as a
 * post each, whose thousands of requests a phone then has to make and collect (issue 9). Sent at
 * the end of the task, so a record a closing page makes still goes out with the page's keepalive.
 */
export function sendRecord(journal: Journal, entry: JournalEntryInput): void {
  const key = `${journal.relay} ${journal.venueId} ${journal.token}`;
  const burst = waiting.get(key);
  if (burst) {
    burst.entries.push(entry);
    return;
  }
  waiting.set(key, { journal, entries: [entry] });
  queueMicrotask(() => {
    const done = waiting.get(key)!;
    waiting.delete(key);
    void post(done.journal, done.entries);
  });
}

/** How often a post the relay found too fast (429) is tried again, a second more apart each time. */
const RATE_LIMITED_TRIES = 8;

/**
 * Posts `entries` in turn. A post refused for its rate waits and goes again (a long import's
 * posts come after its uploads, on the same token); another refusal is logged (nothing a person
 * could fix); a network failure is queued.
 */
async function post(journal: Journal, entries: JournalEntryInput[]): Promise<void> {
  for (let i = 0; i < entries.length; i += RECORDS_PER_POST) {
    const batch = entries.slice(i, i + RECORDS_PER_POST);
    for (let tries = 1; ; tries++) {
      try {
        await appendJournal(journal.relay, journal.token, journal.venueId, batch);
      } catch (e) {
        if (e instanceof RelayError && e.status === 429 && tries < RATE_LIMITED_TRIES) {
          await new Promise((resolve) => setTimeout(resolve, tries * 1000));
          continue;
        }
        if (e instanceof RelayError)
          console.warn(`The relay refused ${batch.length} ${batch[0]!.kind} records`, e.message);
        // Otherwise offline: the service worker keeps the post and replays it.
      }
      break;
    }
  }
}

/** A record's id: unique, made once, so every resend of it is the same entry (RP18). */
export const recordId = (kind: 'play' | 'action') => `${kind[0]}-${crypto.randomUUID()}`;
