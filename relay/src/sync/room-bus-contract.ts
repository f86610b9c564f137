import { expect, it } from 'vitest';
import { eventually } from '@djamms/test-harness';
import type { RoomBus, RoomBusDelivery, RoomBusMessage } from './RoomBus';

/** Three nodes of one bus (a fresh bus per test). */
export type MakeNodes = () => Promise<readonly [RoomBus, RoomBus, RoomBus]>;

const updates = (...values: number[]): RoomBusMessage => ({
  kind: 'updates',
  updates: values.map((v) => new Uint8Array([v])),
});

/** What a listener heard, as `node:value` strings. */
function recorder() {
  const heard: string[] = [];
  const deliveries: RoomBusDelivery[] = [];
  const listener = (delivery: RoomBusDelivery) => {
    deliveries.push(delivery);
    const { message } = delivery;
    const values = message.kind === 'updates' ? message.updates : [message.update];
    for (const value of values) heard.push(`${delivery.node}:${message.kind}:${value[0]}`);
  };
  return { heard, deliveries, listener };
}

/** Lets every delivery already due run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * The one contract every RoomBus passes (CONVENTIONS: shared adapter suite). "From now on" is
 * from when a subscription is `ready`.
 */
export function roomBusContract(make: MakeNodes): void {
  it('RP32 a message reaches every other node subscribed to the room, never its publisher', async () => {
    const [a, b, c] = await make();
    const [onA, onB, onC] = [recorder(), recorder(), recorder()];
    await a.subscribe('vroom', null, onA.listener).ready;
    await b.subscribe('vroom', null, onB.listener).ready;
    await c.subscribe('vroom', null, onC.listener).ready;
    a.publish('vroom', updates(1));
    a.publish('vroom', { kind: 'awareness', update: new Uint8Array([2]) });
    const want = [`${a.node}:updates:1`, `${a.node}:awareness:2`];
    await eventually(() => expect(onB.heard).toEqual(want));
    await eventually(() => expect(onC.heard).toEqual(want));
    await settle();
    expect(onA.heard).toEqual([]);
  });

  it('RP32 rooms are independent', async () => {
    const [a, b] = await make();
    const onOne = recorder();
    const onTwo = recorder();
    await b.subscribe('vone', null, onOne.listener).ready;
    await b.subscribe('vtwo', null, onTwo.listener).ready;
    a.publish('vone', updates(1));
    a.publish('vtwo', updates(2));
    await eventually(() => expect(onTwo.heard).toEqual([`${a.node}:updates:2`]));
    await eventually(() => expect(onOne.heard).toEqual([`${a.node}:updates:1`]));
  });

  it('RP32 one node’s messages arrive in the order it published them', async () => {
    const [a, b, c] = await make();
    const onC = recorder();
    await c.subscribe('vroom', null, onC.listener).ready;
    const values = Array.from({ length: 200 }, (_, i) => i);
    for (const v of values) {
      a.publish('vroom', updates(v));
      b.publish('vroom', updates(v));
    }
    await eventually(() => expect(onC.heard).toHaveLength(400));
    for (const node of [a.node, b.node]) {
      const fromNode = onC.heard.filter((h) => h.startsWith(`${node}:`));
      expect(fromNode).toEqual(values.map((v) => `${node}:updates:${v}`));
    }
  });

  it('RP32 a node catches up from the last id it saw, then hears new messages', async () => {
    const [a, b] = await make();
    const first = recorder();
    const stop = b.subscribe('vroom', null, first.listener);
    await stop.ready;
    a.publish('vroom', updates(1));
    await eventually(() => expect(first.heard).toHaveLength(1));
    stop();
    // b is away (slow or restarting) while a goes on
    a.publish('vroom', updates(2));
    a.publish('vroom', updates(3));
    const again = recorder();
    await b.subscribe('vroom', first.deliveries[0]!.id, again.listener).ready;
    a.publish('vroom', updates(4));
    await eventually(() =>
      expect(again.heard).toEqual([2, 3, 4].map((v) => `${a.node}:updates:${v}`)),
    );
  });

  it('RP32 after unsubscribing or closing, a node hears nothing more', async () => {
    const [a, b, c] = await make();
    const onB = recorder();
    const onC = recorder();
    const stop = b.subscribe('vroom', null, onB.listener);
    await stop.ready;
    await c.subscribe('vroom', null, onC.listener).ready;
    a.publish('vroom', updates(1));
    stop();
    await c.close();
    a.publish('vroom', updates(2));
    await settle();
    expect(onB.heard).toEqual([]);
    expect(onC.heard).toEqual([]);
  });
}
