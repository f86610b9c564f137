import type {
  RoomBus,
  RoomBusDelivery,
  RoomBusListener,
  RoomBusMessage,
  RoomBusSubscription,
} from './RoomBus';

interface Subscription {
  readonly node: string;
  readonly listener: RoomBusListener;
  active: boolean;
}

/** One room's stream: the newest messages and who listens. */
interface HubStream {
  next: number;
  readonly held: RoomBusDelivery[];
  readonly subscriptions: Set<Subscription>;
}

/**
 * A {@link RoomBus} for several relay nodes in one process (tests, and two room hosts in one
 * process): {@link node} gives each node its bus. Each room's stream holds its newest `held`
 * messages for catching up; deliveries run as microtasks, never inside `publish`.
 */
export class InProcessRoomHub {
  readonly #streams = new Map<string, HubStream>();
  readonly #held: number;
  #nodes = 0;

  /** `held`: how many of each room's newest messages stay available to catch up from. */
  constructor(held = 1000) {
    this.#held = held;
  }

  /** A new node's bus. */
  node(): RoomBus {
    return new HubNode(this, `node-${++this.#nodes}`);
  }

  #stream(room: string): HubStream {
    let stream = this.#streams.get(room);
    if (!stream) {
      stream = { next: 1, held: [], subscriptions: new Set() };
      this.#streams.set(room, stream);
    }
    return stream;
  }

  /** Appends to the room's stream and delivers to every other node's subscription. */
  publish(node: string, room: string, message: RoomBusMessage): void {
    const stream = this.#stream(room);
    const delivery: RoomBusDelivery = { id: String(stream.next++), node, message };
    stream.held.push(delivery);
    if (stream.held.length > this.#held) stream.held.shift();
    for (const subscription of stream.subscriptions) deliver(subscription, [delivery]);
  }

  /** Adds a subscription; catches it up from `from` first. */
  subscribe(room: string, from: string | null, subscription: Subscription): () => void {
    const stream = this.#stream(room);
    if (from !== null) {
      const after = Number(from);
      if (!Number.isSafeInteger(after) || after < 0 || after >= stream.next) {
        throw new RangeError(`no message ${from} in room ${room}`);
      }
      deliver(
        subscription,
        stream.held.filter((d) => Number(d.id) > after),
      );
    }
    stream.subscriptions.add(subscription);
    return () => {
      subscription.active = false;
      stream.subscriptions.delete(subscription);
    };
  }
}

function deliver(subscription: Subscription, deliveries: readonly RoomBusDelivery[]): void {
  for (const delivery of deliveries) {
    if (delivery.node === subscription.node) continue;
    queueMicrotask(() => {
      if (subscription.active) subscription.listener(delivery);
    });
  }
}

/** One node's view of the hub. */
class HubNode implements RoomBus {
  readonly node: string;
  readonly #hub: InProcessRoomHub;
  readonly #stops = new Set<() => void>();

  constructor(hub: InProcessRoomHub, node: string) {
    this.#hub = hub;
    this.node = node;
  }

  publish(room: string, message: RoomBusMessage): Promise<void> {
    this.#hub.publish(this.node, room, message);
    return Promise.resolve();
  }

  /** In one process nothing is ever missed: `onGap` is never called. */
  subscribe(room: string, from: string | null, listener: RoomBusListener): RoomBusSubscription {
    const subscription: Subscription = { node: this.node, listener, active: true };
    const unsubscribe = this.#hub.subscribe(room, from, subscription);
    const stop = () => {
      unsubscribe();
      this.#stops.delete(stop);
    };
    this.#stops.add(stop);
    return Object.assign(stop, { ready: Promise.resolve() });
  }

  async close(): Promise<void> {
    for (const stop of this.#stops) stop();
  }
}
