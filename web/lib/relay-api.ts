/** The relay's HTTP API (relay/PROTOCOL.md RP17–RP20), as the web app calls it. */
import { GUEST_JOURNAL_KINDS } from '@djamms/protocol';
import type {
  CreateVenueResponse,
  DemoLibrary,
  DeviceList,
  GuestLinkResponse,
  GuestTokenResponse,
  HistoryPage,
  JournalAppendResponse,
  JournalEntryInput,
  JournalPage,
  PairResponse,
  PairingCodeResponse,
  PairableRole,
  RenameDeviceRequest,
  VenueInfo,
} from '@djamms/protocol';
import type { LibraryTrack, MediaRef } from '@djamms/venue';

/** A refusal from the relay, with its kebab-case reason (RP17). */
export class RelayError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(
  relay: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; keepalive?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(relay + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    keepalive: opts.keepalive,
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : {};
  if (!res.ok) {
    const e = body as { error?: string; message?: string };
    throw new RelayError(res.status, e.error ?? 'http-' + res.status, e.message ?? res.statusText);
  }
  return body as T;
}

export const createVenueOnRelay = (relay: string, operatorKey: string, name: string) =>
  call<CreateVenueResponse>(relay, 'POST', '/api/venues', { token: operatorKey, body: { name } });

/** The music the relay made itself, for a new venue's first programme (RP24). */
export const readDemoLibrary = (relay: string) =>
  call<DemoLibrary>(relay, 'GET', '/api/demo-library');

export const pairWithCode = (relay: string, code: string) =>
  call<PairResponse>(relay, 'POST', '/api/pair', { body: { code } });

/** A pairing code for a new device of `role`, named for the device list (admin). */
export const mintPairingCode = (
  relay: string,
  token: string,
  venueId: string,
  role: PairableRole,
  name?: string,
) =>
  call<PairingCodeResponse>(relay, 'POST', `/api/venues/${venueId}/pairing-codes`, {
    token,
    body: name ? { role, name } : { role },
  });

/** A new guest key: the previous guest link stops working (RP7). */
export const mintGuestLink = (relay: string, token: string, venueId: string) =>
  call<GuestLinkResponse>(relay, 'POST', `/api/venues/${venueId}/guest-link`, { token });

/** The venue as the relay knows it (any device of the venue). */
export const describeVenue = (relay: string, token: string, venueId: string) =>
  call<VenueInfo>(relay, 'GET', `/api/venues/${venueId}`, { token });

/** The venue's paired devices (admin). */
export const listDevices = (relay: string, token: string, venueId: string) =>
  call<DeviceList>(relay, 'GET', `/api/venues/${venueId}/devices`, { token });

/** Revokes a device at the relay: its token stops working and its sockets close (admin). */
export const revokeDeviceOnRelay = (
  relay: string,
  token: string,
  venueId: string,
  device: string,
) =>
  call<{ deviceId: string; revoked: true }>(
    relay,
    'DELETE',
    `/api/venues/${venueId}/devices/${encodeURIComponent(device)}`,
    { token },
  );

/** Names a device anew at the relay (admin): the device list and its records from now on show it. */
export const renameDeviceOnRelay = (
  relay: string,
  token: string,
  venueId: string,
  device: string,
  name: string,
) =>
  call<{ deviceId: string; name: string }>(
    relay,
    'PATCH',
    `/api/venues/${venueId}/devices/${encodeURIComponent(device)}`,
    { token, body: { name } satisfies RenameDeviceRequest },
  );

export const guestToken = (relay: string, venueId: string, guestKey: string) =>
  call<GuestTokenResponse>(relay, 'POST', '/api/guest', { body: { venueId, guestKey } });

/** The guest requests and votes after `after`, for the active player (RP18, RP34). */
export const readGuestEntries = (
  relay: string,
  token: string,
  venueId: string,
  after: string | null,
) =>
  call<JournalPage>(
    relay,
    'GET',
    `/api/venues/${venueId}/journal?limit=500&kinds=${GUEST_JOURNAL_KINDS.join(',')}` +
      (after ? `&after=${encodeURIComponent(after)}` : ''),
    { token },
  );

/** A page of the venue's plays and staff actions, newest `limit` below `before` or after `after` (RP34). */
export const readRecords = (
  relay: string,
  token: string,
  venueId: string,
  page: { after: number } | { before: number },
  limit: number,
) =>
  call<JournalPage>(
    relay,
    'GET',
    `/api/venues/${venueId}/journal?kinds=play,action&limit=${limit}&` +
      ('after' in page ? `after=${page.after}` : `before=${page.before}`),
    { token },
  );

/** A page of the plays that started in `[from, to)` (admin, staff; RP34). */
export const readHistory = (
  relay: string,
  token: string,
  venueId: string,
  range: { from: number; to: number },
  after: string,
) =>
  call<HistoryPage>(
    relay,
    'GET',
    `/api/venues/${venueId}/history?from=${range.from}&to=${range.to}&after=${encodeURIComponent(after)}`,
    { token },
  );

/**
 * Appends journal entries. Sent through the service worker, whose background-sync queue keeps a
 * failed post and replays it (entry ids make a replay idempotent, RP18); kept alive past the page,
 * so the play a closing player ends still goes out.
 */
export const appendJournal = (
  relay: string,
  token: string,
  venueId: string,
  entries: JournalEntryInput[],
) =>
  call<JournalAppendResponse>(relay, 'POST', `/api/venues/${venueId}/journal`, {
    token,
    body: { entries },
    keepalive: true,
  });

/** The URL a track's media is fetched from. */
export function mediaUrl(relay: string, media: MediaRef): string {
  return 'sha256' in media ? `${relay}/media/${media.sha256}` : media.url;
}

/** The URL of a track's cover art, when its file had one (venue SPEC VM28). */
export function artworkUrl(relay: string, track: LibraryTrack | undefined): string | undefined {
  return track?.artwork ? mediaUrl(relay, track.artwork) : undefined;
}
