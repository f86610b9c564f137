import * as encoding from 'lib0/encoding';
import { MessageType, SyncMessageType, encodeSavedMessage } from '@djamms/protocol';

/** `[sync, step1, stateVector]`. */
export function syncStep1Message(stateVector: Uint8Array): Uint8Array {
  return syncMessage(SyncMessageType.step1, stateVector);
}

/** `[sync, step2, update]`. */
export function syncStep2Message(update: Uint8Array): Uint8Array {
  return syncMessage(SyncMessageType.step2, update);
}

/** `[sync, update, update]`. */
export function syncUpdateMessage(update: Uint8Array): Uint8Array {
  return syncMessage(SyncMessageType.update, update);
}

function syncMessage(kind: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.sync);
  encoding.writeVarUint(encoder, kind);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/** `[awareness, update]`. */
export function awarenessMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.awareness);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** `[auth, permissionDenied(0), reason]` as y-protocols/auth writes it. */
export function permissionDeniedMessage(reason: string): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.auth);
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarString(encoder, reason);
  return encoding.toUint8Array(encoder);
}

/**
 * `[saved(100), roomSeq, peerUpdatesSaved, stateVector]` (RP8): the room's durable sequence number,
 * how many of this connection's updates are durable, and the state vector now on disk.
 */
export function savedMessage(seq: number, peerSaved: number, stateVector: Uint8Array): Uint8Array {
  return encodeSavedMessage({ seq, savedFromThisSocket: peerSaved, stateVector });
}
