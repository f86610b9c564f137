/** What one node tells the others about a room. */
export type RoomBusMessage =
  /** Updates this node accepted and stored (one group commit), oldest first. */
  | { readonly kind: 'updates'; readonly updates: readonly Uint8Array[] }
  /** An awareness update as this node relayed it to its own sockets (RP9). */
  | { readonly kind: 'awareness'; readonly update: Uint8Array };

/** A message as another node receives it. */
export interface RoomBusDelivery {
  /** Its place in the room's stream: subscribing from it resumes after it. */
  readonly id: string;
  /** The node that published it. */
  readonly node: string;
  readonly message: RoomBusMessage;
}

/** Receives a room's messages from other nodes. */
export type RoomBusListener = (delivery: RoomBusDelivery) => void;

/** A subscription to a room: call it to stop. */
export interface RoomBusSubscription {
  (): void;
  /**
   * Resolves once the bus knows where the room's stream stands, so that every message published
   * after this resolves is heard (a room reads storage only then: what was published before is
   * stored). Never rejects: a bus that cannot reach its server resolves it and reports a gap.
   */
  readonly ready: Promise<void>;
}

/**
 * How a room's updates and awareness reach the same room on other relay nodes (cluster mode; a
 * single node has none). Per room it is a stream with ids, as a Redis stream is, so a node that was
 * slow or restarting catches up from the last id it saw instead of missing messages, as pub/sub
 * would. A node never receives its own messages. One node's messages for a room arrive in the
 * order it published them. Every implementation passes room-bus-contract.ts.
 *
 * Payloads are handed over, not copied: neither side may change them.
 */
export interface RoomBus {
  /** This node's id. */
  readonly node: string;
  /**
   * Sends `message` to every other node subscribed to `room`. Resolves once the bus holds it (every
   * other node will hear it, even if this one dies now) or once its failure is recorded, to be
   * announced as a gap (RP48); never rejects. A room sends `saved` only after this (RP40).
   */
  publish(room: string, message: RoomBusMessage): Promise<void>;
  /**
   * Calls `listener` with every message other nodes publish to `room` from now on, or (with
   * `from`) every one after the message with that id that the bus still holds, then the new
   * ones. `onGap` is called when messages may have been missed (the bus lost its server, which
   * may have restarted empty, or another node failed to publish): the subscriber rereads what is
   * stored. Returns the way to stop.
   */
  subscribe(
    room: string,
    from: string | null,
    listener: RoomBusListener,
    onGap?: () => void,
  ): RoomBusSubscription;
  /** Ends every subscription of this node. */
  close(): Promise<void>;
}
