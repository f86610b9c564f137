import {
  CloseCode,
  roomAccess,
  isRoomName,
  type RoomKind,
  type TokenClaims,
  type TokenProblem,
} from '@djamms/protocol';
import type { TokenSigner } from './tokens';
import type { Registry } from './Registry';

/** Why a token or room was refused, for both transports. */
export interface Refusal {
  readonly ok: false;
  /** WebSocket close code. */
  readonly code: number;
  /** HTTP status. */
  readonly status: number;
  /** Kebab-case reason (HTTP `error`, close reason). */
  readonly error: string;
  readonly message: string;
}

/** A token that is valid right now. */
export interface Identity {
  readonly ok: true;
  readonly claims: TokenClaims;
}

/** A token admitted to one room. */
export interface RoomAdmission extends Identity {
  readonly kind: RoomKind;
  readonly canWrite: boolean;
}

const refuse = (code: number, status: number, error: string, message: string): Refusal => ({
  ok: false,
  code,
  status,
  error,
  message,
});

/** What a refused token is told (RP17: plain words, the code says the rest). */
const TOKEN_PROBLEMS: Record<TokenProblem, string> = {
  missing: 'A token is required.',
  malformed: 'The token is not one this relay issues.',
  'bad-signature': 'The token was not signed by this relay.',
  expired: 'The token has expired: pair this device again.',
};

/** Refusals another node's recent change may answer (RP41). */
const MAYBE_STALE = new Set(['venue-not-found', 'token-revoked']);

/**
 * The auth hook (RP5, RP6): who a token belongs to, whether it still counts (device not revoked,
 * guest link not rotated), and which room it opens with what access.
 */
export class AccessGate {
  readonly #signer: TokenSigner;
  readonly #registry: Registry;

  constructor(signer: TokenSigner, registry: Registry) {
    this.#signer = signer;
    this.#registry = registry;
  }

  /** Checks a token: signature, expiry, venue, device or guest key. */
  identify(token: string | null | undefined): Identity | Refusal {
    const check = this.#signer.check(token);
    if (!check.ok) {
      return refuse(
        CloseCode.unauthorized,
        401,
        `token-${check.problem}`,
        TOKEN_PROBLEMS[check.problem],
      );
    }
    const { claims } = check;
    const venue = this.#registry.venue(claims.venue);
    if (!venue) return refuse(CloseCode.notFound, 404, 'venue-not-found', 'The venue is gone.');
    if (claims.role === 'guest') {
      if (claims.gk === undefined || claims.gk !== venue.guestKey) {
        return refuse(CloseCode.revoked, 401, 'token-revoked', 'The guest link was replaced.');
      }
      return { ok: true, claims };
    }
    const device = this.#registry.device(claims.sub);
    if (device?.revoked) {
      return refuse(CloseCode.revoked, 401, 'token-revoked', 'This device was revoked.');
    }
    // a relay restored from a backup older than the pairing; the same answer, for the same remedy
    if (!device || device.venueId !== claims.venue) {
      return refuse(
        CloseCode.revoked,
        401,
        'token-revoked',
        'This device is not paired with this venue on this relay: pair it again.',
      );
    }
    // a token claims what its device was paired as, nothing more (only a leaked secret could
    // sign another role, but the registry has the last word)
    if (device.role !== claims.role) {
      return refuse(
        CloseCode.unauthorized,
        401,
        'token-bad-role',
        'The token is not this device’s.',
      );
    }
    return { ok: true, claims };
  }

  /**
   * {@link identify}, but a refusal that a change made a moment ago on another node may answer (a
   * venue or device not known here yet, a guest key not heard of yet) first catches the registry up
   * and checks again (cluster mode, RP41). Only tokens this relay signed get that far.
   */
  async identifyFresh(token: string | null | undefined): Promise<Identity | Refusal> {
    const first = this.identify(token);
    if (first.ok || !MAYBE_STALE.has(first.error)) return first;
    await this.#registry.catchUp();
    return this.identify(token);
  }

  /** {@link admit} with {@link identifyFresh}'s second look. */
  async admitFresh(
    token: string | null | undefined,
    room: string,
  ): Promise<RoomAdmission | Refusal> {
    const first = this.admit(token, room);
    if (first.ok || !MAYBE_STALE.has(first.error)) return first;
    await this.#registry.catchUp();
    return this.admit(token, room);
  }

  /** Checks a token for one room: the token's venue room or its library room only. */
  admit(token: string | null | undefined, room: string): RoomAdmission | Refusal {
    if (!isRoomName(room)) {
      return refuse(CloseCode.notFound, 404, 'room-not-found', 'No such room.');
    }
    const identity = this.identify(token);
    if (!identity.ok) return identity;
    const kind = this.#registry.roomKindFor(identity.claims.venue, room);
    if (!kind) {
      return this.#registry.roomExists(room)
        ? refuse(CloseCode.forbidden, 403, 'room-forbidden', 'This token does not open that room.')
        : refuse(CloseCode.notFound, 404, 'room-not-found', 'No such room.');
    }
    const canWrite = roomAccess(identity.claims.role, kind).write;
    return { ok: true, claims: identity.claims, kind, canWrite };
  }
}
