import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { batchWrites, sendMessage } from './send-batcher';

/** A server socket and a client socket connected through 127.0.0.1. */
async function pair() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  client.binaryType = 'nodebuffer';
  const received: Buffer[] = [];
  client.on('message', (data: Buffer, isBinary) => {
    expect(isBinary).toBe(true);
    received.push(data);
  });
  await new Promise((resolve) => client.once('open', resolve));
  return { server, client, socket: await accepted, received };
}

describe('frames written by the send batcher', () => {
  const open: { server: WebSocketServer; client: WebSocket }[] = [];
  afterEach(async () => {
    for (const { server, client } of open.splice(0)) {
      client.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('RP4 every size arrives whole and in order, framed once for many peers or sent by ws', async () => {
    const peers = [await pair(), await pair()];
    open.push(...peers);
    // 0 and 125 bytes (7-bit length), 126 and 16 KiB (16-bit length), 70,000 (ws's own send)
    const sizes = [0, 1, 125, 126, 4_000, 16 * 1024, 16 * 1024 + 1, 70_000];
    const messages = sizes.map((n, i) =>
      Uint8Array.from({ length: n }, (_, j) => (i * 31 + j) % 251),
    );
    for (const message of messages) {
      for (const { socket } of peers) {
        batchWrites(socket);
        sendMessage(socket, message);
      }
    }
    for (const { received } of peers) {
      await expect.poll(() => received.length).toBe(messages.length);
      received.forEach((r, i) => expect(Buffer.compare(r, messages[i]!)).toBe(0));
    }
  });
});
