import { afterAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import * as encoding from 'lib0/encoding';
import { eventually } from '@djamms/test-harness';
import { silentLogger } from 'djamms-relay';
import { RedisRoomBus, writeRoomMessage } from '../../relay/src/cluster/RedisRoomBus';
import { roomBusContract } from '../../relay/src/sync/room-bus-contract';
import { describeCluster } from './services';

let clusters = 0;

describeCluster('RedisRoomBus', (servers) => {
  const buses: RedisRoomBus[] = [];
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
  });

  const nodes = async () => {
    const prefix = `t${++clusters}:`;
    const node = () => {
      const bus = new RedisRoomBus({ url: servers().redis.url, logger: silentLogger, prefix });
      buses.push(bus);
      return bus;
    };
    return [node(), node(), node()] as const;
  };

  // every room in one stream: rooms share it yet each hears only its own (RP43)
  roomBusContract(nodes);

  it('RP50 what a node publishes in one turn is one entry of the stream, each room hearing its own', async () => {
    const [a, b] = await nodes();
    const heard = new Map<string, string[]>();
    for (const room of ['v1', 'v2', 'v3']) {
      heard.set(room, []);
      await b.subscribe(room, null, ({ message }) => {
        const values = message.kind === 'updates' ? message.updates : [message.update];
        heard.get(room)?.push(...values.map((v) => `${message.kind}:${v[0]}`));
      }).ready;
    }
    const raw = new Redis(servers().redis.url);
    const key = `t${clusters}:rooms`;
    const before = await raw.xlen(key);
    const published = Promise.all([
      a.publish('v1', { kind: 'updates', updates: [new Uint8Array([1]), new Uint8Array([2])] }),
      a.publish('v2', { kind: 'updates', updates: [new Uint8Array([3])] }),
      a.publish('v1', { kind: 'awareness', update: new Uint8Array([4]) }),
      a.publish('v3', { kind: 'awareness', update: new Uint8Array([5]) }),
    ]);
    await published;
    // resolved once Redis holds them: in one entry
    expect((await raw.xlen(key)) - before).toBe(1);
    await raw.quit();
    await eventually(() => {
      expect(heard.get('v1')).toEqual(['updates:1', 'updates:2', 'awareness:4']);
      expect(heard.get('v2')).toEqual(['updates:3']);
      expect(heard.get('v3')).toEqual(['awareness:5']);
    });
  });

  it('RP51 presence waits for company: renewals over several turns, and the update that follows them, are one entry', async () => {
    const [a, b] = await nodes();
    const heard: string[] = [];
    await b.subscribe('v1', null, ({ message }) => {
      const values = message.kind === 'updates' ? message.updates : [message.update];
      heard.push(...values.map((v) => `${message.kind}:${v[0]}`));
    }).ready;
    const raw = new Redis(servers().redis.url);
    const key = `t${clusters}:rooms`;
    const before = await raw.xlen(key);
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    const published = [a.publish('v1', { kind: 'awareness', update: new Uint8Array([1]) })];
    await nextTurn();
    published.push(a.publish('v1', { kind: 'awareness', update: new Uint8Array([2]) }));
    await nextTurn();
    expect(await raw.xlen(key)).toBe(before);
    // an update goes at the end of its turn, taking the waiting presence with it
    published.push(a.publish('v1', { kind: 'updates', updates: [new Uint8Array([3])] }));
    await Promise.all(published);
    expect((await raw.xlen(key)) - before).toBe(1);
    // presence alone goes within 50 ms
    const started = performance.now();
    await a.publish('v1', { kind: 'awareness', update: new Uint8Array([4]) });
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await raw.xlen(key)) - before).toBe(2);
    await raw.quit();
    await eventually(() =>
      expect(heard).toEqual(['awareness:1', 'awareness:2', 'updates:3', 'awareness:4']),
    );
  });
});

describeCluster('RedisRoomBus gaps', (servers) => {
  const closing: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    await Promise.all(closing.map((close) => close()));
  });
  const setUp = async () => {
    const prefix = `g${++clusters}:`;
    const bus = () => {
      const made = new RedisRoomBus({ url: servers().redis.url, logger: silentLogger, prefix });
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
    return { key: `${prefix}rooms`, raw, publisher, heard, gaps: () => gaps };
  };
  const message = { kind: 'awareness', update: new Uint8Array([1]) } as const;
  /** Appends an entry as another node writes it (RP50): one awareness message of `room`. */
  const addAs = (raw: Redis, key: string, room: string, sequence: number) => {
    const encoder = encoding.createEncoder();
    writeRoomMessage(encoder, { room, sequence, kind: 'a', payloads: [new Uint8Array([1])] });
    return raw.xadd(key, '*', 'n', 'other-node', 'm', Buffer.from(encoding.toUint8Array(encoder)));
  };

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
    const add = (sequence: number) => addAs(raw, key, 'room', sequence);
    await add(7); // the first heard from a node: what came before it is stored (RP43)
    await add(8);
    await eventually(() => expect(heard).toHaveLength(2));
    expect(gaps()).toBe(0);
    await add(10);
    await eventually(() => expect(gaps()).toBe(1));
    expect(heard).toHaveLength(3);
  });

  it('RP48 a node that reads the stream from an id trimmed past rereads its rooms; one not trimmed past does not', async () => {
    const { key, raw } = await setUp();
    const trimmedPast = await addAs(raw, key, 'room', 1);
    // another room is busy: more than a read's batch, then the stream is trimmed
    const ids = await Promise.all(
      Array.from({ length: 2500 }, (_, s) => addAs(raw, key, 'busy', s + 1)),
    );
    await raw.xtrim(key, 'MAXLEN', 2000);
    const reader = new RedisRoomBus({
      url: servers().redis.url,
      logger: silentLogger,
      prefix: key.slice(0, -'rooms'.length),
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
