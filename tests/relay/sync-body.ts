import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/** Encodes an HTTP sync request body (PROTOCOL.md RP20). */
export function encodeSyncBody(stateVector: Uint8Array, update: Uint8Array | null): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint8Array(encoder, stateVector);
  if (update) encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** Decodes an HTTP sync answer. */
export function decodeSyncAnswer(body: Uint8Array): { diff: Uint8Array; stateVector: Uint8Array } {
  const decoder = decoding.createDecoder(body);
  return {
    diff: decoding.readVarUint8Array(decoder),
    stateVector: decoding.readVarUint8Array(decoder),
  };
}
