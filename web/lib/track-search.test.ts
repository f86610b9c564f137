import { describe, expect, it } from 'vitest';
import type { LibraryTrack } from '@djamms/venue';
import { indexTracks, searchTracks } from './track-search';

const track = (id: string, title: string, artist: string, album = ''): LibraryTrack => ({
  id,
  title,
  artist,
  album,
  durationMs: 1000,
  media: { sha256: 'a'.repeat(64), type: 'audio/wav' },
  explicit: false,
});

describe('track search', () => {
  const index = indexTracks([
    track('a', 'Africa', 'Toto', 'Toto IV'),
    track('b', 'Hey Jude', 'The Beatles'),
    track('c', 'Dancing Queen', 'ABBA', 'Arrival'),
  ]);

  it('every word of the query, in any field, any case', () => {
    expect(searchTracks(index, 'toto iv', 10).map((t) => t.id)).toEqual(['a']);
    expect(searchTracks(index, 'BEATLES jude', 10).map((t) => t.id)).toEqual(['b']);
    expect(searchTracks(index, 'arrival queen', 10).map((t) => t.id)).toEqual(['c']);
    expect(searchTracks(index, 'jude abba', 10)).toEqual([]);
  });

  it('an empty query answers the library in order, up to the limit', () => {
    expect(searchTracks(index, '  ', 2).map((t) => t.id)).toEqual(['a', 'b']);
  });
});
