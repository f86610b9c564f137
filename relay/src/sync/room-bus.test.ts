import { describe } from 'vitest';
import { InProcessRoomHub } from './InProcessRoomHub';
import { roomBusContract } from './room-bus-contract';

describe('InProcessRoomHub', () => {
  // in one process every node hears every other at once
  roomBusContract(
    async () => {
      const hub = new InProcessRoomHub();
      return [hub.node(), hub.node(), hub.node()];
    },
    async () => undefined,
  );
});
