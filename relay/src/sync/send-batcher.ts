import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

const corked = new Set<Socket>();
let scheduled = false;

/** What `ws` keeps of a connection, used here to write frames it would write the same way. */
interface WsInternals {
  _socket?: Socket;
  _sender?: { _state: number; _queue: unknown[] };
}

/** Messages up to this size are framed once and written whole (one copy of the payload). */
const FRAME_ONCE_BYTES = 16 * 1024;
/** The last message framed and its frame: a broadcast frames its message once for every peer. */
let framed: Uint8Array | null = null;
let frame: Buffer = Buffer.alloc(0);

/** A final, unmasked binary frame of `message`, as a server sends it (RFC 6455 §5.2). */
function binaryFrame(message: Uint8Array): Buffer {
  const short = message.byteLength < 126;
  const out = Buffer.allocUnsafe((short ? 2 : 4) + message.byteLength);
  out[0] = 0x82; // FIN, binary
  if (short) out[1] = message.byteLength;
  else {
    out[1] = 126;
    out.writeUInt16BE(message.byteLength, 2);
  }
  out.set(message, short ? 2 : 4);
  return out;
}

/**
 * Sends `message` as one binary WebSocket message. A small one goes to the socket as one frame
 * built once per message, not once per peer: a room's broadcast of one update to every peer
 * frames it once, and each peer's write is one buffer instead of ws's header and payload. ws's
 * own send is used whenever its sender is busy (compressing or waiting on data), so frames never
 * overtake each other; compression is off on this relay's server (RP4).
 */
export function sendMessage(ws: WebSocket, message: Uint8Array): void {
  const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
  if (
    !socket ||
    !sender ||
    sender._state !== 0 ||
    sender._queue.length > 0 ||
    message.byteLength > FRAME_ONCE_BYTES
  ) {
    ws.send(message);
    return;
  }
  if (message !== framed) {
    frame = binaryFrame(message);
    framed = message;
  }
  socket.write(frame);
}

function uncorkAll(): void {
  scheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/**
 * Holds a socket's writes until the end of this event-loop turn, so the frames sent to one peer
 * while handling a burst of incoming messages leave in one write system call instead of one each.
 * Frames stay separate WebSocket messages; only the syscalls are batched (RP4).
 */
export function batchWrites(ws: WebSocket): void {
  // ws keeps its net.Socket in `_socket`; cork/uncork is the Node stream API for batching writes.
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  if (!socket || corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (!scheduled) {
    scheduled = true;
    setImmediate(uncorkAll);
  }
}
