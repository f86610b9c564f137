import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

const corked = new Set<Socket>();
let scheduled = false;

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
