import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { expect, it } from 'vitest';
import { MediaTooLarge, type MediaStore } from './MediaStore';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (s: string) => Buffer.from(s, 'utf8');
/** A body arriving in pieces, as an upload does. */
const body = (bytes: Uint8Array, piece = 1000) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.byteLength / piece) }, (_, i) =>
      bytes.subarray(i * piece, (i + 1) * piece),
    ),
  );
const readAll = async (stream: Readable | null) => {
  if (!stream) throw new Error('no such media');
  return text(stream);
};

/** The one contract every MediaStore passes (CONVENTIONS: shared adapter suite). */
export function mediaStoreContract(make: () => Promise<MediaStore>): void {
  const song = bytesOf('RIFF'.padEnd(5000, 'la'));

  it('RP19 a stored file is named by the SHA-256 of its bytes, with its size and type', async () => {
    const store = await make();
    const stored = await store.put(body(song), 'audio/wav', 10_000);
    expect(stored).toEqual({
      sha256: sha(song),
      size: song.byteLength,
      type: 'audio/wav',
      fresh: true,
    });
    expect(await store.stat(sha(song))).toEqual({
      sha256: sha(song),
      size: song.byteLength,
      type: 'audio/wav',
    });
    expect(await readAll(await store.read(sha(song)))).toBe(song.toString());
  });

  it('RP19 the same bytes are stored once, keeping the type they were first stored with', async () => {
    const store = await make();
    await store.put(body(song), 'audio/wav', 10_000);
    const again = await store.put(body(song, 333), 'audio/x-wav', 10_000);
    expect(again).toEqual({
      sha256: sha(song),
      size: song.byteLength,
      type: 'audio/wav',
      fresh: false,
    });
  });

  it('RP19 uploads of the same bytes at once store them once, and every one succeeds', async () => {
    const store = await make();
    const all = await Promise.all(
      Array.from({ length: 5 }, () => store.put(body(song), 'audio/wav', 10_000)),
    );
    expect(all.filter((r) => r.fresh)).toHaveLength(1);
    expect(new Set(all.map((r) => r.sha256))).toEqual(new Set([sha(song)]));
    expect(await readAll(await store.read(sha(song)))).toBe(song.toString());
  });

  it('RP19 an upload over the limit is refused and leaves nothing', async () => {
    const store = await make();
    await expect(store.put(body(song), 'audio/wav', song.byteLength - 1)).rejects.toBeInstanceOf(
      MediaTooLarge,
    );
    expect(await store.stat(sha(song))).toBeNull();
    expect(await store.read(sha(song))).toBeNull();
    const exact = await store.put(body(song), 'audio/wav', song.byteLength);
    expect(exact.fresh).toBe(true);
  });

  it('RP19 an upload cut off midway leaves nothing', async () => {
    const store = await make();
    const cut = new Readable({ read() {} });
    cut.push(song.subarray(0, 1000));
    setTimeout(() => cut.destroy(new Error('client went away')), 5);
    await expect(store.put(cut, 'audio/wav', 10_000)).rejects.toThrow('client went away');
    expect(await store.stat(sha(song.subarray(0, 1000)))).toBeNull();
  });

  it('RP19 a range is read from its first byte to its last, inclusive', async () => {
    const store = await make();
    const digits = bytesOf('0123456789');
    await store.put(body(digits), 'audio/ogg', 100);
    expect(await readAll(await store.read(sha(digits), { start: 2, end: 4 }))).toBe('234');
    expect(await readAll(await store.read(sha(digits), { start: 9, end: 9 }))).toBe('9');
    expect(await readAll(await store.read(sha(digits), { start: 0, end: 9 }))).toBe('0123456789');
  });

  it('RP19 an empty file is a file', async () => {
    const store = await make();
    const empty = new Uint8Array(0);
    expect(await store.put(body(empty), 'audio/ogg', 100)).toMatchObject({ size: 0, fresh: true });
    expect(await store.stat(sha(empty))).toMatchObject({ size: 0, type: 'audio/ogg' });
  });

  it('RP19 an unknown hash has no record and no bytes', async () => {
    const store = await make();
    expect(await store.stat('0'.repeat(64))).toBeNull();
    expect(await store.read('0'.repeat(64))).toBeNull();
  });
}
