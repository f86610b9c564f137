/**
 * Top-level message types on the sync socket. 0–3 are the y-websocket protocol; 100 is the
 * relay's opt-in durable acknowledgement (sent only to clients that connect with `ack=1`).
 */
export const MessageType = {
  /** y-protocols sync: step 1, step 2 or update. */
  sync: 0,
  /** y-protocols awareness update. */
  awareness: 1,
  /** y-protocols auth: permission denied with a reason. */
  auth: 2,
  /** A client asks for everyone's awareness state. */
  queryAwareness: 3,
  /** Relay → client: updates up to a point are durably stored (see PROTOCOL.md RP8). */
  saved: 100,
} as const;

/** Sub-types of a `sync` message (y-protocols/sync). */
export const SyncMessageType = {
  /** Carries the sender's state vector; the receiver answers with step 2. */
  step1: 0,
  /** Carries the update the other side lacks. */
  step2: 1,
  /** Carries an incremental update. */
  update: 2,
} as const;

/** Reasons carried by an auth permission-denied message (y-protocols/auth). */
export const DeniedReason = {
  /** The connection may read the room but not write to it. */
  readOnly: 'read-only',
} as const;

/** The URL query parameter that opts a client into `saved` acknowledgements. */
export const ACK_PARAM = 'ack';
