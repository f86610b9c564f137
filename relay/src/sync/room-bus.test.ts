import { describe, expect, it } from 'vitest';
import { eventually } from '@djamms/test-harness';
import { InProcessRoomHub } from './InProcessRoomHub';
import { roomBusContract } from './room-bus-contract';
import type { RoomBusDelivery } from './RoomBus';

describe('InProcessRoomHub', () => {
  roomBusContract(async () => {
    const hub = new InProcessRoomHub();
    return [hub.node(), hub.node(), hub.node()];
  });

  it('RP32 a room holds its newest messages to catch up from; an id it never gave is refused', async () => {
    const hub = new InProcessRoomHub(2);
    const [a, b] = [hub.node(), hub.node()];
    const seen: RoomBusDelivery[] = [];
    const stop = b.subscribe('vroom', null, (d) => seen.push(d));
    a.publish('vroom', { kind: 'awareness', update: new Uint8Array([0]) });
    await eventually(() => expect(seen).toHaveLength(1));
    stop();
    for (let i = 1; i <= 3; i++)
      a.publish('vroom', { kind: 'awareness', update: new Uint8Array([i]) });
    const caught: number[] = [];
    b.subscribe('vroom', seen[0]!.id, ({ message }) => {
      if (message.kind === 'awareness') caught.push(message.update[0]!);
    });
    await eventually(() => expect(caught).toEqual([2, 3]));
    expect(() => b.subscribe('vroom', '99', () => undefined)).toThrow(RangeError);
  });
});
