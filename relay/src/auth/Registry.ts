import { randomBytes, randomInt } from 'node:crypto';
import type { PairableRole, Role, RoomKind } from '@djamms/protocol';
import { RegistryRecords } from '../storage/RegistryRecords';
import {
  RegistryConflict,
  type DeviceRecord,
  type RegistryChange,
  type RegistryStore,
  type VenueRecord,
} from '../storage/RegistryStore';
import { randomId } from './tokens';

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

/**
 * Called when a device was revoked, or every guest of a venue (`deviceId` null: guest link
 * rotated), on this node or on another sharing the store.
 */
export type RevocationListener = (venueId: string, deviceId: string | null) => void;

/**
 * Venues, devices, pairing codes and guest keys (RP6, RP7): the rules, and an in-memory index for
 * the synchronous lookups every socket admission makes. Every change is a batch of record-level
 * changes persisted through a {@link RegistryStore} and applied to the index once the store has
 * it; changes another node made arrive through the store's subscription. `lastSeen` is written
 * lazily ({@link flushLastSeen}).
 */
export class Registry {
  readonly #store: RegistryStore;
  readonly #records: RegistryRecords;
  /** Device id → when it was last seen, not yet written. */
  #seen = new Map<string, number>();
  readonly #revocationListeners = new Set<RevocationListener>();
  readonly #unsubscribe: () => void;

  private constructor(store: RegistryStore, records: RegistryRecords) {
    this.#store = store;
    this.#records = records;
    this.#unsubscribe = store.subscribe((changes) => this.#applied(changes));
  }

  /** Loads everything from `store`. */
  static async open(store: RegistryStore): Promise<Registry> {
    return new Registry(store, new RegistryRecords(await store.load()));
  }

  /**
   * Hears now what other nodes changed and this node has not heard yet (cluster mode; nothing on a
   * single node).
   */
  async catchUp(): Promise<void> {
    await this.#store.catchUp?.();
  }

  /** Calls `listener` for every revocation, local or made on another node. */
  onRevocation(listener: RevocationListener): void {
    this.#revocationListeners.add(listener);
  }

  venue(id: string): VenueRecord | undefined {
    return this.#records.venues.get(id);
  }

  /** True when a venue's library id exists (so several venues can share it). */
  hasLibrary(libraryId: string): boolean {
    return this.#records.hasLibrary(libraryId);
  }

  /** Whether a room name belongs to any venue (venue room or library room). */
  roomExists(room: string): boolean {
    return this.#records.venues.has(room) || this.#records.hasLibrary(room);
  }

  /** Which of `venueId`'s rooms `room` is, or null if it is not one of them. */
  roomKindFor(venueId: string, room: string): RoomKind | null {
    const venue = this.venue(venueId);
    if (!venue) return null;
    if (room === venue.id) return 'venue';
    if (room === venue.libraryId) return 'library';
    return null;
  }

  /**
   * Creates venues (each with a library unless it shares an existing one) plus their owner
   * devices, as one batch: a chain's venues cost one registry write, not one each (RP28).
   */
  async createVenues(
    wanted: readonly { readonly name: string; readonly libraryId?: string }[],
    now: number,
  ): Promise<{ venue: VenueRecord; device: DeviceRecord }[]> {
    const created = wanted.map(({ name, libraryId }) => {
      const venue: VenueRecord = {
        id: randomId('v'),
        name,
        libraryId: libraryId ?? randomId('l'),
        created: now,
        guestKey: null,
      };
      return { venue, device: newDevice(venue.id, 'admin', 'owner', now) };
    });
    await this.#commit(
      created.flatMap(({ venue, device }): RegistryChange[] => [
        { kind: 'venue-created', venue },
        { kind: 'device-paired', device },
      ]),
    );
    return created;
  }

  device(id: string): DeviceRecord | undefined {
    return this.#records.devices.get(id);
  }

  devicesOf(venueId: string): DeviceRecord[] {
    return this.#records.devicesOf(venueId);
  }

  /** Notes that a device was seen (written lazily). */
  touch(deviceId: string, now: number): void {
    if (!this.#records.devices.has(deviceId)) return;
    this.#records.apply({ kind: 'device-seen', deviceId, lastSeen: now });
    this.#seen.set(deviceId, now);
  }

  /** Writes the `lastSeen` times noted since the last call; kept for the next one if that fails. */
  async flushLastSeen(): Promise<void> {
    if (this.#seen.size === 0) return;
    const seen = this.#seen;
    this.#seen = new Map();
    const changes = [...seen].map(([deviceId, lastSeen]): RegistryChange => ({
      kind: 'device-seen',
      deviceId,
      lastSeen,
    }));
    try {
      await this.#store.apply(changes);
    } catch (error) {
      for (const [deviceId, lastSeen] of seen) {
        if (!this.#seen.has(deviceId)) this.#seen.set(deviceId, lastSeen);
      }
      throw error;
    }
  }

  /** Revokes a device of a venue; false if there is no such device. */
  async revoke(venueId: string, deviceId: string): Promise<boolean> {
    const device = this.device(deviceId);
    if (!device || device.venueId !== venueId) return false;
    await this.#commit([{ kind: 'device-revoked', deviceId }]);
    return true;
  }

  /** Names a device of a venue anew; false if the venue has no such device, or it is revoked. */
  async renameDevice(venueId: string, deviceId: string, name: string): Promise<boolean> {
    const device = this.device(deviceId);
    if (!device || device.venueId !== venueId || device.revoked) return false;
    await this.#commit([{ kind: 'device-renamed', deviceId, name }]);
    return true;
  }

  /** Mints a single-use pairing code valid for `ttlMs`. */
  async createPairingCode(
    venueId: string,
    role: PairableRole,
    name: string,
    now: number,
    ttlMs: number,
  ) {
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    const expiresAt = now + ttlMs;
    await this.#commit([
      ...this.#expiredCodes(now),
      { kind: 'pairing-code-created', code, record: { venueId, role, name, expiresAt } },
    ]);
    return { code, expiresAt };
  }

  /** Redeems a pairing code once: creates the device, or returns null (unknown/expired/used). */
  async redeemPairingCode(code: string, now: number): Promise<DeviceRecord | null> {
    const normalized = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
    let record = this.#records.pairingCodes.get(normalized);
    if (!record) {
      // made a moment ago through another node and not heard of here yet (cluster mode, RP41)
      await this.catchUp();
      record = this.#records.pairingCodes.get(normalized);
    }
    if (!record) return null;
    if (record.expiresAt <= now || !this.venue(record.venueId)) {
      await this.#commit([{ kind: 'pairing-code-dropped', code: normalized }]);
      return null;
    }
    const device = newDevice(record.venueId, record.role, record.name, now);
    try {
      await this.#commit([
        { kind: 'pairing-code-redeemed', code: normalized },
        { kind: 'device-paired', device },
      ]);
    } catch (error) {
      if (error instanceof RegistryConflict) return null; // redeemed meanwhile, here or elsewhere
      throw error;
    }
    return device;
  }

  #expiredCodes(now: number): RegistryChange[] {
    const expired: RegistryChange[] = [];
    for (const [code, record] of this.#records.pairingCodes) {
      if (record.expiresAt <= now) expired.push({ kind: 'pairing-code-dropped', code });
    }
    return expired;
  }

  /** Creates a new guest key for a venue, replacing (revoking) the previous one. */
  async rotateGuestKey(venueId: string): Promise<string | null> {
    if (!this.venue(venueId)) return null;
    const guestKey = randomBytes(18).toString('base64url');
    await this.#commit([{ kind: 'guest-key-set', venueId, guestKey }]);
    return guestKey;
  }

  /** Writes the `lastSeen` times still pending and detaches from the store. */
  async close(): Promise<void> {
    this.#unsubscribe();
    await this.flushLastSeen();
  }

  /** Persists a batch, then applies it here. */
  async #commit(changes: readonly RegistryChange[]): Promise<void> {
    await this.#store.apply(changes);
    this.#applied(changes);
  }

  /** Applies a stored batch to the index and announces its revocations. */
  #applied(changes: readonly RegistryChange[]): void {
    for (const change of changes) this.#records.apply(change);
    for (const change of changes) {
      if (change.kind === 'guest-key-set') this.#announce(change.venueId, null);
      if (change.kind === 'device-revoked') {
        const device = this.#records.devices.get(change.deviceId);
        if (device) this.#announce(device.venueId, device.id);
      }
    }
  }

  #announce(venueId: string, deviceId: string | null): void {
    for (const listener of this.#revocationListeners) listener(venueId, deviceId);
  }
}

function newDevice(venueId: string, role: Role, name: string, now: number): DeviceRecord {
  return {
    id: randomId('d', 16),
    venueId,
    role,
    name,
    paired: now,
    lastSeen: null,
    revoked: false,
  };
}
