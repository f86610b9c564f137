/**
 * A device's clock, corrected from the relay's (VM25). Every stamp, intent time and heartbeat is read
 * from the corrected clock, so two devices whose own clocks disagree by minutes still agree on which
 * edit came last and on whether an intent is fresh. Pure: the raw clock is passed in, and the shell
 * feeds in each reading of the relay's time with when it asked and when the answer came.
 */
import { TIMING } from './schema';

/** A device clock corrected by the relay's time. */
export class DeviceClock {
  private offset = 0;
  private known = false;

  constructor(private readonly raw: () => number) {}

  /** Corrected milliseconds since the epoch. */
  readonly now = (): number => this.raw() + this.offset;

  /**
   * Takes a reading of the relay's clock: `relayTime` arrived at `receivedAt` (raw clock) for a
   * request sent at `sentAt` (raw clock). The relay read its clock about half way.
   */
  correct(relayTime: number, sentAt: number, receivedAt: number) {
    if (!Number.isFinite(relayTime) || !(receivedAt >= sentAt)) return;
    this.offset = Math.round(relayTime + (receivedAt - sentAt) / 2 - receivedAt);
    this.known = true;
  }

  /**
   * How far this device's own clock is from the relay's (ms, positive when it is behind), or null
   * while the relay's time has never been read.
   */
  get correction(): number | null {
    return this.known ? this.offset : null;
  }

  /** True once the relay's time has been read at least once. */
  get corrected(): boolean {
    return this.known;
  }

  /** True when the device's own clock is off by more than a minute: say so on screen (VM25). */
  get wrong(): boolean {
    return this.known && Math.abs(this.offset) > TIMING.maxAhead;
  }
}
