/**
 * This device's clock, corrected from the relay's (venue SPEC VM25). The venue model stamps every
 * edit, intent and heartbeat with the corrected time, so phones whose clocks disagree by minutes
 * still agree on which edit came last and whether an intent is fresh. The last correction is kept
 * in localStorage, so a reload offline starts corrected.
 */
import { DeviceClock } from '@djamms/venue';
import type { RelayTime } from '@djamms/protocol';

const KEY = 'djamms-clock-correction';

/** The one corrected clock of this device. */
export const deviceClock = new DeviceClock(() => Date.now());

const remembered = Number(localStorage.getItem(KEY));
if (localStorage.getItem(KEY) !== null && Number.isFinite(remembered)) {
  const now = Date.now();
  deviceClock.correct(now + remembered, now, now);
}

/**
 * Reads the relay's time (`GET /api/time`, RP23) and corrects the clock. Returns whether the
 * correction moved by more than a second (then the caller settles what it stamped meanwhile).
 */
export async function correctFromRelay(relay: string): Promise<boolean> {
  const before = deviceClock.correction;
  const sentAt = Date.now();
  const res = await fetch(`${relay}/api/time`, { cache: 'no-store' });
  const receivedAt = Date.now();
  if (!res.ok) return false;
  const { time } = (await res.json()) as RelayTime;
  deviceClock.correct(time, sentAt, receivedAt);
  const after = deviceClock.correction ?? 0;
  localStorage.setItem(KEY, String(after));
  return before === null || Math.abs(after - before) > 1_000;
}
