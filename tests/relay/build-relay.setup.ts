/**
 * Vitest global setup: bundles the relay from the sources as they are now, so the tests that spawn
 * `relay/bin/djamms-relay.js` run the compiled relay that production runs, never an older build.
 */
export { buildRelay as default } from '../../relay/scripts/build';
