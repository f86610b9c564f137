import type {
  DeviceRecord,
  PairingCodeRecord,
  RegistryChange,
  RegistryContents,
  VenueRecord,
} from './RegistryStore';

/**
 * The registry's records in memory, indexed for the lookups made on every socket admission: by
 * venue, device, pairing code, library id, and a venue's devices. Records are immutable; a change
 * replaces one. The one place that says what a {@link RegistryChange} does, shared by the
 * `Registry`'s index and the stores that keep an image of their own.
 */
export class RegistryRecords {
  readonly venues = new Map<string, VenueRecord>();
  readonly devices = new Map<string, DeviceRecord>();
  readonly pairingCodes = new Map<string, PairingCodeRecord>();
  /** Every venue's library id (venues are never removed, so a library never goes away). */
  readonly #libraries = new Set<string>();
  /** Venue id → its device ids, in pairing order. */
  readonly #devicesByVenue = new Map<string, string[]>();

  constructor(contents?: RegistryContents) {
    for (const venue of contents?.venues ?? []) this.apply({ kind: 'venue-created', venue });
    for (const device of contents?.devices ?? []) this.apply({ kind: 'device-paired', device });
    for (const [code, record] of contents?.pairingCodes ?? []) this.pairingCodes.set(code, record);
  }

  /** An independent copy (the records themselves are shared: they are immutable). */
  clone(): RegistryRecords {
    const copy = new RegistryRecords();
    for (const [id, venue] of this.venues) copy.venues.set(id, venue);
    for (const [id, device] of this.devices) copy.devices.set(id, device);
    for (const [code, record] of this.pairingCodes) copy.pairingCodes.set(code, record);
    for (const library of this.#libraries) copy.#libraries.add(library);
    for (const [venue, ids] of this.#devicesByVenue) copy.#devicesByVenue.set(venue, [...ids]);
    return copy;
  }

  /** Everything, for a store's `load`. */
  contents(): RegistryContents {
    return {
      venues: [...this.venues.values()],
      devices: [...this.devices.values()],
      pairingCodes: new Map(this.pairingCodes),
    };
  }

  /** True when some venue uses `libraryId`. */
  hasLibrary(libraryId: string): boolean {
    return this.#libraries.has(libraryId);
  }

  /** A venue's devices, in pairing order. */
  devicesOf(venueId: string): DeviceRecord[] {
    const ids = this.#devicesByVenue.get(venueId) ?? [];
    return ids.map((id) => this.devices.get(id) as DeviceRecord);
  }

  /** The pairing code a batch redeems that is no longer here, or null if it may apply. */
  conflictIn(changes: readonly RegistryChange[]): string | null {
    const redeemed = new Set<string>();
    for (const change of changes) {
      if (change.kind !== 'pairing-code-redeemed') continue;
      if (!this.pairingCodes.has(change.code) || redeemed.has(change.code)) return change.code;
      redeemed.add(change.code);
    }
    return null;
  }

  /** Applies one change (check the batch with {@link conflictIn} first). */
  apply(change: RegistryChange): void {
    switch (change.kind) {
      case 'venue-created': {
        // insert-only: a repeated creation must not reset a later guest key
        if (this.venues.has(change.venue.id)) return;
        this.venues.set(change.venue.id, change.venue);
        this.#libraries.add(change.venue.libraryId);
        return;
      }
      case 'guest-key-set': {
        const venue = this.venues.get(change.venueId);
        if (venue) this.venues.set(venue.id, { ...venue, guestKey: change.guestKey });
        return;
      }
      case 'device-paired': {
        // insert-only: a repeated pairing must not undo a later revocation
        const { device } = change;
        if (this.devices.has(device.id)) return;
        this.devices.set(device.id, device);
        const ids = this.#devicesByVenue.get(device.venueId);
        if (ids) ids.push(device.id);
        else this.#devicesByVenue.set(device.venueId, [device.id]);
        return;
      }
      case 'device-revoked': {
        const device = this.devices.get(change.deviceId);
        if (device && !device.revoked) this.devices.set(device.id, { ...device, revoked: true });
        return;
      }
      case 'device-renamed': {
        const device = this.devices.get(change.deviceId);
        if (device) this.devices.set(device.id, { ...device, name: change.name });
        return;
      }
      case 'device-seen': {
        const device = this.devices.get(change.deviceId);
        if (device && change.lastSeen > (device.lastSeen ?? -Infinity)) {
          this.devices.set(device.id, { ...device, lastSeen: change.lastSeen });
        }
        return;
      }
      case 'pairing-code-created':
        this.pairingCodes.set(change.code, change.record);
        return;
      case 'pairing-code-redeemed':
      case 'pairing-code-dropped':
        this.pairingCodes.delete(change.code);
        return;
    }
  }
}
