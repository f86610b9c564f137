import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

const BITS5 = 31;
const BIT6 = 32;
const BIT7 = 64;
const BIT8 = 128;
const SKIP = 10;

interface StructRun {
  readonly client: number;
  /** Clock of the run's first struct. */
  readonly clock: number;
  /** Byte ranges of its structs in the update, and each struct's clock length. */
  readonly starts: number[];
  readonly ends: number[];
  readonly lengths: number[];
}

/**
 * Splits a v1 Yjs update into several valid updates of about `maxBytes` each (RP3), so a large
 * sync answer reaches a stock client as several messages instead of one that outlasts its 30 s
 * idle watchdog. Structs keep their order; a run of one client's structs is cut between structs
 * with the clock adjusted; the delete set travels with the last piece. Applying the pieces in order
 * equals applying the update. Returns the update itself when it is small enough.
 */
export function splitUpdate(update: Uint8Array, maxBytes: number): Uint8Array[] {
  if (update.byteLength <= maxBytes) return [update];
  const decoder = decoding.createDecoder(update);
  const runs = readRuns(decoder);
  const deleteSet = update.subarray(decoder.pos);
  const pieces: Uint8Array[] = [];
  let piece: { client: number; clock: number; from: number; to: number; count: number }[] = [];
  let size = 0;
  const flush = (last: boolean) => {
    pieces.push(encodePiece(update, piece, last ? deleteSet : EMPTY_DELETE_SET));
    piece = [];
    size = 0;
  };
  for (const run of runs) {
    let clock = run.clock;
    for (let i = 0; i < run.starts.length; i++) {
      const start = run.starts[i] as number;
      const end = run.ends[i] as number;
      if (size > 0 && size + (end - start) > maxBytes) flush(false);
      const open = piece.at(-1);
      if (open && open.client === run.client && open.to === start) {
        open.to = end;
        open.count++;
      } else {
        piece.push({ client: run.client, clock, from: start, to: end, count: 1 });
      }
      size += end - start;
      clock += run.lengths[i] as number;
    }
  }
  flush(true);
  return pieces;
}

const EMPTY_DELETE_SET = new Uint8Array([0]);

function encodePiece(
  update: Uint8Array,
  groups: readonly { client: number; clock: number; from: number; to: number; count: number }[],
  deleteSet: Uint8Array,
): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, groups.length);
  for (const group of groups) {
    encoding.writeVarUint(encoder, group.count);
    encoding.writeVarUint(encoder, group.client);
    encoding.writeVarUint(encoder, group.clock);
    encoding.writeUint8Array(encoder, update.subarray(group.from, group.to));
  }
  encoding.writeUint8Array(encoder, deleteSet);
  return encoding.toUint8Array(encoder);
}

function readRuns(decoder: decoding.Decoder): StructRun[] {
  const runs: StructRun[] = [];
  const groups = decoding.readVarUint(decoder);
  for (let g = 0; g < groups; g++) {
    const count = decoding.readVarUint(decoder);
    const client = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const run: StructRun = { client, clock, starts: [], ends: [], lengths: [] };
    for (let i = 0; i < count; i++) {
      run.starts.push(decoder.pos);
      run.lengths.push(readStructLength(decoder));
      run.ends.push(decoder.pos);
    }
    runs.push(run);
  }
  return runs;
}

/** Reads one struct and returns its clock length (as Yjs counts it). */
function readStructLength(decoder: decoding.Decoder): number {
  const info = decoding.readUint8(decoder);
  if (info === SKIP || (info & BITS5) === 0) return decoding.readVarUint(decoder);
  if ((info & BIT8) !== 0) skipId(decoder);
  if ((info & BIT7) !== 0) skipId(decoder);
  if ((info & (BIT7 | BIT8)) === 0) {
    if (decoding.readVarUint(decoder) === 1) decoding.readVarString(decoder);
    else skipId(decoder);
    if ((info & BIT6) !== 0) decoding.readVarString(decoder);
  }
  return readContentLength(decoder, info & BITS5);
}

function skipId(decoder: decoding.Decoder): void {
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
}

function readContentLength(decoder: decoding.Decoder, ref: number): number {
  switch (ref) {
    case 1: // deleted
      return decoding.readVarUint(decoder);
    case 2: // JSON
      return repeat(decoder, () => decoding.readVarString(decoder));
    case 3: // binary
      decoding.readVarUint8Array(decoder);
      return 1;
    case 4: // string: Yjs counts UTF-16 code units
      return decoding.readVarString(decoder).length;
    case 5: // embed
      decoding.readVarString(decoder);
      return 1;
    case 6: // format
      decoding.readVarString(decoder);
      decoding.readVarString(decoder);
      return 1;
    case 7: {
      const typeRef = decoding.readVarUint(decoder);
      if (typeRef === 3 || typeRef === 5) decoding.readVarString(decoder);
      return 1;
    }
    case 8: // any
      return repeat(decoder, () => decoding.readAny(decoder));
    case 9: // subdocument
      decoding.readVarString(decoder);
      decoding.readAny(decoder);
      return 1;
    default:
      throw new Error(`unknown content ref ${ref}`);
  }
}

function repeat(decoder: decoding.Decoder, read: () => unknown): number {
  const length = decoding.readVarUint(decoder);
  for (let i = 0; i < length; i++) read();
  return length;
}
