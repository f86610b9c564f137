/** What every operation sees: who writes, when, and the venue as it stands before the write. */
import type { Hlc } from './hlc';
import type { VenueFacts } from './merge';
import type { WriterIdentity } from './schema';
import type { VenueSnapshot } from './snapshot';

/** The context of one operation (one transaction). */
export interface OpContext {
  identity: WriterIdentity;
  now: number;
  /** The stamp of this operation: later than everything this replica counts (VM5). */
  h: Hlc;
  random: () => number;
  /** The device clock's last measured correction (VM25), or null while it was never corrected. */
  correction: number | null;
  facts: VenueFacts;
  /** The venue at `now` as it stood before this operation (built on first use). */
  view: VenueSnapshot;
}
