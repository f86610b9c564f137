import pg from 'pg';
import type { Logger } from '../ops/logger';

/** The one connection pool a cluster node's stores share. */
export type Postgres = pg.Pool;

/**
 * Opens a pool to the cluster's database. `options` (e.g. `-c search_path=…`) lets several
 * clusters share one database (the tests do). Errors of idle connections (PostgreSQL restarted)
 * are logged, never thrown: the next query reconnects.
 */
export function openPostgres(
  url: string,
  logger: Logger,
  extra: { readonly options?: string; readonly max?: number } = {},
): Postgres {
  const pool = new pg.Pool({
    connectionString: url,
    max: extra.max ?? 10,
    connectionTimeoutMillis: 5_000,
    ...(extra.options ? { options: extra.options } : {}),
  });
  pool.on('error', (error) => {
    logger.log('warn', 'postgres-connection-lost', { error: String(error) });
  });
  return pool;
}

/** How long a health check waits for PostgreSQL's answer, and how long its result holds. */
const CHECK_TIMEOUT_MS = 1_000;
const CHECK_EVERY_MS = 2_000;

/**
 * Whether PostgreSQL answers a trivial query within a second (RP21): asked at most every two
 * seconds however often `/healthz` is called, so a check stays cheap.
 */
export function postgresCheck(
  pool: Postgres,
  now: () => number = Date.now,
): () => Promise<boolean> {
  let askedAt = -Infinity;
  let answer = Promise.resolve(true);
  const ask = async () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
    });
    const answered = pool.query('SELECT 1').then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  return () => {
    if (now() - askedAt >= CHECK_EVERY_MS) {
      askedAt = now();
      answer = ask();
    }
    return answer;
  };
}

/** Runs `work` in one transaction on one connection: committed if it resolves, else rolled back. */
export async function inTransaction<T>(
  pool: Postgres,
  work: (client: pg.PoolClient) => Promise<T>,
  isolation = 'READ COMMITTED',
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Advisory lock ids: one for creating the schema, one serializing registry batches. */
export const LOCK_SCHEMA = 0x646a616d01;
export const LOCK_REGISTRY = 0x646a616d02;

/** Bumped when a table changes; a node refuses a database of a newer version. */
const SCHEMA_VERSION = 1;

/**
 * The cluster's tables (relay/README.md, "Cluster"), created by the first node to start: the
 * others wait for its transaction and find them there.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS djamms_schema (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS secrets (name text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS room_updates (
  id bigserial PRIMARY KEY, room text NOT NULL, update bytea NOT NULL);
CREATE INDEX IF NOT EXISTS room_updates_by_room ON room_updates (room, id);
CREATE TABLE IF NOT EXISTS venues (
  ord bigserial, id text PRIMARY KEY, name text NOT NULL, library_id text NOT NULL,
  created bigint NOT NULL, guest_key text);
CREATE TABLE IF NOT EXISTS devices (
  ord bigserial, id text PRIMARY KEY, venue_id text NOT NULL, role text NOT NULL,
  name text NOT NULL, paired bigint NOT NULL, last_seen bigint, revoked boolean NOT NULL);
CREATE TABLE IF NOT EXISTS pairing_codes (
  ord bigserial, code text PRIMARY KEY, venue_id text NOT NULL, role text NOT NULL,
  name text NOT NULL, expires_at bigint NOT NULL);
CREATE TABLE IF NOT EXISTS registry_changes (
  id bigserial PRIMARY KEY, node text NOT NULL, at timestamptz NOT NULL DEFAULT now(),
  changes jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS journal_heads (
  venue text PRIMARY KEY, last_seq bigint NOT NULL, bytes bigint NOT NULL,
  guest_bytes bigint NOT NULL, play_bytes bigint NOT NULL, oldest_play float8 NOT NULL);
CREATE TABLE IF NOT EXISTS journal_entries (
  venue text NOT NULL, seq bigint NOT NULL, id text NOT NULL, kind text NOT NULL,
  at float8 NOT NULL, guest boolean NOT NULL, size integer NOT NULL, line text NOT NULL,
  PRIMARY KEY (venue, seq), UNIQUE (venue, id));
CREATE INDEX IF NOT EXISTS journal_kinds ON journal_entries (venue, kind, at);
CREATE TABLE IF NOT EXISTS media (sha256 text PRIMARY KEY, size bigint NOT NULL, type text NOT NULL);
CREATE TABLE IF NOT EXISTS media_chunks (
  blob text NOT NULL, n integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (blob, n));
CREATE TABLE IF NOT EXISTS leases (name text PRIMARY KEY, holder text NOT NULL, expires timestamptz NOT NULL);
`;

/** Creates the tables if this is the first node; refuses a database made by a newer relay. */
export async function createSchema(pool: Postgres): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_SCHEMA]);
    await client.query(SCHEMA);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM djamms_schema');
    const version = rows[0]?.version;
    if (version === undefined) {
      await client.query('INSERT INTO djamms_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
    } else if (version > SCHEMA_VERSION) {
      throw new Error(
        `the database was set up by a newer relay (schema ${version}); upgrade this node`,
      );
    }
  });
}
