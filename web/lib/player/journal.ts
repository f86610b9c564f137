/**
 * Guest requests and votes reach the player through the relay's journal (RP7, RP18). The player
 * turns them into the model's guest entries, looking every track up in its own library: what a
 * guest sends is never trusted (an unknown track is dropped, `explicit` comes from the library).
 */
import type { JournalEntry } from '@djamms/protocol';
import type { GuestEntry, LibraryTrack } from '@djamms/venue';

export function guestEntries(
  entries: readonly JournalEntry[],
  tracks: Map<string, LibraryTrack>,
): GuestEntry[] {
  const out: GuestEntry[] = [];
  for (const e of entries) {
    const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<
      string,
      unknown
    >;
    if (e.kind === 'request' && typeof data.track === 'string') {
      const track = tracks.get(data.track);
      if (track) {
        out.push({
          id: e.id,
          kind: 'request',
          guest: e.by,
          track: { id: track.id, explicit: track.explicit },
        });
      }
    } else if (e.kind === 'vote' && typeof data.entry === 'string') {
      out.push({ id: e.id, kind: 'vote', guest: e.by, entry: data.entry });
    }
  }
  return out;
}
