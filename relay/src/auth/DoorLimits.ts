import { RateLimiter, type Rate } from './rate-limit';

/** Rates at the relay's public doors: pairing codes and guest links (RP14, T6, T18). */
export interface DoorRates {
  /** Pairing redemptions per client address (RP25). */
  readonly pairingPerAddress: Rate;
  /** Pairing redemptions for the whole relay: what bounds guessing from many addresses (T6). */
  readonly pairingPerRelay: Rate;
  /** Guest tokens one guest link mints per minute; five minutes' worth at once (T18). */
  readonly guestTokensPerMinute: number;
}

/** A refusal at a door: how long to wait and what to tell the caller. */
export interface DoorRefusal {
  readonly retryAfterSeconds: number;
  readonly message: string;
}

/**
 * The limits on the routes anyone may call. Pairing: each address has its own allowance, so junk
 * from one address cannot make a real code from another fail, and the relay has a cap that bounds
 * how fast all addresses together can guess. Guest links: every `POST /api/guest` counts against
 * its address (wrong keys and all), and each token minted against its guest link; an address gets
 * half a link's allowance, so no single address can use up a link.
 */
export class DoorLimits {
  readonly #pairingByAddress: RateLimiter;
  readonly #pairingByRelay: RateLimiter;
  readonly #guestsByAddress: RateLimiter;
  readonly #guestsByLink: RateLimiter;

  constructor(rates: DoorRates, now: () => number) {
    const perSecond = rates.guestTokensPerMinute / 60;
    this.#pairingByAddress = new RateLimiter(rates.pairingPerAddress, now);
    this.#pairingByRelay = new RateLimiter(rates.pairingPerRelay, now);
    this.#guestsByLink = new RateLimiter({ perSecond, burst: perSecond * 300 }, now);
    this.#guestsByAddress = new RateLimiter(
      { perSecond: perSecond / 2, burst: perSecond * 150 },
      now,
    );
  }

  /** A pairing redemption from `address` (null: this host, relay-wide limit only). */
  pairing(address: string | null): DoorRefusal | null {
    const own =
      address === null
        ? null
        : refusal(this.#pairingByAddress, address, 'Too many pairing attempts from your network');
    return (
      own ?? refusal(this.#pairingByRelay, 'relay', 'Too many pairing attempts reached the relay')
    );
  }

  /** Any guest-token request from `address`, before its key is checked. */
  guestRequest(address: string | null): DoorRefusal | null {
    if (address === null) return null;
    return refusal(this.#guestsByAddress, address, 'Too many guest sign-ins from your network');
  }

  /** A guest token about to be minted from the guest link whose key is `guestKey`. */
  guestToken(guestKey: string): DoorRefusal | null {
    return refusal(this.#guestsByLink, guestKey, 'This guest link let many guests in just now');
  }

  /** Forgets full buckets (keeps memory bounded). */
  /** Its limiters by name, for sharing their counters between nodes (RP45). */
  limiters(): [string, RateLimiter][] {
    return [
      ['pairing-by-address', this.#pairingByAddress],
      ['pairing-by-relay', this.#pairingByRelay],
      ['guests-by-address', this.#guestsByAddress],
      ['guests-by-link', this.#guestsByLink],
    ];
  }

  sweep(): void {
    this.#pairingByAddress.sweep();
    this.#pairingByRelay.sweep();
    this.#guestsByAddress.sweep();
    this.#guestsByLink.sweep();
  }
}

function refusal(limiter: RateLimiter, key: string, what: string): DoorRefusal | null {
  const wait = limiter.takeOrWait(key);
  return wait ? { retryAfterSeconds: wait, message: `${what}; retry in ${wait} s.` } : null;
}
