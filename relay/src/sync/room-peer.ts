/**
 * A participant in a room as the room sees it: the socket connection implements it, so the room
 * core never touches `ws` (and a second transport could slot in).
 */
export interface RoomPeer {
  /** Stable id for logs. */
  readonly id: number;
  /** The device behind the peer (token subject): a device's new socket may take over its ids. */
  readonly deviceId: string;
  /** Whether this peer opted into `saved` acknowledgements (`ack=1`). */
  readonly wantsAcks: boolean;
  /** Sends one whole message; the peer applies its own backpressure. */
  send(message: Uint8Array): void;
  /** Closes the peer with a named close code. */
  close(code: number, reason: string): void;
}
