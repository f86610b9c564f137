/**
 * The demo library (issue 9: "a venue plays at once"): a few short pieces of music the relay
 * synthesises itself the first time a device asks (no downloads, nothing shipped in the
 * repository), stored in the media store like any upload and described by `GET /api/demo-library`.
 * A device that creates a venue with an empty library puts them in it and in the programme, so the
 * first open of a player makes sound.
 */
import { Readable } from 'node:stream';
import type { DemoLibrary, DemoTrack } from '@djamms/protocol';
import type { MediaStore } from '../storage/MediaStore';

const RATE = 22_050;
const ALBUM = 'DJAMMS Demo';

/** A piece: a chord progression (semitones above A2 of each bar's root), tempo and character. */
interface Piece {
  id: string;
  title: string;
  artist: string;
  bpm: number;
  /** Beats per bar: 4, or 3 for a waltz. */
  meter: number;
  /** Root of each bar, semitones above A2 (110 Hz); the progression repeats. */
  roots: number[];
  /** Minor (3) or major (4) third in the chords. */
  third: 3 | 4;
  /** Melody notes per bar, as scale steps above the root (-1 is a rest). */
  melody: number[];
  bars: number;
}

const PIECES: Piece[] = [
  {
    id: 'demo-harbour-lights',
    title: 'Harbour Lights',
    artist: 'The Night Shift',
    bpm: 96,
    meter: 4,
    roots: [3, 10, 0, 8],
    third: 4,
    melody: [4, 2, 0, 2, 4, 4, 4, -1],
    bars: 12,
  },
  {
    id: 'demo-last-orders',
    title: 'Last Orders',
    artist: 'Tap Room Trio',
    bpm: 118,
    meter: 4,
    roots: [0, 5, 7, 5],
    third: 3,
    melody: [0, 2, 3, 5, 7, 5, 3, 2],
    bars: 16,
  },
  {
    id: 'demo-corner-booth',
    title: 'Corner Booth',
    artist: 'Neon Sign',
    bpm: 84,
    meter: 4,
    roots: [5, 3, 1, 0],
    third: 4,
    melody: [7, -1, 5, 4, 2, -1, 4, 5],
    bars: 10,
  },
  {
    id: 'demo-closing-time-waltz',
    title: 'Closing Time Waltz',
    artist: 'The Regulars',
    bpm: 138,
    meter: 3,
    roots: [0, 7, 9, 5],
    third: 4,
    melody: [4, 2, 0, 7, 5, 4],
    bars: 16,
  },
];

/** Major and natural minor scales, semitones above the root. */
const SCALES = { 4: [0, 2, 4, 5, 7, 9, 11, 12], 3: [0, 2, 3, 5, 7, 8, 10, 12] };

const hz = (semitones: number) => 110 * 2 ** (semitones / 12);

/**
 * Renders a piece to 16-bit mono PCM: bass, a chord pad, a plucked melody, a soft kick. A bar at a
 * time, yielding between bars, so the relay's other work never waits more than a few milliseconds.
 */
async function render(p: Piece): Promise<Int16Array> {
  const beat = 60 / p.bpm;
  const bar = beat * p.meter;
  const seconds = bar * p.bars + 1.5;
  const out = new Float32Array(Math.ceil(seconds * RATE));
  const add = (from: number, length: number, voice: (t: number) => number) => {
    const start = Math.floor(from * RATE);
    const end = Math.min(out.length, start + Math.floor(length * RATE));
    for (let i = start; i < end; i++) out[i]! += voice((i - start) / RATE);
  };
  const scale = SCALES[p.third];
  for (let b = 0; b < p.bars; b++) {
    await new Promise((resolve) => setImmediate(resolve));
    const at = b * bar;
    const root = p.roots[b % p.roots.length]!;
    // The pad: root, third and fifth an octave up, slow attack and release.
    for (const step of [0, p.third, 7]) {
      const f = hz(root + 12 + step);
      add(at, bar, (t) => {
        const env = Math.min(1, t / 0.3) * Math.min(1, (bar - t) / 0.3);
        return 0.07 * env * (Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(4 * Math.PI * f * t));
      });
    }
    for (let k = 0; k < p.meter; k++) {
      const t0 = at + k * beat;
      // Bass on every beat, the root (the fifth on off-beats of a long bar).
      const f = hz(root + (k % 2 === 1 && p.meter === 4 ? 7 : 0));
      add(t0, beat * 0.9, (t) => 0.22 * Math.exp(-3 * t) * Math.sin(2 * Math.PI * f * t));
      // A soft kick on the first beat, and the third of four.
      if (k === 0 || (p.meter === 4 && k === 2)) {
        add(
          t0,
          0.25,
          (t) =>
            0.35 * Math.exp(-18 * t) * Math.sin(2 * Math.PI * (50 + 90 * Math.exp(-30 * t)) * t),
        );
      }
    }
    // The melody: eighth notes from the piece's pattern, on the bar's scale.
    const eighth = beat / 2;
    const notes = p.meter * 2;
    for (let n = 0; n < notes; n++) {
      const step = p.melody[(b * notes + n) % p.melody.length]!;
      if (step < 0) continue;
      const f = hz(root + 24 + scale[step % scale.length]! + (step >= scale.length ? 12 : 0));
      add(at + n * eighth, eighth * 1.8, (t) => {
        const env = Math.min(1, t / 0.01) * Math.exp(-4 * t);
        return 0.16 * env * (Math.sin(2 * Math.PI * f * t) + 0.2 * Math.sin(6 * Math.PI * f * t));
      });
    }
  }
  const pcm = new Int16Array(out.length);
  const fadeOut = 1.5 * RATE;
  for (let i = 0; i < out.length; i++) {
    const fade = Math.min(1, (out.length - i) / fadeOut);
    pcm[i] = Math.round(Math.tanh(out[i]! * fade) * 32_000);
  }
  return pcm;
}

/** A RIFF/WAVE file around 16-bit mono PCM. */
function wav(pcm: Int16Array): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.byteLength, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.byteLength, 40);
  return Buffer.concat([header, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)]);
}

/**
 * Synthesises the demo pieces into `media` (once per relay process; the same bytes are stored
 * once) and answers their descriptions.
 */
export async function demoLibrary(media: MediaStore): Promise<DemoLibrary> {
  const tracks: DemoTrack[] = [];
  for (const p of PIECES) {
    const file = wav(await render(p));
    const stored = await media.put(Readable.from([file]), 'audio/wav', file.byteLength);
    tracks.push({
      id: p.id,
      title: p.title,
      artist: p.artist,
      album: ALBUM,
      durationMs: Math.round(((file.byteLength - 44) / 2 / RATE) * 1000),
      media: { sha256: stored.sha256, type: 'audio/wav' },
    });
  }
  return { tracks };
}
