/**
 * A small world for venue tests: simulated devices on a controlled network, each with its own clock
 * offset, all drawing randomness from one seed.
 */
import { createRandom, SimNetwork, type SimPeer } from '@djamms/test-harness';
import { createVenue } from './meta';
import type { Role } from './schema';
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
    /** Adds a device; the first one creates the venue. */
    device(name: string, role: Role, skew = 0): Device {
      const peer = net.addPeer(name);
      const ports = { now: () => time + skew, random: () => random.next() };
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
