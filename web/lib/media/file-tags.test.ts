import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  gradientPng,
  taggedFlac,
  taggedMp3,
  wavWithInfo,
  type MediaTags,
} from '@djamms/test-harness';
import { Library } from '@djamms/venue';
import { readFileTags, sha256Of, titleFromName, UnreadableFile } from './file-tags';
import { isMediaFile } from './dropped-files';

const cover = gradientPng(8, [255, 120, 0], [90, 0, 160]);
const tags: MediaTags = {
  title: 'Last Orders',
  artist: 'The Regulars',
  album: 'Closing Time',
  track: '3/12',
  isrc: 'gb-aye-25-00001',
  cover,
};
const file = (bytes: Uint8Array, name: string, type = '') =>
  new File([bytes as Uint8Array<ArrayBuffer>], name, { type });

describe('reading a file’s tags (venue SPEC VM28)', () => {
  it.each([
    ['an MP3 with an ID3v2.4 tag', file(taggedMp3(tags, 2), 'last-orders.mp3', 'audio/mpeg'), 2011],
    ['a FLAC with Vorbis comments', file(taggedFlac(tags, 2), 'last-orders.flac'), 2000],
  ])('VM28 %s: title, artist, album, track number, ISRC, cover and duration', async (_, f, ms) => {
    const read = await readFileTags(f);
    expect(read.track).toEqual({
      title: 'Last Orders',
      artist: 'The Regulars',
      album: 'Closing Time',
      durationMs: ms,
      trackNumber: 3,
      isrc: 'GBAYE2500001',
    });
    expect(read.cover?.type).toBe('image/png');
    expect(Buffer.from(read.cover!.data)).toEqual(Buffer.from(cover));
  });

  it('VM28 a WAV with a RIFF LIST/INFO chunk: its title, artist, album and track number', async () => {
    const read = await readFileTags(file(wavWithInfo(tags, 1), 'orders.wav', 'audio/wav'));
    expect(read.track).toEqual({
      title: 'Last Orders',
      artist: 'The Regulars',
      album: 'Closing Time',
      durationMs: 1000,
      trackNumber: 3,
    });
    expect(read.cover).toBeNull();
  });

  it('a file without tags is titled by its name; artist and album stay empty', async () => {
    const read = await readFileTags(file(taggedMp3({}, 1), 'Happy Hour (live).mp3', 'audio/mpeg'));
    expect(read.track).toMatchObject({ title: 'Happy Hour (live)', artist: '', album: '' });
    expect(read.track).not.toHaveProperty('isrc');
    expect(read.track).not.toHaveProperty('trackNumber');
    expect(titleFromName('.mp3')).toBe('.mp3');
    expect(titleFromName(`${'x'.repeat(300)}.mp3`)).toHaveLength(200);
  });

  it('a cover of a type the relay does not store, and a malformed ISRC or track number, are left out', async () => {
    const read = await readFileTags(
      file(
        taggedMp3({ title: 'Odd', isrc: 'nope', track: '0', cover, coverType: 'image/bmp' }),
        'odd.mp3',
      ),
    );
    expect(read.cover).toBeNull();
    expect(read.track).toEqual({ title: 'Odd', artist: '', album: '', durationMs: 1019 });
  });

  it('a damaged or foreign file is refused as unreadable', async () => {
    const junk = new TextEncoder().encode('this is not music at all. '.repeat(40));
    await expect(readFileTags(file(junk, 'song.mp3', 'audio/mpeg'))).rejects.toBeInstanceOf(
      UnreadableFile,
    );
    await expect(readFileTags(file(junk, 'notes.flac'))).rejects.toBeInstanceOf(UnreadableFile);
  });

  it('only audio and video files are taken from a dropped folder', () => {
    expect(isMediaFile(file(new Uint8Array(), '01 Intro.flac'))).toBe(true);
    expect(isMediaFile(file(new Uint8Array(), 'clip.webm', 'video/webm'))).toBe(true);
    expect(isMediaFile(file(new Uint8Array(), 'cover.jpg', 'image/jpeg'))).toBe(false);
    expect(isMediaFile(file(new Uint8Array(), 'album.cue'))).toBe(false);
  });
});

describe('one file, one track (venue SPEC VM29)', () => {
  it('VM29 the hash taken here is the relay’s name for the file; the same bytes under another name are found in the library', async () => {
    const bytes = taggedMp3(tags, 1);
    const first = file(bytes, 'last-orders.mp3', 'audio/mpeg');
    const sha256 = await sha256Of(first);
    expect(sha256).toBe(createHash('sha256').update(bytes).digest('hex'));

    const library = new Library(new Y.Doc(), { now: () => 0, random: Math.random });
    const read = await readFileTags(first);
    const put = library.putTrack({
      ...read.track,
      media: { sha256: sha256!, type: 'audio/mpeg' },
      explicit: false,
    });
    expect(put.ok).toBe(true);

    const again = file(bytes, 'Copy of last-orders.mp3', 'audio/mpeg');
    const twin = library.trackWithMedia({ sha256: (await sha256Of(again))!, type: 'audio/mpeg' });
    expect(twin).toMatchObject({ title: 'Last Orders', isrc: 'GBAYE2500001', trackNumber: 3 });
    const other = file(taggedMp3({ ...tags, title: 'Other' }, 1), 'other.mp3', 'audio/mpeg');
    expect(
      library.trackWithMedia({ sha256: (await sha256Of(other))!, type: 'audio/mpeg' }),
    ).toBeNull();
    expect(
      library.putTrack({
        ...read.track,
        media: { sha256: sha256!, type: 'audio/mpeg' },
        explicit: false,
      }),
    ).toMatchObject({ ok: false, error: 'duplicate' });
  });

  it('a file too large to read at once is left for the relay to hash', async () => {
    const big = new Blob([new Uint8Array(64 * 1024 * 1024 + 1)]);
    expect(await sha256Of(big)).toBeNull();
  });
});
