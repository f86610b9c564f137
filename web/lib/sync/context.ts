import { getContext, setContext } from 'svelte';
import type { VenueSession } from './venue-session.svelte';

const KEY = Symbol('venue-session');

/** Gives the venue screens below a layout its open session. */
export function provideSession(get: () => VenueSession) {
  setContext(KEY, get);
}

/** The open venue session (only inside /v/[venueId]). */
export function useSession(): VenueSession {
  return getContext<() => VenueSession>(KEY)();
}
