import { describe, expect, it } from 'vitest';
import { createRandom } from '@djamms/test-harness';
import type { LibraryTrack } from '@djamms/venue';
import {
  exportFileName,
  formatM3u8,
  formatPlaylistJson,
  parsePlaylistFile,
  type PlaylistFileResult,
} from './playlist-files';
import { matchPlaylist } from './playlist-match';
import { mediaUrl } from './relay-api';
import { words } from './strings';

const RELAY = 'https://relay.example';
const locate = (t: LibraryTrack) => mediaUrl(RELAY, t.media);
const utf8 = (text: string) => new TextEncoder().encode(text);
const hash = (n: number) => n.toString(16).padStart(64, '0');

const track = (id: string, title: string, artist: string, more: Partial<LibraryTrack> = {}) =>
  ({
    id,
    title,
    artist,
    album: 'Album',
    durationMs: 200_000,
    media: { sha256: hash(id.length * 7919 + id.charCodeAt(id.length - 1)), type: 'audio/mpeg' },
    explicit: false,
    ...more,
  }) satisfies LibraryTrack;

const library = [
  track('t1', 'Africa', 'Toto', { file: 'Africa.mp3' }),
  track('t2', 'Dancing Queen', 'ABBA', { file: 'ABBA/Arrival/02 Dancing Queen.flac' }),
  track('t3', 'Mr. Brightside', 'The Killers'),
  track('t4', 'Beyoncé Song', 'Beyoncé', {
    media: { url: 'https://cdn.example/b.mp3', type: 'audio/mpeg' },
  }),
  track('t5', '01 Intro', 'Band A', { file: 'Album A/01 Intro.mp3' }),
  track('t6', '01 Intro', 'Band B', { file: 'Album B/01 Intro.mp3' }),
];

function read(result: PlaylistFileResult) {
  if (!result.ok) throw new Error(`refused: ${result.error} at ${result.line}`);
  return result.value;
}

const imported = (name: string, text: string | Uint8Array) => {
  const file = read(parsePlaylistFile(name, typeof text === 'string' ? utf8(text) : text));
  return { ...matchPlaylist(file.lines, library), name: file.name };
};

describe('playlist files', () => {
  it('extended M3U: #EXTINF lines, Windows paths, CRLF, a BOM; file names find tracks', () => {
    const m3u = [
      '\uFEFF#EXTM3U',
      '#EXTINF:295,Toto - Africa',
      'C:\\Users\\Bar\\Music\\Africa.mp3',
      '#EXTINF:231,ABBA - Dancing Queen',
      '\\\\nas\\music\\ABBA\\Arrival\\02 Dancing Queen.flac',
      '#EXTINF:222,The Killers - Mr Brightside',
      'D:\\rips\\track07.mp3',
      '#EXTINF:100,Nobody - Nothing',
      'D:\\rips\\nothing.mp3',
      '',
    ].join('\r\n');
    const got = imported('Friday night.m3u', m3u);
    expect(got.name).toBe('Friday night');
    expect(got.tracks).toEqual(['t1', 't2', 't3']);
    expect(got.missed).toEqual([
      {
        line: 9,
        said: 'Nobody - Nothing · D:\\rips\\nothing.mp3',
        paths: ['D:\\rips\\nothing.mp3'],
        title: 'Nothing',
        artist: 'Nobody',
      },
    ]);
  });

  it('plain M3U: relative and absolute paths, file:// and web URLs, names as the only clue', () => {
    const m3u = [
      'Africa.mp3',
      '../Music/ABBA/Arrival/02%20Dancing%20Queen.flac',
      'file:///home/bar/Music/Album%20B/01%20Intro.mp3',
      'https://cdn.example/b.mp3',
      locate(library[2]!),
      '/srv/music/The Killers - Mr. Brightside.ogg',
      '/srv/music/Album A/01 Intro.mp3',
    ].join('\n');
    expect(imported('x.m3u', m3u).tracks).toEqual(['t1', 't2', 't6', 't4', 't3', 't3', 't5']);
  });

  it('an .m3u in Windows-1252 reads; titles and artists match folded like search', () => {
    const latin = Uint8Array.from([
      ...utf8('#EXTINF:1,BEYONC'),
      0xc9,
      ...utf8(' - beyonce song\nx.mp3\n'),
    ]);
    expect(imported('old.m3u', latin).tracks).toEqual(['t4']);
    expect(parsePlaylistFile('old.m3u8', latin)).toEqual({ ok: false, error: 'not-utf8' });
  });

  it('#EXTINF with IPTV attributes and commas in quotes; #PLAYLIST names the list', () => {
    const m3u = '#EXTM3U\n#PLAYLIST:Brunch\n#EXTINF:-1 group-title="a, b",Toto - Africa\nzz.mp3\n';
    expect(imported('list.m3u8', m3u)).toMatchObject({ name: 'Brunch', tracks: ['t1'] });
  });

  it('DJAMMS JSON reads media, file names, titles; other JSON is refused', () => {
    const json = JSON.stringify({
      kind: 'djamms-playlist',
      version: 1,
      name: 'Lunch',
      tracks: [
        { title: 'Africa', artist: 'Toto' },
        { file: 'ABBA/Arrival/02 Dancing Queen.flac' },
        { media: 'https://cdn.example/b.mp3', title: 'whatever' },
        { title: 'Unknown', artist: 'Nobody' },
      ],
    });
    const got = imported('lunch.json', json);
    expect(got).toMatchObject({ name: 'Lunch', tracks: ['t1', 't2', 't4'] });
    expect(got.missed.map((m) => [m.line, m.said])).toEqual([[4, 'Nobody - Unknown']]);
  });

  it('an audio file renamed .m3u is called an audio file; only UTF-16 text is told to save as UTF-8', () => {
    const mp3 = Uint8Array.from([0x49, 0x44, 0x33, 0x03, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x76]);
    const utf16 = new Uint8Array([
      0xff,
      0xfe,
      ...[...'Africa.mp3'].flatMap((c) => [c.charCodeAt(0), 0]),
    ]);
    const said = (name: string, bytes: Uint8Array) => {
      const read = parsePlaylistFile(name, bytes);
      return read.ok ? '' : words.playlists.fileRefused(read.error, read.line);
    };
    expect(said('song.m3u', mp3)).toMatch(/audio or video file, not a playlist/);
    expect(said('song.m3u', mp3)).not.toMatch(/UTF-16/);
    expect(said('list.m3u', utf16)).toMatch(/UTF-16.*UTF-8/);
    expect(said('list.m3u', utf16.subarray(2))).toMatch(/UTF-16/);
  });

  it('malformed files of every kind are refused with a reason, never thrown, never half read', () => {
    const cases: [string, string | Uint8Array, string, number?][] = [
      ['a.m3u', '', 'empty'],
      ['a.m3u', '#EXTM3U\r\n#EXTINF:1,Only info\r\n', 'empty'],
      ['a.m3u', Uint8Array.from([0xff, 0xfe, 0x41, 0x00]), 'utf-16'],
      ['a.m3u', Uint8Array.from([0x41, 0x00, 0x2e, 0x00, 0x6d, 0x00]), 'utf-16'],
      ['a.m3u', Uint8Array.from([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01]), 'media'],
      ['a.m3u', Uint8Array.from([0xff, 0xfb, 0x90, 0x64, 0x00, 0x0f]), 'media'],
      ['a.m3u8', Uint8Array.from([0x4f, 0x67, 0x67, 0x53, 0x00, 0x02]), 'media'],
      ['a.m3u', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x08]), 'not-text'],
      ['a.m3u', 'Africa.mp3\n\x07bell.mp3', 'not-text', 2],
      ['a.m3u', `Africa.mp3\n${'x'.repeat(5000)}`, 'line-too-long', 2],
      ['a.m3u', '#EXTM3U\n#EXTINF:abc,Toto - Africa\nAfrica.mp3', 'bad-extinf', 2],
      ['a.m3u', '#EXTINF:12 Toto - Africa\nAfrica.mp3', 'bad-extinf', 1],
      ['a.m3u', 'a.mp3\n'.repeat(20_001), 'too-many'],
      ['a.m3u', new Uint8Array(5 * 1024 * 1024 + 1).fill(65), 'too-large'],
      ['a.json', '{"kind": "djamms-playlist", "tracks": [', 'bad-json'],
      ['a.json', '{"name": "x"}', 'not-djamms'],
      ['a.json', '[{"title": "Africa"}]', 'not-djamms'],
      ['a.json', Uint8Array.from([0x7b, 0xe9, 0x7d]), 'not-utf8'],
      ['a.json', '{"kind": "djamms-playlist", "version": 2, "tracks": []}', 'newer-version'],
      ['a.json', '{"kind": "djamms-playlist", "version": 1, "tracks": []}', 'empty'],
      [
        'a.json',
        '{"kind":"djamms-playlist","version":1,"tracks":[{"title":"A"},7]}',
        'bad-entry',
        2,
      ],
      [
        'a.json',
        '{"kind":"djamms-playlist","version":1,"tracks":[{"artist":"no title"}]}',
        'bad-entry',
        1,
      ],
      [
        'a.json',
        '{"kind":"djamms-playlist","version":1,"tracks":[{"title":{"x":1}}]}',
        'bad-entry',
        1,
      ],
    ];
    for (const [name, text, error, line] of cases) {
      const result = parsePlaylistFile(name, typeof text === 'string' ? utf8(text) : text);
      expect(result, `${name}: ${String(text).slice(0, 40)}`).toEqual(
        line === undefined ? { ok: false, error } : { ok: false, error, line },
      );
      expect(words.playlists.fileRefused(error as never, line)).toMatch(/\w/);
    }
  });

  it('export then import gives the same tracks, for any library and any playlist (seeded)', () => {
    const pieces = [
      'Love',
      'Café',
      'Don’t',
      'A - B',
      'x,y',
      '  spaced',
      'Røyksopp',
      '日本',
      '#1',
      'é',
    ];
    for (let seed = 1; seed <= 200; seed++) {
      const random = createRandom(seed);
      const words = (n: number) =>
        Array.from({ length: 1 + random.int(n) }, () => random.pick(pieces)).join(' ');
      const shelf: LibraryTrack[] = Array.from({ length: 1 + random.int(30) }, (_, i) => ({
        id: `t${seed}_${i}`,
        title: words(3).trim() || 'x',
        artist: random.chance(0.2) ? '' : words(2),
        album: words(2),
        durationMs: random.int(600_000),
        media: random.chance(0.3)
          ? {
              url: `https://cdn.example/${seed}/${i}.mp3?x=${random.pick(pieces)}`,
              type: 'audio/mpeg',
            }
          : { sha256: hash(seed * 1000 + i), type: 'audio/mpeg' },
        explicit: false,
        ...(random.chance(0.5) ? { file: `${words(2).trim() || 'f'}/${i}.mp3` } : {}),
      }));
      const list = Array.from({ length: 1 + random.int(40) }, () => random.pick(shelf));
      const name = words(2).trim() || 'List';
      for (const [file, text] of [
        ['out.m3u8', formatM3u8(name, list, locate)],
        ['out.m3u8', formatM3u8(name, list, locate).replace(/\n/g, '\r\n')],
        ['out.json', formatPlaylistJson(name, list, locate)],
      ] as const) {
        const back = read(parsePlaylistFile(file, utf8(text)));
        expect(back.name, `seed ${seed}`).toBe(name);
        const matched = matchPlaylist(back.lines, shelf);
        expect(matched.missed, `seed ${seed} ${file}`).toEqual([]);
        expect(matched.tracks, `seed ${seed} ${file}`).toEqual(list.map((t) => t.id));
      }
    }
  });

  it('M3U8 export writes #EXTINF with seconds and Artist - Title, then the file URL', () => {
    const text = formatM3u8('Friday', [library[0]!, library[3]!], locate);
    expect(text).toBe(
      [
        '#EXTM3U',
        '#PLAYLIST:Friday',
        '#EXTINF:200,Toto - Africa',
        `${RELAY}/media/${hash(2 * 7919 + 49)}`,
        '#EXTINF:200,Beyoncé - Beyoncé Song',
        'https://cdn.example/b.mp3',
        '',
      ].join('\n'),
    );
    expect(exportFileName('Fri/day: "late"', 'm3u8')).toBe('Fri day late.m3u8');
    expect(exportFileName('///', 'json')).toBe('playlist.json');
  });
});
