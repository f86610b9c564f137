/** What every operation sees: who writes, when, and the venue as it stands before the write. */
import type { Hlc } from './hlc';
import type { VenueFacts } from './facts';
import type { WriterIdentity } from './ledger';
import type { VenueSnapshot } from './snapshot';

/** The context of one operation (one transaction). */
export interface OpContext {
  identity: WriterIdentity;
  now: number;
  /** The stamp of this operation: later than everything this replica has seen (VM5). */
  h: Hlc;
  random: () => number;
  facts: VenueFacts;
  view: VenueSnapshot;
}
