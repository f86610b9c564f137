import { describe, expect, it } from 'vitest';
import type { PlayRecord } from '@djamms/protocol';
import { createRandom } from '@djamms/test-harness';
import { duration } from '../preferences.svelte';
import {
  asText,
  BOM,
  csvField,
  csvText,
  localIso,
  playHistoryCsv,
  secondsPlayed,
} from './play-csv';

/** An RFC 4180 reader written apart from the writer, to read back what it wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (c === '"' || c === '\r' || c === '\n') {
      throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length) throw new Error('the last record has no CRLF');
  return rows;
}

const play = (over: Partial<PlayRecord> = {}): PlayRecord => ({
  track: 't1',
  title: 'Blue Monday',
  artist: 'New Order',
  album: 'Power, Corruption & Lies',
  isrc: 'GBAAP8300001',
  started: Date.UTC(2026, 10, 30, 20, 4, 5),
  ended: Date.UTC(2026, 10, 30, 20, 11, 34),
  seconds: 448.6,
  endedBy: 'finished',
  ...over,
});

describe('play history CSV', () => {
  it('starts with a BOM and the header, one CRLF-terminated row per play', () => {
    const text = playHistoryCsv(
      [play(), play({ title: 'Ceremony', endedBy: 'skipped', seconds: 12.4 })],
      () => 0,
    );
    expect(
      text.startsWith(BOM + 'title,artist,album,isrc,started,seconds_played,ended_by\r\n'),
    ).toBe(true);
    expect(parseCsv(text.slice(1))).toEqual([
      ['title', 'artist', 'album', 'isrc', 'started', 'seconds_played', 'ended_by'],
      [
        'Blue Monday',
        'New Order',
        'Power, Corruption & Lies',
        'GBAAP8300001',
        '2026-11-30T20:04:05+00:00',
        '449',
        'finished',
      ],
      [
        'Ceremony',
        'New Order',
        'Power, Corruption & Lies',
        'GBAAP8300001',
        '2026-11-30T20:04:05+00:00',
        '12',
        'skipped',
      ],
    ]);
  });

  it('quotes commas, quotes and line breaks, and only those (RFC 4180)', () => {
    expect(csvField('plain Café')).toBe('plain Café');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField('')).toBe('');
  });

  it('writes a title, artist or album a spreadsheet would run as a formula as text', () => {
    for (const formula of ['=HYPERLINK("http://x")', '+44', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(asText(formula)).toBe(`'${formula}`);
    for (const words of ['Blue Monday', 'a=b', "'Til Tuesday", '', '99 Luftballons'])
      expect(asText(words)).toBe(words);
    const [, row] = parseCsv(
      playHistoryCsv(
        [play({ title: '=cmd|calc', artist: '+44', album: '@Home', isrc: '-' })],
        () => 0,
      ).slice(1),
    );
    expect(row!.slice(0, 4)).toEqual(["'=cmd|calc", "'+44", "'@Home", "'-"]);
    // the times and seconds are the app's own: never prefixed
    expect(row!.slice(4)).toEqual(['2026-11-30T20:04:05+00:00', '449', 'finished']);
  });

  it('writes local time with its offset, east and west of Greenwich and across midnight', () => {
    const t = Date.UTC(2026, 2, 29, 0, 30, 0);
    expect(localIso(t, -60)).toBe('2026-03-29T01:30:00+01:00');
    expect(localIso(t, 300)).toBe('2026-03-28T19:30:00-05:00');
    expect(localIso(t, -330)).toBe('2026-03-29T06:00:00+05:30');
    expect(localIso(t, 0)).toBe('2026-03-29T00:30:00+00:00');
  });

  it('reads back exactly what it wrote, for any text (seeded property test)', () => {
    const alphabet = [
      'a',
      'Z',
      ' ',
      ',',
      '"',
      '\n',
      '\r',
      '\r\n',
      'é',
      'ß',
      '€',
      '🎵',
      "'",
      ';',
      '=',
    ];
    const seed = 20261130;
    const random = createRandom(seed);
    const text = () => Array.from({ length: random.int(13) }, () => random.pick(alphabet)).join('');
    for (let run = 0; run < 300; run++) {
      const rows = Array.from({ length: 1 + random.int(5) }, () => Array.from({ length: 7 }, text));
      expect(parseCsv(csvText(rows)), `seed ${seed} run ${run}`).toEqual(rows);
    }
  });

  it('a play reads the same whole seconds in the CSV as in the Log', () => {
    // The Log shows a play's length as minutes and seconds (duration) of secondsPlayed.
    for (const seconds of [10.6, 15.5, 13.9, 0.4, 59.5, 448.6, 12]) {
      const csv = parseCsv(playHistoryCsv([play({ seconds })], () => 0).slice(1))[1]![5];
      const [m, s] = duration(secondsPlayed({ seconds }) * 1000)
        .split(':')
        .map(Number);
      expect(m! * 60 + s!, `${seconds} s`).toBe(Number(csv));
    }
  });
});
