import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  isLibraryId,
  isPairableRole,
  PAIRABLE_ROLES,
  isVenueId,
  MAX_DEVICE_NAME,
  MAX_VENUES_PER_REQUEST,
  type CreateVenueRequest,
  type CreateVenueResponse,
  type CreateVenuesResponse,
  type DeviceInfo,
  type DeviceList,
  type GuestTokenResponse,
  type PairResponse,
  type Role,
  type VenueInfo,
} from '@djamms/protocol';
import { HttpError, bearerToken, readJson, sendJson } from './http-util';
import { clientAddress } from './client-address';
import { randomId } from '../auth/tokens';
import type { DoorRefusal } from '../auth/DoorLimits';
import {
  DEVICE_TOKEN_SECONDS,
  GUEST_TOKEN_SECONDS,
  PAIRING_CODE_MS,
  type Caller,
  type RelayServices,
} from '../services';

/** Checks the caller's token for the venue in the path, optionally requiring a role. */
export async function callerFor(
  s: RelayServices,
  req: IncomingMessage,
  venueId: string,
  roles?: readonly Role[],
): Promise<Caller> {
  const identity = await s.gate.identifyFresh(bearerToken(req));
  if (!identity.ok) throw new HttpError(identity.status, identity.error, identity.message);
  if (identity.claims.venue !== venueId) {
    throw new HttpError(403, 'venue-forbidden', 'This token belongs to another venue.');
  }
  if (roles && !roles.includes(identity.claims.role)) {
    throw new HttpError(403, 'role-forbidden', `This needs the ${roles.join(' or ')} role.`);
  }
  limit(s, identity.claims.sub);
  s.registry.touch(identity.claims.sub, s.now());
  return identity;
}

/** Applies the per-token HTTP rate limit (429). */
export function limit(s: RelayServices, key: string): void {
  if (s.httpLimiter.take(key)) return;
  refuse(s, { retryAfterSeconds: 1, message: 'Too many requests; retry shortly.' });
}

/** Answers 429 `rate-limited` with `Retry-After` when a limiter refused. */
function refuse(s: RelayServices, refusal: DoorRefusal | null): void {
  if (!refusal) return;
  s.metrics.rateLimited.inc();
  throw new HttpError(429, 'rate-limited', refusal.message, {
    'retry-after': String(refusal.retryAfterSeconds),
  });
}

function deviceToken(s: RelayServices, venueId: string, role: Role, deviceId: string): string {
  const iat = Math.floor(s.now() / 1000);
  return s.signer.sign({
    venue: venueId,
    role,
    sub: deviceId,
    iat,
    exp: iat + DEVICE_TOKEN_SECONDS,
  });
}

function sameSecret(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * `POST /api/venues` (operator key): `{name, libraryId?}` makes a venue, its library (or shares
 * one) and its owner; `{venues: [...]}` makes up to {@link MAX_VENUES_PER_REQUEST} at once, all or
 * none, in one request and one registry write (RP28).
 */
export async function createVenue(s: RelayServices, req: IncomingMessage, res: ServerResponse) {
  if (!sameSecret(bearerToken(req), s.operatorKey)) {
    throw new HttpError(401, 'operator-key-required', 'Send the operator key as a bearer token.');
  }
  limit(s, 'operator');
  const body = await readJson(req, MAX_VENUES_PER_REQUEST * 1024);
  const several = body.venues !== undefined;
  const wanted = several ? wantedVenues(s, body.venues) : [wantedVenue(s, body, '')];
  const created = (await s.registry.createVenues(wanted, s.now())).map(
    ({ venue, device }): CreateVenueResponse => {
      s.logger.log('info', 'venue-created', { venueId: venue.id, libraryId: venue.libraryId });
      return {
        venueId: venue.id,
        libraryId: venue.libraryId,
        adminToken: deviceToken(s, venue.id, 'admin', device.id),
        deviceId: device.id,
      };
    },
  );
  sendJson(res, 201, several ? ({ venues: created } satisfies CreateVenuesResponse) : created[0]);
}

function wantedVenues(s: RelayServices, list: unknown): CreateVenueRequest[] {
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_VENUES_PER_REQUEST) {
    throw new HttpError(
      400,
      'invalid-venues',
      `venues must be an array of 1 to ${MAX_VENUES_PER_REQUEST} {name, libraryId?}.`,
    );
  }
  return list.map((raw: unknown, i) =>
    wantedVenue(s, typeof raw === 'object' && raw !== null ? raw : {}, `venues[${i}].`),
  );
}

/** One venue to make, checked; `where` names it in a refusal. */
function wantedVenue(s: RelayServices, raw: object, where: string): CreateVenueRequest {
  const { name, libraryId } = raw as Record<string, unknown>;
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (!trimmed || trimmed.length > 200) {
    throw new HttpError(
      400,
      'invalid-name',
      `${where}name must be a non-empty string (≤ 200 chars).`,
    );
  }
  if (libraryId === undefined) return { name: trimmed };
  if (!(isLibraryId(libraryId) && s.registry.hasLibrary(libraryId))) {
    throw new HttpError(
      404,
      'library-not-found',
      `${where}libraryId must be the library of a venue here.`,
    );
  }
  return { name: trimmed, libraryId };
}

/** `GET /api/venues/<id>` (any device of the venue). */
export async function describeVenue(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
) {
  const caller = await callerFor(s, req, id);
  const venue = s.registry.venue(id);
  if (!venue) throw new HttpError(404, 'venue-not-found', 'No such venue.');
  sendJson(res, 200, {
    venueId: venue.id,
    name: venue.name,
    libraryId: venue.libraryId,
    created: venue.created,
    role: caller.claims.role,
  } satisfies VenueInfo);
}

/** `POST /api/venues/<id>/pairing-codes` (admin). */
export async function createPairingCode(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  venueId: string,
) {
  await callerFor(s, req, venueId, ['admin']);
  const body = await readJson(req);
  if (!isPairableRole(body.role)) {
    throw new HttpError(400, 'invalid-role', `role must be one of ${PAIRABLE_ROLES.join(', ')}.`);
  }
  const name =
    typeof body.name === 'string' && body.name.trim()
      ? Array.from(body.name.trim()).slice(0, MAX_DEVICE_NAME).join('') // never half an emoji
      : body.role;
  const code = await s.registry.createPairingCode(
    venueId,
    body.role,
    name,
    s.now(),
    PAIRING_CODE_MS,
  );
  sendJson(res, 201, code);
}

/** `POST /api/pair`: a pairing code becomes a device and its token (single use). */
export async function pair(s: RelayServices, req: IncomingMessage, res: ServerResponse) {
  refuse(s, s.doors.pairing(clientAddress(req)));
  const body = await readJson(req);
  if (typeof body.code !== 'string' || body.code.length > 32) {
    throw new HttpError(400, 'invalid-code', 'code must be a string.');
  }
  const device = await s.registry.redeemPairingCode(body.code, s.now());
  if (!device) {
    throw new HttpError(404, 'code-not-found', 'The code is unknown, used or expired.');
  }
  const venue = s.registry.venue(device.venueId);
  const response: PairResponse = {
    venueId: device.venueId,
    libraryId: venue?.libraryId ?? '',
    role: device.role,
    token: deviceToken(s, device.venueId, device.role, device.id),
    deviceId: device.id,
  };
  s.logger.log('info', 'device-paired', {
    venueId: device.venueId,
    deviceId: device.id,
    role: device.role,
  });
  sendJson(res, 200, response);
}

/** `POST /api/venues/<id>/guest-link` (admin): a new guest key; the previous one stops working. */
export async function rotateGuestLink(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  venueId: string,
) {
  await callerFor(s, req, venueId, ['admin']);
  const guestKey = await s.registry.rotateGuestKey(venueId);
  if (!guestKey) throw new HttpError(404, 'venue-not-found', 'No such venue.');
  sendJson(res, 201, { guestKey });
}

/**
 * `POST /api/guest`: a short-lived guest token from a venue's guest key. Every request counts
 * against its address, right key or wrong; every token minted against its guest link (T18).
 */
export async function guestToken(s: RelayServices, req: IncomingMessage, res: ServerResponse) {
  refuse(s, s.doors.guestRequest(clientAddress(req)));
  const body = await readJson(req, 4096);
  const { venueId, guestKey } = body;
  if (!isVenueId(venueId) || typeof guestKey !== 'string') {
    throw new HttpError(400, 'invalid-guest-request', 'Send {venueId, guestKey}.');
  }
  const venue = s.registry.venue(venueId);
  if (!venue || !venue.guestKey || !sameSecret(guestKey, venue.guestKey)) {
    throw new HttpError(401, 'guest-key-invalid', 'This guest link is not valid (any more).');
  }
  refuse(s, s.doors.guestToken(venue.guestKey));
  const iat = Math.floor(s.now() / 1000);
  const exp = iat + GUEST_TOKEN_SECONDS;
  const deviceId = randomId('g', 16);
  const token = s.signer.sign({
    venue: venueId,
    role: 'guest',
    sub: deviceId,
    iat,
    exp,
    gk: venue.guestKey,
  });
  const response: GuestTokenResponse = {
    token,
    role: 'guest',
    deviceId,
    venueId,
    libraryId: venue.libraryId,
    expiresAt: exp * 1000,
  };
  sendJson(res, 200, response);
}

/** `GET /api/venues/<id>/devices` (admin). */
export async function listDevices(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  venueId: string,
) {
  await callerFor(s, req, venueId, ['admin']);
  const devices: DeviceInfo[] = s.registry.devicesOf(venueId).map((d) => ({
    deviceId: d.id,
    role: d.role,
    name: d.name,
    paired: d.paired,
    lastSeen: d.lastSeen,
    revoked: d.revoked,
  }));
  sendJson(res, 200, { devices } satisfies DeviceList);
}

/**
 * `/api/venues/<id>/devices/<deviceId>` (admin): `PATCH` names the device anew, as the device
 * list and the records it makes from now on show it; `DELETE` revokes it and closes its sockets
 * (RP6).
 */
export async function changeDevice(
  s: RelayServices,
  req: IncomingMessage,
  res: ServerResponse,
  venueId: string,
  deviceId: string,
) {
  await callerFor(s, req, venueId, ['admin']);
  const answer =
    req.method === 'PATCH'
      ? await renameDevice(s, req, venueId, deviceId)
      : await revokeDevice(s, venueId, deviceId);
  sendJson(res, 200, answer);
}

async function renameDevice(
  s: RelayServices,
  req: IncomingMessage,
  venueId: string,
  deviceId: string,
) {
  const body = await readJson(req, 4096);
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  if (!name || Array.from(name).length > MAX_DEVICE_NAME) {
    throw new HttpError(
      400,
      'invalid-name',
      `name must be 1 to ${MAX_DEVICE_NAME} characters, not only spaces.`,
    );
  }
  if (!(await s.registry.renameDevice(venueId, deviceId, name))) {
    throw new HttpError(404, 'device-not-found', 'No such device in this venue, or it is revoked.');
  }
  s.logger.log('info', 'device-renamed', { venueId, deviceId });
  return { deviceId, name };
}

async function revokeDevice(s: RelayServices, venueId: string, deviceId: string) {
  if (!(await s.registry.revoke(venueId, deviceId))) {
    throw new HttpError(404, 'device-not-found', 'No such device in this venue.');
  }
  s.logger.log('info', 'device-revoked', { venueId, deviceId });
  return { deviceId, revoked: true };
}
