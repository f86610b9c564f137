import type { RoomBus, RoomBusListener, RoomBusMessage, RoomBusSubscription } from './RoomBus';

interface Subscription {
  readonly node: string;
  readonly listener: RoomBusListener;
  active: boolean;
}

/**
 * A {@link RoomBus} for several relay nodes in one process (tests, and two room hosts in one
 * process): {@link node} gives each node its bus. Deliveries run as microtasks, never inside
 * `publish`.
 */
export class InProcessRoomHub {
  /** Room → its subscriptions on every node. */
  readonly #rooms = new Map<string, Set<Subscription>>();
  #nodes = 0;

  /** A new node's bus. */
  node(): RoomBus {
    return new HubNode(this, `node-${++this.#nodes}`);
  }

  /** Delivers to every other node's subscription to the room. */
  publish(node: string, room: string, message: RoomBusMessage): void {
    for (const subscription of this.#rooms.get(room) ?? []) {
      if (subscription.node === node) continue;
      queueMicrotask(() => {
        if (subscription.active) subscription.listener({ node, message });
      });
    }
  }

  /** How many rooms `node` subscribes to that another node subscribes to as well. */
  sharedRooms(node: string): number {
    let count = 0;
    for (const subscriptions of this.#rooms.values()) {
      let here = false;
      let elsewhere = false;
      for (const s of subscriptions) {
        if (s.node === node) here = true;
        else elsewhere = true;
      }
      if (here && elsewhere) count++;
    }
    return count;
  }

  /** Adds a subscription; answers how to end it. */
  subscribe(room: string, subscription: Subscription): () => void {
    let subscriptions = this.#rooms.get(room);
    if (!subscriptions) {
      subscriptions = new Set();
      this.#rooms.set(room, subscriptions);
    }
    subscriptions.add(subscription);
    return () => {
      subscription.active = false;
      subscriptions.delete(subscription);
      if (subscriptions.size === 0 && this.#rooms.get(room) === subscriptions) {
        this.#rooms.delete(room);
      }
    };
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
  subscribe(room: string, listener: RoomBusListener): RoomBusSubscription {
    const subscription: Subscription = { node: this.node, listener, active: true };
    const unsubscribe = this.#hub.subscribe(room, subscription);
    const stop = () => {
      unsubscribe();
      this.#stops.delete(stop);
    };
    this.#stops.add(stop);
    return Object.assign(stop, { ready: Promise.resolve() });
  }

  sharedRooms(): number {
    return this.#hub.sharedRooms(this.node);
  }

  async close(): Promise<void> {
    for (const stop of this.#stops) stop();
  }
}
