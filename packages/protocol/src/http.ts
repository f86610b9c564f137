import type { PairableRole, Role } from './roles';

/** Every HTTP error body: a stable kebab-case reason plus a human message. */
export interface HttpErrorBody {
  readonly error: string;
  readonly message: string;
}

/** `POST /api/venues` request (operator key). */
export interface CreateVenueRequest {
  readonly name: string;
  /** Share the library of an existing venue instead of creating a new one. */
  readonly libraryId?: string;
}

/** `POST /api/venues` response (201). */
export interface CreateVenueResponse {
  readonly venueId: string;
  readonly libraryId: string;
  readonly adminToken: string;
  readonly deviceId: string;
}

/** Most venues one `POST /api/venues` may create (RP28). */
export const MAX_VENUES_PER_REQUEST = 1000;

/** `POST /api/venues` request creating several venues at once (operator key, RP28). */
export interface CreateVenuesRequest {
  /** 1 to {@link MAX_VENUES_PER_REQUEST} venues, created together or not at all. */
  readonly venues: readonly CreateVenueRequest[];
}

/** `POST /api/venues` response (201) to a {@link CreateVenuesRequest}: one entry per venue, in order. */
export interface CreateVenuesResponse {
  readonly venues: readonly CreateVenueResponse[];
}

/** `GET /api/venues/<id>` response: what any device of the venue may know of it. */
export interface VenueInfo {
  readonly venueId: string;
  readonly name: string;
  readonly libraryId: string;
  /** When the relay created it, milliseconds since the epoch. */
  readonly created: number;
  /** The caller's role. */
  readonly role: Role;
}

/** A track of the demo library: music the relay made itself, stored as media (RP24). */
export interface DemoTrack {
  readonly id: string;
  readonly title: string;
  readonly artist: string;
  readonly album: string;
  readonly durationMs: number;
  readonly media: { readonly sha256: string; readonly type: string };
}

/** `GET /api/demo-library` response (RP24). */
export interface DemoLibrary {
  readonly tracks: readonly DemoTrack[];
}

/** `GET /api/venues/<id>/devices` response (admin). */
export interface DeviceList {
  readonly devices: readonly DeviceInfo[];
}

/**
 * The longest device name, in characters (code points, so an emoji is one and never cut in half): a
 * longer one is cut when pairing, refused when renaming.
 */
export const MAX_DEVICE_NAME = 100;

/** `POST /api/venues/<id>/pairing-codes` request (admin). */
export interface PairingCodeRequest {
  readonly role: PairableRole;
  /** A label for the device list, e.g. "Bar TV". */
  readonly name?: string;
}

/** `PATCH /api/venues/<id>/devices/<deviceId>` request (admin): the device's new name. */
export interface RenameDeviceRequest {
  readonly name: string;
}

/** `POST /api/venues/<id>/pairing-codes` response (201). */
export interface PairingCodeResponse {
  readonly code: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

/** `POST /api/pair` request. */
export interface PairRequest {
  readonly code: string;
}

/** `POST /api/pair` response (200). */
export interface PairResponse {
  readonly venueId: string;
  readonly libraryId: string;
  readonly role: Role;
  readonly token: string;
  readonly deviceId: string;
}

/** `POST /api/venues/<id>/guest-link` response (201): the key to put in the venue's guest URL. */
export interface GuestLinkResponse {
  readonly guestKey: string;
}

/** `POST /api/guest` request. */
export interface GuestTokenRequest {
  readonly venueId: string;
  readonly guestKey: string;
}

/** `POST /api/guest` response (200). */
export interface GuestTokenResponse {
  readonly token: string;
  readonly role: 'guest';
  readonly deviceId: string;
  readonly venueId: string;
  readonly libraryId: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

/** One device in `GET /api/venues/<id>/devices`. */
export interface DeviceInfo {
  readonly deviceId: string;
  readonly role: Role;
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly paired: number;
  /** Milliseconds since the epoch, or null if never connected. */
  readonly lastSeen: number | null;
  readonly revoked: boolean;
}

/** One journal entry as a client sends it; `id` is client-generated and makes retries idempotent. */
export interface JournalEntryInput {
  readonly id: string;
  readonly kind: string;
  /** Milliseconds since the epoch, client clock. */
  readonly at: number;
  readonly data?: unknown;
}

/** A stored journal entry: the input plus who wrote it and its position. */
export interface JournalEntry extends JournalEntryInput {
  /** Position in the venue journal, starting at 1. */
  readonly seq: number;
  /** The device that appended it. */
  readonly by: string;
  readonly role: Role;
}

/** `POST /api/venues/<id>/journal` response. */
export interface JournalAppendResponse {
  /** How many entries were new (retried ids are not appended twice). */
  readonly appended: number;
  readonly cursor: string;
}

/** `GET /api/venues/<id>/journal?after=&limit=` response. */
export interface JournalPage {
  readonly entries: readonly JournalEntry[];
  /** Pass as `after` to get the next page. */
  readonly cursor: string;
}

/** `POST /api/venues/<id>/media` response (201, or 200 when already stored). */
export interface MediaUploadResponse {
  readonly sha256: string;
  readonly size: number;
  readonly type: string;
}

/** `GET /api/time`: the relay's clock, for devices to correct theirs (RP23, venue SPEC VM25). */
export interface RelayTime {
  /** Milliseconds since the epoch. */
  readonly time: number;
}
