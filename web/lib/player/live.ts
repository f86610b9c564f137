/**
 * The active player's live position, shared on awareness (ephemeral, never in the document): staff
 * screens draw their progress bar from it, and fall back to the position the document derives (VM23)
 * when no fresh one has arrived (over HTTP sync awareness does not travel).
 */
import type { Awareness } from 'y-protocols/awareness';

/** The awareness field the player publishes. */
export const LIVE_FIELD = 'player';

/** A live position is trusted this long after the player measured it. */
const FRESH_MS = 5_000;

export interface LivePosition {
  entry: string;
  positionMs: number;
  durationMs: number;
  playing: boolean;
  /** When it was measured, on the player's corrected clock. */
  at: number;
}

function isLive(v: unknown): v is LivePosition {
  const l = v as LivePosition | null;
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.entry === 'string' &&
    Number.isFinite(l.positionMs) &&
    Number.isFinite(l.durationMs) &&
    typeof l.playing === 'boolean' &&
    Number.isFinite(l.at)
  );
}

/** The freshest live position of `entry` any peer published, moved on to `now`; or null. */
export function livePosition(
  awareness: Awareness | null,
  entry: string | undefined,
  now: number,
): LivePosition | null {
  if (!awareness || !entry) return null;
  let best: LivePosition | null = null;
  for (const state of awareness.getStates().values()) {
    const live: unknown = state[LIVE_FIELD];
    if (!isLive(live) || live.entry !== entry || now - live.at > FRESH_MS) continue;
    if (!best || live.at > best.at) best = live;
  }
  if (!best) return null;
  const moved = best.playing ? Math.max(0, now - best.at) : 0;
  // Moved on by this device's clock, it could pass the end the player has not reported yet.
  const positionMs = best.positionMs + moved;
  return {
    ...best,
    positionMs: best.durationMs > 0 ? Math.min(positionMs, best.durationMs) : positionMs,
    at: now,
  };
}
