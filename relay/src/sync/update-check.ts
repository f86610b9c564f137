import { isUtf8 } from 'node:buffer';
import * as decoding from 'lib0/decoding';

/**
 * The clock range an update covers per client: it starts at `from` and ends before `to` (the same
 * as `Y.parseUpdateMeta`, read in the same pass as the check instead of a second decode).
 */
export interface UpdateClocks {
  readonly from: Map<number, number>;
  readonly to: Map<number, number>;
}

/** What a well-formed Yjs (v1) update contains, as counted by {@link checkUpdate}. */
export interface UpdateShape {
  readonly structs: number;
  readonly deletes: number;
  readonly clocks: UpdateClocks;
}

const BITS5 = 31;
const BIT6 = 32;
const BIT7 = 64;
const BIT8 = 128;
const SKIP = 10;
const MAX_TYPE_REF = 6;
/**
 * The deepest a value may nest: arrays and objects inside one JSON, embed, format or any content
 * (RP10). Yjs and lib0 write values by recursion, so a value 5,000 deep passed this check, was
 * stored, and then threw RangeError (the call stack) at every merge of its room: the room never
 * loaded again, on the relay or on any device that took it. A venue's values nest a few levels.
 */
export const MAX_VALUE_DEPTH = 64;

/**
 * Walks a v1 Yjs update byte by byte, the way Yjs reads it, without building a document.
 * Returns its shape, or null when it is truncated, has an unknown struct or content tag, bad JSON,
 * a value nested deeper than {@link MAX_VALUE_DEPTH}, or trailing bytes after the delete set
 * (RP10). Cheap enough for every incoming update.
 */
export function checkUpdate(update: Uint8Array): UpdateShape | null {
  try {
    const decoder = decoding.createDecoder(update);
    const clocks: UpdateClocks = { from: new Map(), to: new Map() };
    const structs = readStructs(decoder, clocks);
    const deletes = readDeleteSet(decoder);
    return decoding.hasContent(decoder) ? null : { structs, deletes, clocks };
  } catch {
    return null;
  }
}

/** True when the update carries nothing (no structs, no deletions). */
export function isEmptyUpdate(shape: UpdateShape): boolean {
  return shape.structs === 0 && shape.deletes === 0;
}

function readStructs(decoder: decoding.Decoder, clocks: UpdateClocks): number {
  let count = 0;
  const groups = decoding.readVarUint(decoder);
  for (let g = 0; g < groups; g++) {
    const structs = decoding.readVarUint(decoder);
    const client = decoding.readVarUint(decoder);
    let clock = decoding.readVarUint(decoder);
    if (structs > 0) clocks.from.set(client, clock);
    for (let i = 0; i < structs; i++) {
      clock += readStruct(decoder, readByte(decoder));
      count++;
    }
    if (structs > 0) clocks.to.set(client, clock);
  }
  return count;
}

/** Reads one struct and returns its length in clock ticks (what Yjs counts as its length). */
function readStruct(decoder: decoding.Decoder, info: number): number {
  if (info === SKIP || (info & BITS5) === 0) {
    return decoding.readVarUint(decoder); // length of a skip or GC
  }
  if ((info & BIT8) !== 0) readId(decoder); // origin
  if ((info & BIT7) !== 0) readId(decoder); // right origin
  if ((info & (BIT7 | BIT8)) === 0) {
    if (decoding.readVarUint(decoder) === 1) skipString(decoder);
    else readId(decoder);
    if ((info & BIT6) !== 0) skipString(decoder); // parentSub
  }
  return readContent(decoder, info & BITS5);
}

/**
 * Reads past a string without decoding it; throws, as a client's strict decoder would, when it is
 * not UTF-8. Returns its bytes.
 */
function skipString(decoder: decoding.Decoder): Uint8Array {
  const bytes = decoding.readVarUint8Array(decoder);
  if (!isUtf8(bytes)) throw new Error('a string that is not UTF-8');
  return bytes;
}

/** The UTF-16 length of valid UTF-8: one unit per character, two for those of four bytes. */
function utf16Length(utf8: Uint8Array): number {
  let length = 0;
  for (const byte of utf8) {
    if ((byte & 0xc0) !== 0x80) length += byte >= 0xf0 ? 2 : 1;
  }
  return length;
}

function readByte(decoder: decoding.Decoder): number {
  if (!decoding.hasContent(decoder)) throw new Error('unexpected end of update');
  return decoding.readUint8(decoder);
}

function readId(decoder: decoding.Decoder): void {
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
}

/** Reads an item's content and returns its length (Yjs `Content.getLength`). */
function readContent(decoder: decoding.Decoder, ref: number): number {
  switch (ref) {
    case 1: // deleted
      return decoding.readVarUint(decoder);
    case 2: // JSON
      return repeat(decoder, () => parseJsonString(decoding.readVarString(decoder)));
    case 3: // binary
      decoding.readVarUint8Array(decoder);
      return 1;
    case 4: // string: its length in UTF-16 code units, as Yjs counts it
      return utf16Length(skipString(decoder));
    case 5: // embed
      parseJson(decoding.readVarString(decoder));
      return 1;
    case 6: // format
      decoding.readVarString(decoder);
      parseJson(decoding.readVarString(decoder));
      return 1;
    case 7: // type
      readTypeRef(decoder);
      return 1;
    case 8: // any
      return repeat(decoder, () => skipAny(decoder, 0));
    case 9: // subdocument
      decoding.readVarString(decoder);
      skipAny(decoder, 0);
      return 1;
    default:
      throw new Error(`unknown content ref ${ref}`);
  }
}

function readTypeRef(decoder: decoding.Decoder): void {
  const ref = decoding.readVarUint(decoder);
  if (ref > MAX_TYPE_REF) throw new Error(`unknown type ref ${ref}`);
  if (ref === 3 || ref === 5) decoding.readVarString(decoder); // XML element name, hook name
}

/** Reads a counted list and returns its count. */
function repeat(decoder: decoding.Decoder, read: () => void): number {
  const length = decoding.readVarUint(decoder);
  for (let i = 0; i < length; i++) read();
  return length;
}

function parseJsonString(text: string): void {
  if (text !== 'undefined') parseJson(text);
}

/** Throws unless `text` is JSON nested at most {@link MAX_VALUE_DEPTH} deep. */
function parseJson(text: string): void {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c)
        i++; // the escaped character
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_VALUE_DEPTH) throw new Error('a value nested too deep');
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  JSON.parse(text);
}

/**
 * Reads past one value of lib0's any encoding (what `decoding.readAny` reads), without building
 * it; throws on an unknown tag, or when arrays and objects nest deeper than
 * {@link MAX_VALUE_DEPTH}.
 */
function skipAny(decoder: decoding.Decoder, depth: number): void {
  const tag = readByte(decoder);
  switch (tag) {
    case 127: // undefined
    case 126: // null
    case 121: // false
    case 120: // true
      return;
    case 125:
      decoding.readVarInt(decoder);
      return;
    case 124:
      decoding.readFloat32(decoder);
      return;
    case 123:
      decoding.readFloat64(decoder);
      return;
    case 122:
      decoding.readBigInt64(decoder);
      return;
    case 119: // string
    case 116: // bytes
      decoding.readVarUint8Array(decoder);
      return;
    case 118: // object: its entries, each a key and a value
    case 117: {
      // array
      if (depth >= MAX_VALUE_DEPTH) throw new Error('a value nested too deep');
      const entries = decoding.readVarUint(decoder);
      for (let i = 0; i < entries; i++) {
        if (tag === 118) decoding.readVarUint8Array(decoder);
        skipAny(decoder, depth + 1);
      }
      return;
    }
    default:
      throw new Error(`unknown value tag ${tag}`);
  }
}

function readDeleteSet(decoder: decoding.Decoder): number {
  let count = 0;
  const clients = decoding.readVarUint(decoder);
  for (let c = 0; c < clients; c++) {
    decoding.readVarUint(decoder); // client
    const deletes = decoding.readVarUint(decoder);
    for (let i = 0; i < deletes; i++) {
      readId(decoder); // clock, length
      count++;
    }
  }
  return count;
}
