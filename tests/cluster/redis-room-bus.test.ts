import { afterAll } from 'vitest';
import { silentLogger } from 'djamms-relay';
import { RedisRoomBus } from '../../relay/src/cluster/RedisRoomBus';
import { roomBusContract } from '../../relay/src/sync/room-bus-contract';
import { describeCluster } from './services';

let clusters = 0;

describeCluster('RedisRoomBus', (servers) => {
  const buses: RedisRoomBus[] = [];
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
  });

  roomBusContract(async () => {
    const prefix = `t${++clusters}:`;
    const node = () => {
      const bus = new RedisRoomBus({ url: servers().redis.url, logger: silentLogger, prefix });
      buses.push(bus);
      return bus;
    };
    return [node(), node(), node()];
  });
});
