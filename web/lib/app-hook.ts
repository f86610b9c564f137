/**
 * The one handle the end-to-end tests, the benchmarks and an operator's browser console reach the
 * running app by: `window.djamms` is the open venue session, `window.djammsPlayer` the player
 * engine on a player screen. Routes set it here and nowhere else.
 */
import type { PlayerEngine } from './player/PlayerEngine.svelte';
import type { VenueSession } from './sync/venue-session.svelte';

declare global {
  interface Window {
    djamms?: VenueSession;
    djammsPlayer?: PlayerEngine;
  }
}

/** Shows the open venue session on `window.djamms`. */
export function exposeSession(session: VenueSession) {
  window.djamms = session;
}

/** Shows the player engine on `window.djammsPlayer` (null when it closes). */
export function exposePlayer(engine: PlayerEngine | null) {
  if (engine) window.djammsPlayer = engine;
  else delete window.djammsPlayer;
}
