import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { eventually } from '@djamms/test-harness';
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

  const nodes = (shards?: number) => async () => {
    const prefix = `t${++clusters}:`;
    const node = () => {
      const bus = new RedisRoomBus({
        url: servers().redis.url,
        logger: silentLogger,
        prefix,
        ...(shards ? { shards } : {}),
      });
      buses.push(bus);
      return bus;
    };
    return [node(), node(), node()] as const;
  };

  describe('rooms spread over the shards', () => roomBusContract(nodes()));
  // every room in one stream: rooms share a stream yet each hears only its own (RP43)
  describe('every room in one shard', () => roomBusContract(nodes(1)));
});

describeCluster('RedisRoomBus gaps', (servers) => {
  const closing: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    await Promise.all(closing.map((close) => close()));
  });
  const setUp = async () => {
    const prefix = `g${++clusters}:`;
    const bus = () => {
      // one shard: the test knows the stream's key
      const made = new RedisRoomBus({
        url: servers().redis.url,
        logger: silentLogger,
        prefix,
        shards: 1,
      });
      closing.push(() => made.close());
      return made;
    };
    const raw = new Redis(servers().redis.url);
    closing.push(() => raw.quit());
    const [publisher, subscriber] = [bus(), bus()];
    const heard: string[] = [];
    let gaps = 0;
    const subscription = subscriber.subscribe(
      'room',
      null,
      (delivery) => heard.push(delivery.node),
      () => gaps++,
    );
    await subscription.ready;
    return { key: `${prefix}rooms:0`, raw, publisher, heard, gaps: () => gaps };
  };
  const message = { kind: 'awareness', update: new Uint8Array([1]) } as const;

  it('RP48 a message a node failed to publish is announced as a gap once Redis takes messages again', async () => {
    const { key, raw, publisher, heard, gaps } = await setUp();
    publisher.publish('room', message);
    await eventually(() => expect(heard).toHaveLength(1));
    // Redis refuses the next messages (the stream's key holds something else), as when it is away
    await raw.del(key);
    await raw.set(key, 'not a stream');
    publisher.publish('room', message);
    publisher.publish('room', message);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(gaps()).toBe(0);
    await raw.del(key);
    await eventually(() => expect(gaps()).toBe(1));
    // the next message follows the gap message: nothing more is missed
    publisher.publish('room', message);
    await eventually(() => expect(heard).toHaveLength(2));
    expect(gaps()).toBe(1);
  });

  it('RP48 a number skipped in a node’s messages (a trimmed stream, a lost publish) is a gap', async () => {
    const { key, raw, heard, gaps } = await setUp();
    const add = (sequence: number) =>
      raw.xadd(key, '*', 'r', 'room', 'n', 'other-node', 's', sequence, 'k', 'a', 'd', 'x');
    await add(7); // the first heard from a node: what came before it is stored (RP43)
    await add(8);
    await eventually(() => expect(heard).toHaveLength(2));
    expect(gaps()).toBe(0);
    await add(10);
    await eventually(() => expect(gaps()).toBe(1));
    expect(heard).toHaveLength(3);
  });

  it('RP48 a node that reads a shard from an id trimmed past rereads its rooms; one not trimmed past does not', async () => {
    const { key, raw } = await setUp();
    const add = (room: string, sequence: number) =>
      raw.xadd(key, '*', 'r', room, 'n', 'other-node', 's', sequence, 'k', 'a', 'd', 'x');
    const trimmedPast = await add('room', 1);
    // another room of the shard is busy: more than a read's batch, then the stream is trimmed
    const busy = raw.pipeline();
    for (let s = 1; s <= 2500; s++) {
      busy.xadd(key, '*', 'r', 'busy', 'n', 'other-node', 's', s, 'k', 'a', 'd', 'x');
    }
    const ids = ((await busy.exec()) ?? []).map(([, id]) => id as string);
    await raw.xtrim(key, 'MAXLEN', 2000);
    const reader = new RedisRoomBus({
      url: servers().redis.url,
      logger: silentLogger,
      prefix: key.slice(0, -'rooms:0'.length),
      shards: 1,
    });
    closing.push(() => reader.close());
    let keptGaps = 0;
    let trimmedGaps = 0;
    const heard: string[] = [];
    await reader.subscribe(
      'busy',
      ids[1000] as string,
      (d) => heard.push(d.id),
      () => keptGaps++,
    ).ready;
    await eventually(() => expect(heard).toHaveLength(1499));
    expect(keptGaps).toBe(0);
    await reader.subscribe(
      'room',
      trimmedPast as string,
      () => undefined,
      () => trimmedGaps++,
    ).ready;
    await eventually(() => expect(trimmedGaps).toBe(1));
  });
});
