import { openVenueSession } from '$lib/sync/venue-session.svelte';
import type { LayoutLoad } from './$types';

// Starts opening the venue's local state before the screen mounts (not awaited: nothing waits).
export const load: LayoutLoad = ({ params }) => ({ session: openVenueSession(params.venueId) });
