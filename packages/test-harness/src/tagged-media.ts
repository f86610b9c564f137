/**
 * Small real media files with real tags, written byte by byte (no encoder, no fixture files): an
 * MP3 of silent MPEG-1 Layer III frames behind an ID3v2.4 tag, a FLAC stream header with Vorbis
 * comments and a picture, a WAV with a RIFF LIST/INFO chunk, and a PNG for cover art. Tag readers
 * and browsers take them as they take files from a shop.
 */

/** What a test file says about itself. */
export interface MediaTags {
  title?: string;
  artist?: string;
  album?: string;
  /** "3" or "3/12". */
  track?: string;
  isrc?: string;
  /** An image, written as the file's front cover. */
  cover?: Uint8Array;
  /** The cover's media type as the tag states it; `image/png` unless given. */
  coverType?: string;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const u32be = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const u32le = (n: number) => new Uint8Array([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24]);
const u16le = (n: number) => new Uint8Array([n & 255, n >>> 8]);
/** ID3v2's 28-bit integers, 7 bits a byte. */
const syncsafe = (n: number) =>
  new Uint8Array([(n >>> 21) & 127, (n >>> 14) & 127, (n >>> 7) & 127, n & 127]);

/** An ID3v2.4 tag: text frames in UTF-8, the cover as an APIC front cover. */
export function id3v2(tags: MediaTags): Uint8Array {
  const frame = (id: string, body: Uint8Array) =>
    concat([utf8(id), syncsafe(body.length), new Uint8Array(2), body]);
  const text = (id: string, value: string | undefined) =>
    value === undefined ? [] : [frame(id, concat([new Uint8Array([3]), utf8(value)]))];
  const frames = [
    ...text('TIT2', tags.title),
    ...text('TPE1', tags.artist),
    ...text('TALB', tags.album),
    ...text('TRCK', tags.track),
    ...text('TSRC', tags.isrc),
    ...(tags.cover
      ? [
          frame(
            'APIC',
            concat([
              new Uint8Array([3]),
              utf8(`${tags.coverType ?? 'image/png'}\0`),
              new Uint8Array([3, 0]),
              tags.cover,
            ]),
          ),
        ]
      : []),
  ];
  const body = concat(frames);
  return concat([utf8('ID3'), new Uint8Array([4, 0, 0]), syncsafe(body.length), body]);
}

/**
 * An MP3: an ID3v2.4 tag, then `seconds` of silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz,
 * mono; each frame 417 bytes, 1152 samples).
 */
export function taggedMp3(tags: MediaTags, seconds = 1): Uint8Array {
  const frames = Math.ceil((seconds * 44_100) / 1152);
  const frame = new Uint8Array(417);
  frame.set([0xff, 0xfb, 0x90, 0xc0]);
  return concat([id3v2(tags), ...Array.from({ length: frames }, () => frame)]);
}

/**
 * A FLAC stream's metadata: STREAMINFO (16-bit mono at 44.1 kHz, `seconds` long), a Vorbis comment
 * block with the tags and a PICTURE block with the cover. Tag readers need no audio frames.
 */
export function taggedFlac(tags: MediaTags, seconds = 1): Uint8Array {
  const block = (type: number, body: Uint8Array, last: boolean) =>
    concat([
      new Uint8Array([
        (last ? 0x80 : 0) | type,
        body.length >>> 16,
        (body.length >>> 8) & 255,
        body.length & 255,
      ]),
      body,
    ]);
  const samples = seconds * 44_100;
  const info = new Uint8Array(34);
  info.set([0x10, 0x00, 0x10, 0x00]); // block sizes 4096
  // sample rate 44100 (20 bits), channels-1 = 0 (3 bits), bits-1 = 15 (5 bits), samples (36 bits)
  const rate = 44_100;
  info[10] = rate >>> 12;
  info[11] = (rate >>> 4) & 255;
  info[12] = ((rate & 15) << 4) | (0 << 1) | (15 >>> 4);
  info[13] = ((15 & 15) << 4) | Math.floor(samples / 2 ** 32);
  info.set(u32be(samples >>> 0), 14);
  const comments = [
    ['TITLE', tags.title],
    ['ARTIST', tags.artist],
    ['ALBUM', tags.album],
    ['TRACKNUMBER', tags.track],
    ['ISRC', tags.isrc],
  ]
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => utf8(`${k}=${v}`));
  const vendor = utf8('djamms test');
  const vorbis = concat([
    u32le(vendor.length),
    vendor,
    u32le(comments.length),
    ...comments.flatMap((c) => [u32le(c.length), c]),
  ]);
  const blocks = [block(0, info, false), block(4, vorbis, !tags.cover)];
  if (tags.cover) {
    const mime = utf8(tags.coverType ?? 'image/png');
    const picture = concat([
      u32be(3),
      u32be(mime.length),
      mime,
      u32be(0),
      u32be(0),
      u32be(0),
      u32be(0),
      u32be(0),
      u32be(tags.cover.length),
      tags.cover,
    ]);
    blocks.push(block(6, picture, true));
  }
  return concat([utf8('fLaC'), ...blocks]);
}

/** A 16-bit mono 8 kHz WAV of `seconds` of a quiet tone with a LIST/INFO chunk (INAM, IART, IPRD, ITRK). */
export function wavWithInfo(tags: MediaTags, seconds = 1): Uint8Array {
  const rate = 8000;
  const pcm = new Uint8Array(Math.round(seconds * rate) * 2);
  const view = new DataView(pcm.buffer);
  for (let i = 0; i < pcm.length / 2; i++) {
    view.setInt16(i * 2, Math.round(Math.sin((2 * Math.PI * 330 * i) / rate) * 4000), true);
  }
  const chunk = (id: string, body: Uint8Array) =>
    concat([utf8(id), u32le(body.length), body, new Uint8Array(body.length % 2)]);
  const info = (id: string, value: string | undefined) =>
    value === undefined ? [] : [chunk(id, utf8(`${value}\0`))];
  const fmt = concat([u16le(1), u16le(1), u32le(rate), u32le(rate * 2), u16le(2), u16le(16)]);
  const list = concat([
    utf8('INFO'),
    ...info('INAM', tags.title),
    ...info('IART', tags.artist),
    ...info('IPRD', tags.album),
    ...info('ITRK', tags.track),
  ]);
  const body = concat([utf8('WAVE'), chunk('fmt ', fmt), chunk('LIST', list), chunk('data', pcm)]);
  return concat([utf8('RIFF'), u32le(body.length), body]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A `size`×`size` PNG: a diagonal blend of two colours (RGB), uncompressed inside zlib. */
export function gradientPng(
  size: number,
  from: [number, number, number],
  to: [number, number, number],
): Uint8Array {
  const raw = new Uint8Array(size * (size * 3 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const t = (x + y) / (2 * (size - 1) || 1);
      for (let c = 0; c < 3; c++) {
        raw[y * (size * 3 + 1) + 1 + x * 3 + c] = Math.round(from[c]! + (to[c]! - from[c]!) * t);
      }
    }
  }
  // zlib: stored deflate blocks of at most 65,535 bytes, then Adler-32.
  const blocks: Uint8Array[] = [new Uint8Array([0x78, 0x01])];
  for (let at = 0; at < raw.length || at === 0; at += 65_535) {
    const part = raw.subarray(at, at + 65_535);
    const last = at + 65_535 >= raw.length ? 1 : 0;
    blocks.push(
      new Uint8Array([
        last,
        part.length & 255,
        part.length >>> 8,
        ~part.length & 255,
        (~part.length >>> 8) & 255,
      ]),
      part,
    );
    if (last) break;
  }
  let a = 1;
  let b = 0;
  for (const byte of raw) {
    a = (a + byte) % 65_521;
    b = (b + a) % 65_521;
  }
  blocks.push(u32be(((b << 16) | a) >>> 0));
  const pngChunk = (type: string, body: Uint8Array) => {
    const typed = concat([utf8(type), body]);
    return concat([u32be(body.length), typed, u32be(crc32(typed))]);
  };
  const header = concat([u32be(size), u32be(size), new Uint8Array([8, 2, 0, 0, 0])]);
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', concat(blocks)),
    pngChunk('IEND', new Uint8Array()),
  ]);
}
