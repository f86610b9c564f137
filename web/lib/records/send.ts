/**
 * The venue's records (relay PROTOCOL RP33) leave a device here: a play from the player, a staff
 * action from the console, appended to the relay's journal. Offline, the post fails and the
 * service worker keeps it (its side-effect queue in IndexedDB) and sends it when the network is
 * back, with the entry's original time; the entry id makes a resend append nothing twice.
 */
import type { JournalEntryInput } from '@djamms/protocol';
import type { VenueCredential } from '../credentials';
import { appendJournal, RelayError } from '../relay-api';

/** Sends one record; a refusal is logged (nothing a person could fix), a network failure queued. */
export async function sendRecord(
  credential: Pick<VenueCredential, 'relay' | 'token' | 'venueId'>,
  entry: JournalEntryInput,
): Promise<void> {
  try {
    await appendJournal(credential.relay, credential.token, credential.venueId, [entry]);
  } catch (e) {
    if (e instanceof RelayError)
      console.warn(`The relay refused a ${entry.kind} record`, e.message);
    // Otherwise offline: the service worker keeps the post and replays it.
  }
}

/** A record's id: unique, made once, so every resend of it is the same entry (RP18). */
export const recordId = (kind: 'play' | 'action') => `${kind[0]}-${crypto.randomUUID()}`;
