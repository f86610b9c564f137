/**
 * Search as you type over a library (title, artist, album): an index built once per library
 * change, then every word of the query must appear, first `limit` matches in library order.
 */
import type { LibraryTrack } from '@djamms/venue';

export interface TrackIndex {
  readonly track: LibraryTrack;
  readonly text: string;
}

/** The searchable text of each track, lower-cased once. */
export function indexTracks(tracks: readonly LibraryTrack[]): TrackIndex[] {
  return tracks.map((track) => ({
    track,
    text: `${track.title} ${track.artist} ${track.album}`.toLowerCase(),
  }));
}

/** Tracks whose text holds every word of `query` (all of them for an empty query), up to `limit`. */
export function searchTracks(index: readonly TrackIndex[], query: string, limit: number) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const out: LibraryTrack[] = [];
  for (const item of index) {
    if (out.length >= limit) break;
    if (words.every((word) => item.text.includes(word))) out.push(item.track);
  }
  return out;
}
