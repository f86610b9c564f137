import { randomBytes, randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { PairableRole, Role, RoomKind } from '@djamms/protocol';
import { writeFileDurably } from '../storage/durable-file';
import { randomId } from './tokens';

/** A venue as the relay knows it. */
export interface VenueRecord {
  readonly id: string;
  readonly name: string;
  readonly libraryId: string;
  readonly created: number;
  /** The current guest-link key (RP7); rotating it revokes every guest token it issued. */
  guestKey: string | null;
}

/** A paired device (including the venue's first admin, the "owner"). */
export interface DeviceRecord {
  readonly id: string;
  readonly venueId: string;
  readonly role: Role;
  readonly name: string;
  readonly paired: number;
  lastSeen: number | null;
  revoked: boolean;
}

interface PairingCodeRecord {
  readonly venueId: string;
  readonly role: PairableRole;
  readonly name: string;
  readonly expiresAt: number;
}

interface RegistryFile {
  version: 1;
  venues: Record<string, VenueRecord>;
  devices: Record<string, DeviceRecord>;
  pairingCodes: Record<string, PairingCodeRecord>;
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

/**
 * Venues, devices, pairing codes and guest keys (RP6, RP7), kept in memory and written to
 * `<data>/registry.json` atomically after every change (temp + fsync + rename), or nowhere in
 * ephemeral mode. Writes are serialized; `lastSeen` changes are written lazily.
 */
export class Registry {
  #data: RegistryFile = { version: 1, venues: {}, devices: {}, pairingCodes: {} };
  readonly #path: string | null;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;

  private constructor(path: string | null) {
    this.#path = path;
  }

  /** Opens the registry file at `path` (null: memory only). */
  static async open(path: string | null): Promise<Registry> {
    const registry = new Registry(path);
    if (path) {
      try {
        const parsed = JSON.parse(await readFile(path, 'utf8')) as RegistryFile;
        if (parsed.version !== 1)
          throw new Error(`unknown registry version ${String(parsed.version)}`);
        registry.#data = parsed;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return registry;
  }

  /** Persists the current state (serialized with earlier saves). */
  save(): Promise<void> {
    this.#dirty = false;
    const path = this.#path;
    if (!path) return Promise.resolve();
    const snapshot = JSON.stringify(this.#data, null, 1);
    this.#writing = this.#writing.then(() => writeFileDurably(path, snapshot, 0o600));
    return this.#writing;
  }

  /** Saves if something changed lazily (lastSeen). */
  async saveIfDirty(): Promise<void> {
    if (this.#dirty) await this.save();
  }

  venue(id: string): VenueRecord | undefined {
    return Object.hasOwn(this.#data.venues, id) ? this.#data.venues[id] : undefined;
  }

  /** True when a venue's library id exists (so several venues can share it). */
  hasLibrary(libraryId: string): boolean {
    return Object.values(this.#data.venues).some((v) => v.libraryId === libraryId);
  }

  /** Whether a room name belongs to any venue (venue room or library room). */
  roomExists(room: string): boolean {
    return this.venue(room) !== undefined || this.hasLibrary(room);
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
   * devices, and saves once: a chain's venues cost one registry write, not one each (RP28).
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
      this.#data.venues[venue.id] = venue;
      return { venue, device: this.#newDevice(venue.id, 'admin', 'owner', now) };
    });
    await this.save();
    return created;
  }

  #newDevice(venueId: string, role: Role, name: string, now: number): DeviceRecord {
    const device: DeviceRecord = {
      id: randomId('d', 16),
      venueId,
      role,
      name,
      paired: now,
      lastSeen: null,
      revoked: false,
    };
    this.#data.devices[device.id] = device;
    return device;
  }

  device(id: string): DeviceRecord | undefined {
    return Object.hasOwn(this.#data.devices, id) ? this.#data.devices[id] : undefined;
  }

  devicesOf(venueId: string): DeviceRecord[] {
    return Object.values(this.#data.devices).filter((d) => d.venueId === venueId);
  }

  /** Notes that a device was seen (written lazily). */
  touch(deviceId: string, now: number): void {
    const device = this.device(deviceId);
    if (!device) return;
    device.lastSeen = now;
    this.#dirty = true;
  }

  /** Revokes a device of a venue; false if there is no such device. */
  async revoke(venueId: string, deviceId: string): Promise<boolean> {
    const device = this.device(deviceId);
    if (!device || device.venueId !== venueId) return false;
    device.revoked = true;
    await this.save();
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
    this.#dropExpiredCodes(now);
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    const expiresAt = now + ttlMs;
    this.#data.pairingCodes[code] = { venueId, role, name, expiresAt };
    await this.save();
    return { code, expiresAt };
  }

  /** Redeems a pairing code once: creates the device, or returns null (unknown/expired/used). */
  async redeemPairingCode(code: string, now: number): Promise<DeviceRecord | null> {
    const normalized = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
    const record = Object.hasOwn(this.#data.pairingCodes, normalized)
      ? this.#data.pairingCodes[normalized]
      : undefined;
    if (!record) return null;
    delete this.#data.pairingCodes[normalized];
    if (record.expiresAt <= now || !this.venue(record.venueId)) {
      await this.save();
      return null;
    }
    const device = this.#newDevice(record.venueId, record.role, record.name, now);
    await this.save();
    return device;
  }

  #dropExpiredCodes(now: number): void {
    for (const [code, record] of Object.entries(this.#data.pairingCodes)) {
      if (record.expiresAt <= now) delete this.#data.pairingCodes[code];
    }
  }

  /** Creates a new guest key for a venue, replacing (revoking) the previous one. */
  async rotateGuestKey(venueId: string): Promise<string | null> {
    const venue = this.venue(venueId);
    if (!venue) return null;
    venue.guestKey = randomBytes(18).toString('base64url');
    await this.save();
    return venue.guestKey;
  }
}
