/** Creating a venue document and reading its fixed facts (VM15, VM18). */
import type * as Y from 'yjs';
import { fail, ok, type Result } from './result';
import { LIMITS, META_MAP, SCHEMA_VERSION, WRITERS_MAP, type VenueMeta } from './schema';

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
  if (!name || name.length > LIMITS.text) {
    return fail('invalid', `a venue needs a name (${LIMITS.text} characters at most)`);
  }
  const value: VenueMeta = { schemaVersion: SCHEMA_VERSION, ...venue, name };
  doc.transact(() => {
    for (const [key, v] of Object.entries(value)) meta.set(key, v);
    doc.getMap(WRITERS_MAP);
  });
  return ok(value);
}

/** What the relay says of a venue it created (`GET /api/venues/<id>`). */
export interface RelayVenue {
  venueId: string;
  libraryId: string;
  name: string;
  created: number;
}

/**
 * The genesis of a venue created at the relay alone (its API, not the app): every writing device
 * that finds no genesis after syncing builds the same one from the relay's description, so devices
 * that write it at once write identical values (VM18).
 */
export function venueFromRelay(info: RelayVenue): NewVenue {
  return { ...info, epoch: info.venueId };
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
 * Ordered forward migrations, each with a frozen fixture of a document of its `from` version that a
 * test opens (`fixtures/`).
 *
 * 1 → 2: writers' JSON ledgers become logs. Nothing is moved by the migration itself: schema-1
 * ledgers stay readable, each owner converts its own on its next write, and a gone writer's is
 * folded by another (VM24), so no two devices ever create the same log. Raising the version is what
 * matters: a schema-1 app then refuses to write (`newer-schema`) instead of writing ledgers that a
 * converted writer no longer reads.
 */
export const MIGRATIONS: readonly Migration[] = [{ from: 1, migrate: () => undefined }];

/**
 * Brings a document up to `target` (this app's {@link SCHEMA_VERSION}), one migration after the
 * other, all in one transaction. A document written by a newer version is left untouched and
 * reported, so an old app never damages it (VM15).
 */
export function migrateVenue(
  doc: Y.Doc,
  migrations = MIGRATIONS,
  target = SCHEMA_VERSION,
): Result<number> {
  const meta = readMeta(doc);
  if (!meta) return fail('not-loaded', 'the venue has not loaded yet');
  if (meta.schemaVersion > target) {
    return fail(
      'newer-schema',
      `this venue was written by a newer DJAMMS (schema ${meta.schemaVersion}): update this app`,
    );
  }
  const steps = [...migrations].sort((a, b) => a.from - b.from);
  let version = meta.schemaVersion;
  doc.transact(() => {
    for (const step of steps) {
      if (step.from !== version || version >= target) continue;
      step.migrate(doc);
      version = step.from + 1;
    }
    if (version !== meta.schemaVersion) doc.getMap(META_MAP).set('schemaVersion', version);
  });
  return ok(version);
}
