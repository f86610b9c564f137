/**
 * A simulated network of Yjs peers with controlled delivery, for convergence tests: every update a
 * peer makes is queued for every other peer; a test decides when each link delivers, cuts links
 * (partitions, long offline stretches) and heals them. Delivery is reliable and FIFO per link, as it
 * is over a relay; the interleaving across links is the test's (seeded) choice.
 */
import * as Y from 'yjs';
import type { SeededRandom } from './random';

const DELIVERY = Symbol('sim-delivery');

/** One simulated device. */
export interface SimPeer {
  readonly name: string;
  readonly doc: Y.Doc;
}

/** Reliable, test-controlled links between peers. */
export class SimNetwork {
  readonly peers: SimPeer[] = [];
  private readonly queues = new Map<string, Uint8Array[]>();
  private readonly down = new Set<string>();
  /** Peers cut off for good (a revoked device: the relay refuses it, whatever heals). */
  private readonly banned = new Set<string>();

  private isDown(key: string) {
    if (this.down.has(key)) return true;
    if (this.banned.size === 0) return false;
    const [from, to] = key.split('->') as [string, string];
    return this.banned.has(from) || this.banned.has(to);
  }

  private link(from: SimPeer, to: SimPeer) {
    return `${from.name}->${to.name}`;
  }

  /** Adds a peer whose document starts empty (or from `state`). */
  addPeer(name: string, state?: Uint8Array): SimPeer {
    const doc = new Y.Doc();
    if (state) Y.applyUpdate(doc, state, DELIVERY);
    const peer: SimPeer = { name, doc };
    for (const other of this.peers) {
      this.queues.set(this.link(other, peer), [Y.encodeStateAsUpdate(other.doc)]);
      this.queues.set(this.link(peer, other), state ? [Y.encodeStateAsUpdate(doc)] : []);
    }
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === DELIVERY) return;
      for (const other of this.peers) {
        if (other !== peer) this.queues.get(this.link(peer, other))!.push(update);
      }
    });
    this.peers.push(peer);
    return peer;
  }

  /** Cuts every link to and from `peer` (it goes offline; its edits queue up). */
  disconnect(peer: SimPeer) {
    for (const other of this.peers) {
      if (other === peer) continue;
      this.down.add(this.link(peer, other));
      this.down.add(this.link(other, peer));
    }
  }

  /** Restores every link of `peer`. */
  reconnect(peer: SimPeer) {
    for (const key of [...this.down]) {
      if (key.startsWith(`${peer.name}->`) || key.endsWith(`->${peer.name}`)) this.down.delete(key);
    }
  }

  /** Splits the network: links between different groups go down, links within a group come up. */
  partition(groups: SimPeer[][]) {
    const groupOf = new Map<SimPeer, number>();
    groups.forEach((group, i) => group.forEach((p) => groupOf.set(p, i)));
    this.down.clear();
    for (const a of this.peers) {
      for (const b of this.peers) {
        if (a !== b && groupOf.get(a) !== groupOf.get(b)) this.down.add(this.link(a, b));
      }
    }
  }

  /** Brings every link up. */
  heal() {
    this.down.clear();
  }

  /**
   * Cuts `peer` off for good: no heal, reconnect or partition brings its links back. What it sent
   * before is not taken back: through a relay, an update one peer received reaches them all, so call
   * {@link exchange} after healing to sync the others the way they would through a relay.
   */
  ban(peer: SimPeer) {
    this.banned.add(peer.name);
  }

  /** Every peer not banned gets what any of them holds (a resync with a relay that has it all). */
  exchange() {
    const peers = this.peers.filter((p) => !this.banned.has(p.name));
    const all = Y.mergeUpdates(peers.map((p) => Y.encodeStateAsUpdate(p.doc)));
    for (const p of peers) Y.applyUpdate(p.doc, all, DELIVERY);
  }

  /** True when `peer` has any link down. */
  isCut(peer: SimPeer): boolean {
    return this.banned.has(peer.name) || [...this.down].some((k) => k.startsWith(`${peer.name}->`));
  }

  /** Delivers up to `count` queued messages over the up links, picking links at random. */
  deliverSome(random: SeededRandom, count: number) {
    for (let i = 0; i < count; i++) {
      const ready = [...this.queues].filter(([key, q]) => q.length > 0 && !this.isDown(key));
      if (ready.length === 0) return;
      const [key, queue] = random.pick(ready);
      const to = this.peers.find((p) => p.name === key.split('->')[1])!;
      Y.applyUpdate(to.doc, queue.shift()!, DELIVERY);
    }
  }

  /** Delivers everything over the up links until nothing moves. */
  flush() {
    let moved = true;
    while (moved) {
      moved = false;
      for (const [key, queue] of this.queues) {
        if (queue.length === 0 || this.isDown(key)) continue;
        const to = this.peers.find((p) => p.name === key.split('->')[1])!;
        for (const update of queue.splice(0)) Y.applyUpdate(to.doc, update, DELIVERY);
        moved = true;
      }
    }
  }
}
