/**
 * A small world for venue tests: simulated devices on a controlled network, each with its own clock
 * offset, all drawing randomness from one seed.
 */
import * as Y from 'yjs';
import { createRandom, SimNetwork, type SimPeer } from '@djamms/test-harness';
import { createVenue } from './meta';
import { WRITERS_MAP, type WriterRole } from './schema';
import { Venue } from './Venue';

/** One simulated device: its document and its handle on the venue. */
export interface Device {
  name: string;
  peer: SimPeer;
  venue: Venue;
  /** How far this device's clock is ahead of true time (ms). */
  skew: number;
}

/** Creates a world whose first admin creates the venue. */
export function venueWorld(seed = 1) {
  const net = new SimNetwork();
  const random = createRandom(seed);
  let time = Date.UTC(2026, 10, 22, 20, 0, 0);
  const devices: Device[] = [];
  const world = {
    net,
    random,
    now: () => time,
    /** Moves true time forward. */
    tick(ms: number) {
      time += ms;
    },
    /**
     * Adds a device; the first one creates the venue. `correction` is what its shell last measured
     * of its clock against the relay's (VM25); without it the clock is trusted as it is.
     */
    device(name: string, role: WriterRole, skew = 0, correction?: () => number | null): Device {
      const peer = net.addPeer(name);
      const ports = { now: () => time + skew, random: () => random.next(), correction };
      if (devices.length === 0) {
        createVenue(peer.doc, {
          venueId: 'vTestVenue',
          libraryId: 'lTestLibrary',
          name: 'The Test Bar',
          created: time,
          epoch: 'genesis1',
        });
      }
      net.flush();
      const venue = new Venue(peer.doc, { writer: `${name}-w`, device: name, role, name }, ports);
      const device = { name, peer, venue, skew };
      devices.push(device);
      return device;
    },
    devices,
  };
  return world;
}

/**
 * A bar that is open: an admin phone and a TV player, the programme loaded and the first track
 * playing, everything delivered.
 */
export function openBar(w: ReturnType<typeof venueWorld>, tracks: string[]) {
  const admin = w.device('admin', 'admin');
  const tv = w.device('tv', 'player');
  must(admin.venue.loadPlaylist(tracks));
  w.net.flush();
  must(tv.venue.claimLease());
  must(tv.venue.advance(null));
  w.net.flush();
  return { w, admin, tv };
}

/** Unwraps a result, failing loudly when it is a refusal. */
export function must<T>(
  result: { ok: true; value: T } | { ok: false; error: string; message: string },
): T {
  if (!result.ok) throw new Error(`${result.error}: ${result.message}`);
  return result.value;
}

/** The raw facts of a writer's log, as stored (for tests that look under the model). */
export function storedFacts(doc: Y.Doc, writer: string): unknown[] {
  const log = doc.getMap(WRITERS_MAP).get(writer);
  return log instanceof Y.Array ? log.toArray() : [];
}

/** Appends raw values to a writer's log, as a misbehaving app with that writer's token could. */
export function appendRaw(doc: Y.Doc, writer: string, ...values: unknown[]) {
  const writers = doc.getMap(WRITERS_MAP);
  let log = writers.get(writer);
  doc.transact(() => {
    if (!(log instanceof Y.Array)) writers.set(writer, (log = new Y.Array<unknown>()));
    (log as Y.Array<unknown>).push(values);
  });
}

/** Bytes of the update each call of `write` produces (one transaction each, VM22). */
export function updateBytes(doc: Y.Doc, write: () => unknown): number {
  let bytes = 0;
  const count = (update: Uint8Array) => (bytes += update.length);
  doc.on('update', count);
  write();
  doc.off('update', count);
  return bytes;
}
