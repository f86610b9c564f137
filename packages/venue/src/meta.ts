/** Creating a venue document and reading its fixed facts (VM15, VM18). */
import type * as Y from 'yjs';
import { fail, ok, type Result } from './result';
import { LEDGERS_MAP, META_MAP, SCHEMA_VERSION, type VenueMeta } from './schema';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What a new venue needs. */
export interface NewVenue {
  venueId: string;
  libraryId: string;
  name: string;
  /** Creation time (from the clock port). */
  created: number;
  /** Genesis id; random, from the random port. */
  epoch: string;
}

/**
 * Writes the genesis of a venue document in one transaction. Only the device that creates the venue
 * does this, once; every other replica receives it by sync (VM18).
 */
export function createVenue(doc: Y.Doc, venue: NewVenue): Result<VenueMeta> {
  const meta = doc.getMap(META_MAP);
  if (meta.size > 0) return fail('duplicate', 'this document already holds a venue');
  if (!ID.test(venue.venueId) || !ID.test(venue.libraryId) || !ID.test(venue.epoch)) {
    return fail('invalid', 'venue, library and epoch ids must be short url-safe strings');
  }
  const name = venue.name.trim();
  if (!name || name.length > 200)
    return fail('invalid', 'a venue needs a name (200 characters at most)');
  const value: VenueMeta = { schemaVersion: SCHEMA_VERSION, ...venue, name };
  doc.transact(() => {
    for (const [key, v] of Object.entries(value)) meta.set(key, v);
    doc.getMap(LEDGERS_MAP);
  });
  return ok(value);
}

/** Reads the venue's fixed facts, or null while the document has not loaded them (or they are bad). */
export function readMeta(doc: Y.Doc): VenueMeta | null {
  const m = doc.getMap(META_MAP);
  const meta = {
    schemaVersion: m.get('schemaVersion'),
    venueId: m.get('venueId'),
    libraryId: m.get('libraryId'),
    name: m.get('name'),
    created: m.get('created'),
    epoch: m.get('epoch'),
  };
  const good =
    Number.isInteger(meta.schemaVersion) &&
    typeof meta.venueId === 'string' &&
    ID.test(meta.venueId) &&
    typeof meta.libraryId === 'string' &&
    ID.test(meta.libraryId) &&
    typeof meta.name === 'string' &&
    typeof meta.created === 'number' &&
    typeof meta.epoch === 'string';
  return good ? (meta as VenueMeta) : null;
}

/** A forward migration from one schema version to the next. */
export interface Migration {
  from: number;
  migrate(doc: Y.Doc): void;
}

/**
 * Ordered forward migrations. Schema 1 is the first version, so there are none yet; a migration to
 * version 2 goes here, with a frozen fixture of a version-1 document that its test opens.
 */
export const MIGRATIONS: readonly Migration[] = [];

/**
 * Brings a document up to {@link SCHEMA_VERSION}. A document written by a newer version is left
 * untouched and reported, so an old app never damages it (VM15).
 */
export function migrateVenue(doc: Y.Doc, migrations = MIGRATIONS): Result<number> {
  const meta = readMeta(doc);
  if (!meta) return fail('not-loaded', 'the venue has not loaded yet');
  if (meta.schemaVersion > SCHEMA_VERSION) {
    return fail(
      'newer-schema',
      `this venue was written by a newer DJAMMS (schema ${meta.schemaVersion})`,
    );
  }
  let version = meta.schemaVersion;
  for (const step of migrations) {
    if (step.from !== version) continue;
    doc.transact(() => {
      step.migrate(doc);
      doc.getMap(META_MAP).set('schemaVersion', step.from + 1);
    });
    version = step.from + 1;
  }
  return ok(version);
}
