/**
 * The two binary shapes of the relay protocol that are not plain y-websocket: the HTTP sync
 * fallback body and answer (PROTOCOL.md RP20) and the `saved` acknowledgement (RP8). Encoded with
 * lib0's variable-length unsigned integers and length-prefixed byte arrays, written out here so the
 * protocol package needs no dependency.
 */

/** What the relay acknowledged as durably stored (message type 100). */
export interface SavedAck {
  /** Updates stored in the room since it was loaded. */
  readonly seq: number;
  /** How many of this connection's updates are durable. */
  readonly savedFromThisSocket: number;
  /** State vector (Yjs encoding) of what is on disk. */
  readonly stateVector: Uint8Array;
}

class Writer {
  readonly #bytes: number[] = [];

  varUint(value: number): this {
    let n = value;
    while (n > 0x7f) {
      this.#bytes.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.#bytes.push(n);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.varUint(value.byteLength);
    for (const byte of value) this.#bytes.push(byte);
    return this;
  }

  done(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

class Reader {
  #pos = 0;
  constructor(readonly data: Uint8Array) {}

  varUint(): number {
    let value = 0;
    let factor = 1;
    for (;;) {
      if (this.#pos >= this.data.byteLength) throw new RangeError('unexpected end of message');
      const byte = this.data[this.#pos++] as number;
      value += (byte & 0x7f) * factor;
      if (byte < 0x80) return value;
      factor *= 0x80;
      if (factor > 2 ** 53) throw new RangeError('integer out of range');
    }
  }

  bytes(): Uint8Array {
    const length = this.varUint();
    if (this.#pos + length > this.data.byteLength)
      throw new RangeError('unexpected end of message');
    const out = this.data.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return out;
  }

  get done(): boolean {
    return this.#pos === this.data.byteLength;
  }
}

/** HTTP sync request body: the client's state vector and, optionally, its pending update. */
export function encodeHttpSyncRequest(
  stateVector: Uint8Array,
  update?: Uint8Array | null,
): Uint8Array {
  const writer = new Writer().bytes(stateVector);
  if (update && update.byteLength > 0) writer.bytes(update);
  return writer.done();
}

/** Decodes an HTTP sync request body; throws `RangeError` when it is malformed. */
export function decodeHttpSyncRequest(body: Uint8Array): {
  stateVector: Uint8Array;
  update: Uint8Array;
} {
  const reader = new Reader(body);
  const stateVector = reader.bytes();
  const update = reader.done ? new Uint8Array(0) : reader.bytes();
  if (!reader.done) throw new RangeError('trailing bytes');
  return { stateVector, update };
}

/** HTTP sync answer: the diff the client lacks and the relay's state vector. */
export function encodeHttpSyncAnswer(diff: Uint8Array, relayStateVector: Uint8Array): Uint8Array {
  return new Writer().bytes(diff).bytes(relayStateVector).done();
}

/** Decodes an HTTP sync answer; throws `RangeError` when it is malformed. */
export function decodeHttpSyncAnswer(body: Uint8Array): {
  diff: Uint8Array;
  stateVector: Uint8Array;
} {
  const reader = new Reader(body);
  const diff = reader.bytes();
  const stateVector = reader.bytes();
  if (!reader.done) throw new RangeError('trailing bytes');
  return { diff, stateVector };
}

/** Encodes a whole `saved` message, message type included. */
export function encodeSavedMessage(ack: SavedAck): Uint8Array {
  return new Writer()
    .varUint(100)
    .varUint(ack.seq)
    .varUint(ack.savedFromThisSocket)
    .bytes(ack.stateVector)
    .done();
}

/**
 * Decodes a `saved` message after its message type (y-websocket message handlers receive a decoder
 * positioned there; pass the remaining bytes). Throws `RangeError` when it is malformed.
 */
export function decodeSavedPayload(payload: Uint8Array): SavedAck {
  const reader = new Reader(payload);
  const seq = reader.varUint();
  const savedFromThisSocket = reader.varUint();
  const stateVector = reader.bytes();
  return { seq, savedFromThisSocket, stateVector };
}
