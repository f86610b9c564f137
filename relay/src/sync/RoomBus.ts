/** What one node tells the others about a room. */
export type RoomBusMessage =
  /** Updates this node accepted and stored (one group commit), oldest first. */
  | { readonly kind: 'updates'; readonly updates: readonly Uint8Array[] }
  /** An awareness update as this node relayed it to its own sockets (RP9). */
  | { readonly kind: 'awareness'; readonly update: Uint8Array };

/** A message as another node receives it. */
export interface RoomBusDelivery {
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
   * Resolves once the bus knows where the room's stream stands (and, in Redis, other nodes can
   * hear that this one opened the room, RP52), so that every message published after this
   * resolves is heard or a gap reported (a room reads storage only then: what was published
   * before is stored). Never rejects: a bus that cannot reach its server resolves it and reports
   * a gap.
   */
  readonly ready: Promise<void>;
}

/**
 * How a room's updates and awareness reach the same room on other relay nodes (cluster mode; a
 * single node has none). A node publishes to the rooms it subscribes to (a room, while it is
 * loaded) and hears the other nodes subscribed to them. A node that was slow catches up instead of
 * missing messages, as pub/sub would: in Redis it reads a stream from the last id it read. A node
 * never receives its own messages. One node's messages for a room arrive in the order it published
 * them. Every implementation passes room-bus-contract.ts.
 *
 * Payloads are handed over, not copied: neither side may change them.
 */
export interface RoomBus {
  /** This node's id. */
  readonly node: string;
  /**
   * Sends `message` to every other node subscribed to `room`, a room this node subscribes to.
   * Resolves once the bus holds it (every other node will hear it, even if this one dies now), or
   * once its failure is recorded, to be announced as a gap (RP48), or at once when no other node
   * has the room open (RP52); never rejects. A room sends `saved` only after this (RP40).
   */
  publish(room: string, message: RoomBusMessage): Promise<void>;
  /**
   * Calls `listener` with every message other nodes publish to `room` from now on. `onGap` is
   * called when messages may have been missed (the bus lost its server, which may have restarted
   * empty; another node failed to publish; another node had the room open but had not yet heard
   * that this one opened it, RP52): the subscriber rereads what is stored. `onMet` is called when
   * another node is newly heard to have the room open (RP52): what the subscriber relayed before
   * may not have reached it (presence). Returns the way to stop.
   */
  subscribe(
    room: string,
    listener: RoomBusListener,
    onGap?: () => void,
    onMet?: () => void,
  ): RoomBusSubscription;
  /**
   * How many of the rooms this node has open another node is known to have open too (RP52): a
   * proxy that keeps each venue's devices on one node keeps it near 0 (RP46).
   */
  sharedRooms(): number;
  /** Ends every subscription of this node. */
  close(): Promise<void>;
}
