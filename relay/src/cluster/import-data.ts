import { createReadStream } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../ops/logger';
import { DiskRegistryStore } from '../storage/DiskRegistryStore';
import { DiskRoomStorage } from '../storage/DiskRoomStorage';
import { DiskMediaStore } from '../storage/DiskMediaStore';
import { DataDirInUseError, relayUsing } from '../storage/data-dir-lock';
import { FileJournalStore } from '../storage/JournalStore';
import { DEFAULT_JOURNAL_RETENTION } from '../config/relay-config';
import { logUnreadable, mergeAll } from '../sync/MergedUpdates';
import {
  countRow,
  emptyHead,
  insertJournalRows,
  journalRow,
  writeJournalHead,
} from './PostgresJournalStore';
import { PostgresMediaStore } from './PostgresMediaStore';
import { PostgresRegistryStore } from './PostgresRegistryStore';
import { createSchema, openPostgres } from './postgres';

/** What an import moved. */
export interface ImportCounts {
  readonly venues: number;
  readonly devices: number;
  readonly rooms: number;
  readonly journalEntries: number;
  readonly media: number;
  /** Stored updates Yjs cannot merge, left out of their rooms and logged (RP10). */
  readonly unreadableUpdates: number;
}

/** Journal entries read per page. */
const PAGE = 1000;

/**
 * `djamms-relay import --data DIR --postgres URL` (RP47): moves a stopped single relay's data
 * directory into a cluster's PostgreSQL database before any node has started on it. The cluster
 * takes the relay's signing secret and operator key, so every paired device and guest link keeps
 * working; venues, devices and pairing codes keep their ids, each room becomes one merged update,
 * journals keep their seqs (clients' cursors stay valid) and media their hashes. The secrets are
 * written last: an import that stopped midway can be run again (everything else is written so
 * that a repeat changes nothing), and a database that already has secrets is refused, as is a
 * data directory a relay is still running on (RP37).
 */
export async function importDataDir(
  dataDir: string,
  postgresUrl: string,
  logger: Logger,
  postgresOptions?: string,
): Promise<ImportCounts> {
  const running = await relayUsing(dataDir);
  if (running !== null) throw new DataDirInUseError(dataDir, running);
  const secret = (await readFile(join(dataDir, 'secret'), 'utf8')).trim();
  const operatorKey = (await readFile(join(dataDir, 'operator-key'), 'utf8')).trim();
  const pool = openPostgres(
    postgresUrl,
    logger,
    postgresOptions ? { options: postgresOptions } : {},
  );
  try {
    await createSchema(pool);
    const existing = await pool.query('SELECT 1 FROM secrets LIMIT 1');
    if (existing.rowCount !== 0) {
      throw new Error(
        'this cluster database already has its own secrets (a node started on it): ' +
          'import into a new, empty database before starting any node',
      );
    }
    const contents = await new DiskRegistryStore(join(dataDir, 'registry.json')).load();
    const registry = await PostgresRegistryStore.open({
      pool,
      logger,
      listenConnection: () =>
        new pg.Client({
          connectionString: postgresUrl,
          ...(postgresOptions ? { options: postgresOptions } : {}),
        }),
    });
    try {
      await registry.apply([
        ...contents.venues.map((venue) => ({ kind: 'venue-created' as const, venue })),
        ...contents.devices.map((device) => ({ kind: 'device-paired' as const, device })),
        ...[...contents.pairingCodes].map(([code, record]) => ({
          kind: 'pairing-code-created' as const,
          code,
          record,
        })),
      ]);
    } finally {
      await registry.close();
    }
    const { rooms, unreadableUpdates } = await importRooms(dataDir, pool, logger);
    let journalEntries = 0;
    const journal = new FileJournalStore(dataDir, DEFAULT_JOURNAL_RETENTION);
    for (const venue of contents.venues) {
      journalEntries += await importJournal(journal, venue.id, pool);
    }
    const media = await importMedia(dataDir, pool);
    await pool.query(
      `INSERT INTO secrets (name, value) VALUES ('secret', $1), ('operator-key', $2)`,
      [secret, operatorKey],
    );
    return {
      venues: contents.venues.length,
      devices: contents.devices.length,
      rooms,
      journalEntries,
      media,
      unreadableUpdates,
    };
  } finally {
    await pool.end();
  }
}

/**
 * Each room's log (the commit log replayed first) as one merged row, unless it is there. An
 * update Yjs cannot merge is left out and logged, not the end of the import.
 */
async function importRooms(
  dataDir: string,
  pool: pg.Pool,
  logger: Logger,
): Promise<{ rooms: number; unreadableUpdates: number }> {
  const storage = new DiskRoomStorage(dataDir);
  let rooms = 0;
  let unreadableUpdates = 0;
  try {
    for (const room of await storage.rooms()) {
      const { updates } = await storage.load(room);
      if (updates.length === 0) continue;
      await pool.query(
        `INSERT INTO room_updates (room, update) SELECT $1, $2
         WHERE NOT EXISTS (SELECT 1 FROM room_updates WHERE room = $1)`,
        [
          room,
          Buffer.from(
            mergeAll(updates, (update, error) => {
              unreadableUpdates++;
              logUnreadable(logger, room)(update, error);
            }),
          ),
        ],
      );
      rooms++;
    }
  } finally {
    await storage.close();
  }
  return { rooms, unreadableUpdates };
}

/** A venue's retained journal with its seqs, and its head. */
async function importJournal(
  journal: FileJournalStore,
  venueId: string,
  pool: pg.Pool,
): Promise<number> {
  let count = 0;
  const head = emptyHead();
  for (;;) {
    const page = await journal.read(venueId, { after: head.last, limit: PAGE });
    if (page.length === 0) break;
    const rows = page.map(journalRow);
    await insertJournalRows(pool, venueId, rows);
    rows.forEach((row) => countRow(head, row));
    count += page.length;
  }
  if (count > 0) await writeJournalHead(pool, venueId, head);
  return count;
}

/** Every stored media file, with the type it was uploaded with. */
async function importMedia(dataDir: string, pool: pg.Pool): Promise<number> {
  const dir = join(dataDir, 'media');
  const files = await readdir(dir).catch(() => [] as string[]);
  const disk = new DiskMediaStore(dir);
  const shared = new PostgresMediaStore(pool);
  let count = 0;
  for (const file of files) {
    if (!/^[0-9a-f]{64}$/.test(file)) continue;
    const record = await disk.stat(file);
    if (!record) continue;
    const stored = await shared.put(createReadStream(join(dir, file)), record.type, Infinity);
    if (stored.sha256 !== file) throw new Error(`media ${file} does not hash to its name`);
    count++;
  }
  return count;
}
