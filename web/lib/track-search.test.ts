import { describe, expect, it } from 'vitest';
import type { LibraryTrack } from '@djamms/venue';
import { TrackIndex, foldText, type TrackArrangement } from './track-search';

const track = (
  id: string,
  title: string,
  artist: string,
  album = '',
  explicit = false,
): LibraryTrack => ({
  id,
  title,
  artist,
  album,
  durationMs: 1000,
  media: { sha256: 'a'.repeat(64), type: 'audio/wav' },
  explicit,
});

const ids = (index: TrackIndex, query: string, limit = 100) =>
  index.search(query, limit).tracks.map((t) => t.id);

describe('track search', () => {
  const index = new TrackIndex([
    track('a', 'Africa', 'Toto', 'Toto IV'),
    track('b', 'Hey Jude', 'The Beatles'),
    track('c', 'Dancing Queen', 'ABBA', 'Arrival'),
  ]);

  it('every word of the query, in any field, any case', () => {
    expect(ids(index, 'toto iv')).toEqual(['a']);
    expect(ids(index, 'BEATLES jude')).toEqual(['b']);
    expect(ids(index, 'arrival queen')).toEqual(['c']);
    expect(ids(index, 'jude abba')).toEqual([]);
  });

  it('an empty query answers the library in order, up to the limit', () => {
    expect(index.search('  ', 2)).toEqual({
      tracks: [expect.objectContaining({ id: 'a' }), expect.objectContaining({ id: 'b' })],
      more: true,
    });
  });

  it('answers the first `limit` matches and whether there are more', () => {
    const many = new TrackIndex(
      Array.from({ length: 50 }, (_, i) => track(`t${i}`, `Song ${i}`, i % 2 ? 'Odd' : 'Even')),
    );
    const found = many.search('odd', 5);
    expect(found.more).toBe(true);
    expect(found.tracks.map((t) => t.id)).toEqual(['t1', 't3', 't5', 't7', 't9']);
    expect(many.search('odd', 25)).toMatchObject({ more: false });
    expect(many.search('odd 49', 5)).toMatchObject({ more: false });
    expect(many.search('odd', 0)).toEqual({ tracks: [], more: true });
  });

  it('accents, case and punctuation aside: "beyonce" finds Beyoncé and the other way round', () => {
    const accents = new TrackIndex([
      track('halo', 'Halo', 'Beyoncé'),
      track('plain', 'Crazy', 'Beyonce Knowles'),
      track('roy', 'Eple', 'Røyksopp'),
      track('motley', 'Kickstart My Heart', 'Mötley Crüe', 'Dr. Feelgood'),
      track('mr', 'Mr. Brightside', 'The Killers'),
      track('love', 'Brother Love’s Travelling Salvation Show', 'Neil Diamond'),
      track('strasse', 'Straße', 'Kraftwerk'),
    ]);
    expect(ids(accents, 'beyonce')).toEqual(['halo', 'plain']);
    expect(ids(accents, 'BEYONCÉ')).toEqual(['halo', 'plain']);
    expect(ids(accents, 'royksopp')).toEqual(['roy']);
    expect(ids(accents, 'motley crue feelgood')).toEqual(['motley']);
    expect(ids(accents, 'mr brightside')).toEqual(['mr']);
    expect(ids(accents, 'mr. brightside')).toEqual(['mr']);
    expect(ids(accents, "love's")).toEqual(['love']);
    expect(ids(accents, 'strasse')).toEqual(['strasse']);
  });

  it('folds text the same way for tracks and queries', () => {
    expect(foldText('Sigur Rós — Ágætis byrjun')).toBe('sigur ros  agaetis byrjun');
    expect(foldText('AC/DC')).toBe('acdc');
    expect(foldText('Mr. Brightside')).toBe('mr brightside');
  });

  it('a word never spans two fields', () => {
    const fields = new TrackIndex([track('x', 'Sun', 'Rise', 'Set')]);
    expect(ids(fields, 'sunrise')).toEqual([]);
    expect(ids(fields, 'sun rise set')).toEqual(['x']);
  });

  it('a track whose title changed is found by its new title, not its old one', () => {
    expect(ids(new TrackIndex([track('x', 'Old Name', 'Band')]), 'old')).toEqual(['x']);
    const renamed = new TrackIndex([track('x', 'New Name', 'Band')]);
    expect(ids(renamed, 'old')).toEqual([]);
    expect(ids(renamed, 'new')).toEqual(['x']);
  });
});

describe('track arrangement', () => {
  const library = [
    track('a', 'Africa', 'Toto', 'Toto IV'),
    track('b', 'Bohemian Rhapsody', 'Queen', 'A Night at the Opera', true),
    track('c', 'Crazy', '', 'Singles'),
    track('d', 'Dancing Queen', 'ABBA', 'Arrival'),
    track('e', 'Eple', 'Røyksopp', ''),
    track('f', 'Fernando', 'ABBA', 'Greatest Hits', true),
  ];
  const arranged = (arrangement: TrackArrangement, query = '') =>
    ids(new TrackIndex(library, arrangement), query);

  it('by title keeps the library’s own order', () => {
    expect(arranged({})).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('by artist (then title), tracks without an artist last; accents sort as their letter', () => {
    expect(arranged({ order: 'artist' })).toEqual(['d', 'f', 'b', 'e', 'a', 'c']);
  });

  it('by album (then title), tracks without an album last', () => {
    expect(arranged({ order: 'album' })).toEqual(['b', 'd', 'f', 'c', 'a', 'e']);
  });

  it('VM38 newest first; tracks without a date last, in title order; a search keeps that order', () => {
    const dated = library.map((t, i) => (i % 2 ? { ...t, added: 1000 * i } : t));
    const newest = (query = '') => ids(new TrackIndex(dated, { order: 'added' }), query);
    expect(newest()).toEqual(['f', 'd', 'b', 'a', 'c', 'e']);
    expect(newest('abba')).toEqual(['f', 'd']);
  });

  it('hides explicit tracks, and tracks it is told to leave out (bans)', () => {
    expect(arranged({ hideExplicit: true })).toEqual(['a', 'c', 'd', 'e']);
    expect(arranged({ hideExplicit: true, order: 'artist' }, 'abba')).toEqual(['d']);
    expect(arranged({ without: new Set(['a', 'd']) })).toEqual(['b', 'c', 'e', 'f']);
  });
});

/** A repeatable source of numbers in [0, 1). */
function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

describe('narrowing as you type', () => {
  const SYLLABLES = ['ka', 'lo', 'mé', 'ri', 'sø', 'tu', 'an', 'el', 'Ö', ' ', '.', "'"];

  it('matches of each query typed, deleted or pasted equal a fresh search of it (200 seeds)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = seeded(seed);
      const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
      const word = () => Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(SYLLABLES));
      const library = Array.from({ length: 60 }, (_, i) =>
        track(`t${i}`, word().join(''), word().join(''), word().join(''), next() < 0.2),
      );
      const arrangement: TrackArrangement = {
        order: pick(['title', 'artist', 'album'] as const),
        hideExplicit: next() < 0.5,
      };
      const typing = new TrackIndex(library, arrangement);
      let query = '';
      for (let step = 0; step < 30; step++) {
        const r = next();
        if (r < 0.6) query += pick(SYLLABLES);
        else if (r < 0.85) query = query.slice(0, -1 - Math.floor(next() * 3));
        else query = word().join('');
        const limit = 1 + Math.floor(next() * 20);
        const fresh = new TrackIndex(library, arrangement).search(query, limit);
        expect(typing.search(query, limit), `seed ${seed}, "${query}"`).toEqual(fresh);
      }
    }
  });
});
