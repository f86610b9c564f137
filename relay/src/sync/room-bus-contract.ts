import { expect, it } from 'vitest';
import { eventually } from '@djamms/test-harness';
import type { RoomBus, RoomBusDelivery, RoomBusMessage } from './RoomBus';

/** Three nodes of one bus (a fresh bus per test). */
export type MakeNodes = () => Promise<readonly [RoomBus, RoomBus, RoomBus]>;

/**
 * Waits until each of `nodes`, all subscribed to `room`, is heard by every other (in Redis, each
 * has heard the others open the room, RP52).
 */
export type Met = (room: string, nodes: readonly RoomBus[]) => Promise<void>;

const updates = (...values: number[]): RoomBusMessage => ({
  kind: 'updates',
  updates: values.map((v) => new Uint8Array([v])),
});

/** What a listener heard, as `node:value` strings. */
function recorder() {
  const heard: string[] = [];
  const listener = (delivery: RoomBusDelivery) => {
    const { message } = delivery;
    const values = message.kind === 'updates' ? message.updates : [message.update];
    for (const value of values) heard.push(`${delivery.node}:${message.kind}:${value[0]}`);
  };
  return { heard, listener };
}

/** Lets every delivery already due run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * The one contract every RoomBus passes (CONVENTIONS: shared adapter suite). A node publishes to
 * rooms it subscribes to; "from now on" is from when every node of the room has met (`met`).
 */
export function roomBusContract(make: MakeNodes, met: Met): void {
  /** Subscribes each node to `room` with a recorder; resolves once they have met. */
  const join = async (room: string, nodes: readonly RoomBus[]) => {
    const recorders = nodes.map(() => recorder());
    await Promise.all(nodes.map((n, i) => n.subscribe(room, recorders[i]!.listener).ready));
    await met(room, nodes);
    return recorders;
  };

  it('RP32 a message reaches every other node subscribed to the room, never its publisher', async () => {
    const [a, b, c] = await make();
    const [onA, onB, onC] = await join('vroom', [a, b, c]);
    a.publish('vroom', updates(1));
    a.publish('vroom', { kind: 'awareness', update: new Uint8Array([2]) });
    const want = [`${a.node}:updates:1`, `${a.node}:awareness:2`];
    await eventually(() => expect(onB!.heard).toEqual(want));
    await eventually(() => expect(onC!.heard).toEqual(want));
    await settle();
    expect(onA!.heard).toEqual([]);
  });

  it('RP32 rooms are independent', async () => {
    const [a, b] = await make();
    const [, onOne] = await join('vone', [a, b]);
    const [, onTwo] = await join('vtwo', [a, b]);
    a.publish('vone', updates(1));
    a.publish('vtwo', updates(2));
    await eventually(() => expect(onTwo!.heard).toEqual([`${a.node}:updates:2`]));
    await eventually(() => expect(onOne!.heard).toEqual([`${a.node}:updates:1`]));
  });

  it('RP32 one node’s messages arrive in the order it published them', async () => {
    const [a, b, c] = await make();
    const [, , onC] = await join('vroom', [a, b, c]);
    const values = Array.from({ length: 200 }, (_, i) => i);
    for (const v of values) {
      a.publish('vroom', updates(v));
      b.publish('vroom', updates(v));
    }
    await eventually(() => expect(onC!.heard).toHaveLength(400));
    for (const node of [a.node, b.node]) {
      const fromNode = onC!.heard.filter((h) => h.startsWith(`${node}:`));
      expect(fromNode).toEqual(values.map((v) => `${node}:updates:${v}`));
    }
  });

  it('RP32 a node hears nothing published before it subscribed (it reads that from storage)', async () => {
    const [a, b] = await make();
    await join('vroom', [a]);
    a.publish('vroom', updates(1));
    await settle();
    const [, onB] = await join('vroom', [a, b]);
    a.publish('vroom', updates(2));
    await eventually(() => expect(onB!.heard).toEqual([`${a.node}:updates:2`]));
  });

  it('RP32 after unsubscribing or closing, a node hears nothing more', async () => {
    const [a, b, c] = await make();
    const onB = recorder();
    const onC = recorder();
    const stop = b.subscribe('vroom', onB.listener);
    await stop.ready;
    await c.subscribe('vroom', onC.listener).ready;
    await a.subscribe('vroom', () => undefined).ready;
    await met('vroom', [a, b, c]);
    a.publish('vroom', updates(1));
    stop();
    await c.close();
    a.publish('vroom', updates(2));
    await settle();
    expect(onB.heard).toEqual([]);
    expect(onC.heard).toEqual([]);
  });

  it('RP46 each node counts the rooms it has open that another node has open too', async () => {
    const [a, b, c] = await make();
    await a.subscribe('vshared', () => undefined).ready;
    const leave = b.subscribe('vshared', () => undefined);
    await leave.ready;
    await met('vshared', [a, b]);
    await a.subscribe('valone', () => undefined).ready;
    expect([a.sharedRooms(), b.sharedRooms(), c.sharedRooms()]).toEqual([1, 1, 0]);
    leave();
    await eventually(() => expect(a.sharedRooms()).toBe(0));
    expect(b.sharedRooms()).toBe(0);
  });
}
