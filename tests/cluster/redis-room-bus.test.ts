import { afterAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { eventually } from '@djamms/test-harness';
import { silentLogger } from 'djamms-relay';
import {
  RedisRoomBus,
  writeRoomMessage,
  type RoomMessageKind,
} from '../../relay/src/cluster/RedisRoomBus';
import { roomBusContract } from '../../relay/src/sync/room-bus-contract';
import type { RoomBus } from '../../relay/src/sync/RoomBus';
import { describeCluster } from './services';

let clusters = 0;

/** Waits until each of `nodes` knows every other has `room` open (RP52). */
function met(room: string, nodes: readonly RoomBus[]) {
  return eventually(() => {
    for (const node of nodes)
      expect((node as RedisRoomBus).sharedWith(room)).toBe(nodes.length - 1);
  });
}

describeCluster('RedisRoomBus', (servers) => {
  const buses: { close(): Promise<unknown> }[] = [];
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
  });

  const nodes = async (silentMs?: number) => {
    const prefix = `t${++clusters}:`;
    const node = () => {
      const url = servers().redis.url;
      const bus = new RedisRoomBus({ url, logger: silentLogger, prefix, silentMs });
      buses.push(bus);
      return bus;
    };
    return [node(), node(), node()] as const;
  };
  const raw = () => {
    const connection = new Redis(servers().redis.url);
    buses.push({ close: () => connection.quit() });
    return connection;
  };

  // every room in one stream: rooms share it yet each hears only its own (RP43)
  roomBusContract(() => nodes(), met);

  it('RP50 what a node publishes in one turn is one entry of the stream, each room hearing its own', async () => {
    const [a, b] = await nodes();
    const heard = new Map<string, string[]>();
    for (const room of ['v1', 'v2', 'v3']) {
      heard.set(room, []);
      await a.subscribe(room, () => undefined).ready;
      await b.subscribe(room, ({ message }) => {
        const values = message.kind === 'updates' ? message.updates : [message.update];
        heard.get(room)?.push(...values.map((v) => `${message.kind}:${v[0]}`));
      }).ready;
      await met(room, [a, b]);
    }
    const redis = raw();
    const key = `t${clusters}:rooms`;
    const before = await redis.xlen(key);
    const published = Promise.all([
      a.publish('v1', { kind: 'updates', updates: [new Uint8Array([1]), new Uint8Array([2])] }),
      a.publish('v2', { kind: 'updates', updates: [new Uint8Array([3])] }),
      a.publish('v1', { kind: 'awareness', update: new Uint8Array([4]) }),
      a.publish('v3', { kind: 'awareness', update: new Uint8Array([5]) }),
    ]);
    await published;
    // resolved once Redis holds them: in one entry
    expect((await redis.xlen(key)) - before).toBe(1);
    await eventually(() => {
      expect(heard.get('v1')).toEqual(['updates:1', 'updates:2', 'awareness:4']);
      expect(heard.get('v2')).toEqual(['updates:3']);
      expect(heard.get('v3')).toEqual(['awareness:5']);
    });
  });

  it('RP51 presence waits for company: renewals over several turns, and the update that follows them, are one entry', async () => {
    const [a, b] = await nodes();
    const heard: string[] = [];
    await a.subscribe('v1', () => undefined).ready;
    await b.subscribe('v1', ({ message }) => {
      const values = message.kind === 'updates' ? message.updates : [message.update];
      heard.push(...values.map((v) => `${message.kind}:${v[0]}`));
    }).ready;
    await met('v1', [a, b]);
    const redis = raw();
    const key = `t${clusters}:rooms`;
    const before = await redis.xlen(key);
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    const published = [a.publish('v1', { kind: 'awareness', update: new Uint8Array([1]) })];
    await nextTurn();
    published.push(a.publish('v1', { kind: 'awareness', update: new Uint8Array([2]) }));
    await nextTurn();
    expect(await redis.xlen(key)).toBe(before);
    // an update goes at the end of its turn, taking the waiting presence with it
    published.push(a.publish('v1', { kind: 'updates', updates: [new Uint8Array([3])] }));
    await Promise.all(published);
    expect((await redis.xlen(key)) - before).toBe(1);
    // presence alone goes within 50 ms
    const started = performance.now();
    await a.publish('v1', { kind: 'awareness', update: new Uint8Array([4]) });
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await redis.xlen(key)) - before).toBe(2);
    await eventually(() =>
      expect(heard).toEqual(['awareness:1', 'awareness:2', 'updates:3', 'awareness:4']),
    );
  });
  const noop = () => undefined;
  const update = (v: number) => ({ kind: 'updates', updates: [new Uint8Array([v])] }) as const;
  /** Appends one message as node `node` writes it (RP50), its `sequence`th in the room. */
  const addMessage = (
    redis: Redis,
    key: string,
    node: string,
    room: string,
    kind: RoomMessageKind,
    payloads: Uint8Array[],
    sequence = 1,
  ) => {
    const encoder = encoding.createEncoder();
    writeRoomMessage(encoder, { room, sequence, kind, payloads });
    return redis.xadd(key, '*', 'n', node, 'm', Buffer.from(encoding.toUint8Array(encoder)));
  };
  /** How many gaps naming `node` (answers, RP52) the stream holds. */
  const gapsNaming = async (redis: Redis, key: string, node: string) => {
    let count = 0;
    for (const [, fields] of await redis.xrangeBuffer(key, '-', '+')) {
      const decoder = decoding.createDecoder(fields[3] as Buffer);
      while (decoding.hasContent(decoder)) {
        decoding.readVarString(decoder);
        decoding.readVarUint(decoder);
        const kind = String.fromCharCode(decoding.readUint8(decoder));
        const payloads = Array.from({ length: decoding.readVarUint(decoder) }, () =>
          decoding.readVarUint8Array(decoder),
        );
        if (kind === 'g' && payloads.length === 1 && Buffer.from(payloads[0]!).toString() === node)
          count++;
      }
    }
    return count;
  };

  it('RP52 a room open on one node only puts nothing in the stream; a node opening it is answered with a gap, then hears it', async () => {
    const [a, b] = await nodes();
    const redis = raw();
    const key = `t${clusters}:rooms`;
    await a.subscribe('solo', noop).ready;
    await eventually(async () => expect(await redis.xlen(key)).toBe(1)); // a opened it
    await Promise.all([1, 2, 3].map((v) => a.publish('solo', update(v))));
    await a.publish('solo', { kind: 'awareness', update: new Uint8Array([4]) });
    expect(await redis.xlen(key)).toBe(1);
    const heard: number[] = [];
    let gaps = 0;
    await b.subscribe(
      'solo',
      ({ message }) => {
        if (message.kind === 'updates') heard.push(message.updates[0]![0]!);
      },
      () => gaps++,
    ).ready;
    // what a stored before it heard b open the room, b reads from storage: a's answer says so
    await eventually(() => expect(gaps).toBe(1));
    expect(a.sharedWith('solo')).toBe(1);
    await a.publish('solo', update(5));
    await eventually(() => expect(heard).toEqual([5]));
    expect(gaps).toBe(1);
  });

  it('RP52 a node that closes a room is no longer published to', async () => {
    const [a, b] = await nodes();
    const redis = raw();
    const key = `t${clusters}:rooms`;
    await a.subscribe('v', noop).ready;
    const stop = b.subscribe('v', noop);
    await stop.ready;
    await met('v', [a, b]);
    stop();
    await eventually(() => expect(a.sharedWith('v')).toBe(0));
    const before = await redis.xlen(key);
    await a.publish('v', update(1));
    expect(await redis.xlen(key)).toBe(before);
  });

  it('RP52 a gap answering an opening makes only the opener reread', async () => {
    const [a, b, c] = await nodes();
    const gaps = { a: 0, b: 0, c: 0 };
    const heard = { a: 0, c: 0 };
    await a.subscribe(
      'v',
      () => heard.a++,
      () => gaps.a++,
    ).ready;
    await c.subscribe(
      'v',
      () => heard.c++,
      () => gaps.c++,
    ).ready;
    await met('v', [a, c]);
    const before = { ...gaps };
    await b.subscribe('v', noop, () => gaps.b++).ready;
    await met('v', [a, b, c]);
    // one answer from each node that had the room open
    await eventually(() => expect(gaps.b).toBe(2));
    // a and c hearing b's next update have read both answers before it
    await b.publish('v', update(1));
    await eventually(() => expect([heard.a, heard.c]).toEqual([1, 1]));
    expect([gaps.a, gaps.c]).toEqual([before.a, before.c]);
  });

  it('RP52 a node that stored updates without sending them tells a node it hears of later, however, to reread', async () => {
    const [a] = await nodes();
    const redis = raw();
    const key = `t${clusters}:rooms`;
    await a.subscribe('v', noop).ready;
    await a.publish('v', update(1)); // nobody else has it open: not sent
    // a node whose opening a never read (trimmed, or before a's position) is heard in the room
    await addMessage(redis, key, 'late', 'v', 'a', [new Uint8Array([1])]);
    await eventually(async () => expect(await gapsNaming(redis, key, 'late')).toBe(1));
  });

  it('RP52 a node silent for too long is taken to have closed its rooms: they reread once, and it is told to reread when heard again', async () => {
    const [a, b] = await nodes(1000);
    const redis = raw();
    const key = `t${clusters}:rooms`;
    let gaps = 0;
    await a.subscribe('v', noop, () => gaps++).ready;
    await b.subscribe('v', noop).ready;
    await met('v', [a, b]);
    // a node that opened the room and then fell silent (killed, or cut off from Redis)
    await addMessage(redis, key, 'gone', 'v', 'o', []);
    await eventually(() => expect(a.sharedWith('v')).toBe(2));
    // 'gone' falls silent; b appended nothing but its signs of life, and is still heard
    await eventually(() => expect(a.sharedWith('v')).toBe(1), { timeoutMs: 10_000 });
    await eventually(() => expect(b.sharedWith('v')).toBe(1));
    // 'gone' may have stored updates it had not sent: a rereads (once: see the end)
    await eventually(() => expect(gaps).toBe(1));
    // with b gone too, an update reaches nobody: 'gone', heard again, is told to reread
    await b.close();
    await eventually(() => expect(a.sharedWith('v')).toBe(0));
    const before = await gapsNaming(redis, key, 'gone');
    await a.publish('v', update(1));
    await addMessage(redis, key, 'gone', 'v', 'a', [new Uint8Array([1])], 2);
    await eventually(async () => expect(await gapsNaming(redis, key, 'gone')).toBe(before + 1));
    expect(a.sharedWith('v')).toBe(1);
    expect(gaps).toBe(1);
  });

  it('RP52 a node newly heard to have the room open is sent the presence (onMet), once', async () => {
    const [a, b] = await nodes();
    let metCalls = 0;
    let heard = 0;
    await a.subscribe(
      'v',
      () => heard++,
      noop,
      () => metCalls++,
    ).ready;
    await b.subscribe('v', noop).ready;
    await met('v', [a, b]);
    await eventually(() => expect(metCalls).toBe(1));
    await b.publish('v', update(1));
    await eventually(() => expect(heard).toBe(1));
    expect(metCalls).toBe(1);
  });

  it('RP52 a node that stops closes its rooms', async () => {
    const [a, b] = await nodes();
    await a.subscribe('v', noop).ready;
    await b.subscribe('v', noop).ready;
    await met('v', [a, b]);
    await b.close();
    await eventually(() => expect(a.sharedWith('v')).toBe(0));
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
      (delivery) => heard.push(delivery.node),
      () => gaps++,
    );
    await subscription.ready;
    // the publisher opens the room second: the subscriber's answer is a gap to the publisher
    await publisher.subscribe('room', () => undefined).ready;
    await met('room', [publisher, subscriber]);
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

  it('RP48 a node whose reading fell behind a trimmed stream rereads its rooms; one behind an untrimmed stream does not', async () => {
    const { key, raw, publisher, heard, gaps } = await setUp();
    /** Another room's burst: more than a read's batch at once (MULTI), trimmed or not. */
    const burst = (trim: boolean) => {
      const batch = raw.multi();
      const encoder = encoding.createEncoder();
      writeRoomMessage(encoder, { room: 'busy', sequence: 1, kind: 'a', payloads: [] });
      const entry = Buffer.from(encoding.toUint8Array(encoder));
      for (let i = 0; i < 1500; i++) batch.xadd(key, '*', 'n', 'other-node', 'm', entry);
      if (trim) batch.xtrim(key, 'MAXLEN', 1000);
      return batch.exec();
    };
    await burst(false);
    // the subscriber hearing the publisher's next message has read the whole burst before it
    publisher.publish('room', message);
    await eventually(() => expect(heard).toHaveLength(1));
    expect(gaps()).toBe(0);
    // the 500 entries after the subscriber's position are gone before it reads them
    await burst(true);
    await eventually(() => expect(gaps()).toBeGreaterThan(0));
  });
});
