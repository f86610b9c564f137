import { describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import {
  decodeHttpSyncAnswer,
  decodeHttpSyncRequest,
  decodeSavedPayload,
  encodeHttpSyncAnswer,
  encodeHttpSyncRequest,
  encodeSavedMessage,
} from './binary';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) % 256);

describe('binary shapes', () => {
  it('RP20 the HTTP sync body and answer are lib0 varUint8Arrays, both ways', () => {
    const sv = bytes(5);
    const update = bytes(300);
    const body = encodeHttpSyncRequest(sv, update);
    const reference = encoding.createEncoder();
    encoding.writeVarUint8Array(reference, sv);
    encoding.writeVarUint8Array(reference, update);
    expect(body).toEqual(encoding.toUint8Array(reference));
    expect(decodeHttpSyncRequest(body)).toEqual({ stateVector: sv, update });
    expect(decodeHttpSyncRequest(encodeHttpSyncRequest(sv)).update.byteLength).toBe(0);
    const answer = encodeHttpSyncAnswer(update, sv);
    const decoder = decoding.createDecoder(answer);
    expect(decoding.readVarUint8Array(decoder)).toEqual(update);
    expect(decodeHttpSyncAnswer(answer)).toEqual({ diff: update, stateVector: sv });
    expect(() => decodeHttpSyncRequest(new Uint8Array([9, 1]))).toThrow(RangeError);
    expect(() => decodeHttpSyncAnswer(new Uint8Array([1, 1, 1, 1, 7]))).toThrow(RangeError);
  });

  it('RP8 the saved message round-trips and matches lib0 encoding', () => {
    const ack = { seq: 300_000, savedFromThisSocket: 129, stateVector: bytes(9) };
    const message = encodeSavedMessage(ack);
    const reference = encoding.createEncoder();
    encoding.writeVarUint(reference, 100);
    encoding.writeVarUint(reference, ack.seq);
    encoding.writeVarUint(reference, ack.savedFromThisSocket);
    encoding.writeVarUint8Array(reference, ack.stateVector);
    expect(message).toEqual(encoding.toUint8Array(reference));
    expect(decodeSavedPayload(message.subarray(1))).toEqual(ack);
  });
});
