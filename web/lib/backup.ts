/**
 * A venue's backup file (`<venue-name>-<date>.djamms-backup`): one JSON object that holds all a
 * venue is (web/README.md "Backups").
 *
 * ```json
 * { "format": "djamms-venue-backup", "version": 1, "app": "<app build>", "created": <ms>,
 *   "venue": { "venueId", "libraryId", "name", "created" },
 *   "media": ["<sha256>", …],
 *   "venueState": "<base64 Yjs update>", "libraryState": "<base64 Yjs update>" }
 * ```
 *
 * The venue document holds the programme, the requests waiting, settings, bans and schedules; the
 * library document the tracks and playlists; `media` lists the files (audio and covers) its tracks
 * refer to, which stay on the relay and are not in the file. Opening a file checks all of it first,
 * so a malformed, truncated, foreign or newer file is refused before anything is written.
 */
import * as Y from 'yjs';
import { fromBase64, toBase64 } from 'lib0/buffer';
import {
  Library,
  SCHEMA_VERSION,
  readMeta,
  type LibrarySnapshot,
  type LibraryTrack,
  type RelayVenue,
  type Venue,
} from '@djamms/venue';
import { storedMediaType } from './media/media-upload';
import { foldText } from './track-search';

/** The format tag every backup file starts with. */
export const BACKUP_FORMAT = 'djamms-venue-backup';
/** The version of the file format this app writes and reads (and every older one). */
export const BACKUP_VERSION = 1;
/** The file name's extension, offered by the file picker. */
export const BACKUP_EXTENSION = '.djamms-backup';

/** A backup file as stored. */
export interface VenueBackup {
  format: typeof BACKUP_FORMAT;
  version: number;
  /** The app build that made it. */
  app: string;
  /** When it was made. */
  created: number;
  /** The venue as the relay describes it. */
  venue: RelayVenue;
  /** Content addresses of every file the library refers to. */
  media: string[];
  venueState: string;
  libraryState: string;
}

/** A backup file checked and opened, ready to restore. */
export interface OpenedBackup {
  file: VenueBackup;
  venueDoc: Y.Doc;
  libraryDoc: Y.Doc;
  library: LibrarySnapshot;
}

/** Why a file cannot be restored (strings.ts turns each into words). */
export type BackupProblem = 'not-a-backup' | 'damaged' | 'newer';

const SHA256 = /^[0-9a-f]{64}$/;
const FILE_START = `{"format":"${BACKUP_FORMAT}"`;

/** Every file a library's tracks refer to (audio and covers), once each, sorted. */
export function mediaOf(library: LibrarySnapshot): string[] {
  const refs = library.tracks.flatMap((t) => [t.media, t.artwork]);
  const shas = refs.flatMap((m) => (m && 'sha256' in m ? [m.sha256] : []));
  return [...new Set(shas)].sort();
}

/** The backup of a venue and its library, as of now. */
export function makeBackup(
  venue: Venue,
  library: Library,
  app: string,
  now: number,
): VenueBackup | null {
  const meta = venue.meta();
  if (!meta) return null;
  const { venueId, libraryId, name, created } = meta;
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    app,
    created: now,
    venue: { venueId, libraryId, name, created },
    media: mediaOf(library.snapshot()),
    venueState: toBase64(Y.encodeStateAsUpdate(venue.doc)),
    libraryState: toBase64(Y.encodeStateAsUpdate(library.doc)),
  };
}

/** `The Test Bar`, made on 30 Nov 2026 → `the-test-bar-2026-11-30.djamms-backup`. */
export function backupFileName(backup: Pick<VenueBackup, 'venue' | 'created'>): string {
  const slug = backup.venue.name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  const date = new Date(backup.created).toISOString().slice(0, 10);
  return `${slug || 'venue'}-${date}${BACKUP_EXTENSION}`;
}

/** Letters, digits and spaces of a name as a person types it: case, accents and quotes apart. */
const typedForm = (name: string) => foldText(name).split(/\s+/).filter(Boolean).join(' ');

/**
 * Whether `typed` names the venue `name`, to confirm a restore over it: whatever the case, accents,
 * spaces and punctuation (a phone types `Joe’s Bar` where the venue is `Joe's Bar`, and nothing
 * said why Replace stayed disabled). A name of no letters or digits must be typed as it is.
 */
export function confirmsName(typed: string, name: string): boolean {
  const wanted = typedForm(name);
  return wanted ? typedForm(typed) === wanted : typed.trim() === name.trim() && name.trim() !== '';
}

type Opened = { ok: true; value: OpenedBackup } | { ok: false; problem: BackupProblem };
const refuse = (problem: BackupProblem): Opened => ({ ok: false, problem });

/**
 * Checks and opens a backup file's text. Refused: anything that is not a DJAMMS venue backup
 * (`not-a-backup`), one cut short or altered (`damaged`), one made by a newer DJAMMS (`newer`).
 */
export function openBackup(text: string): Opened {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse(text.startsWith(FILE_START) ? 'damaged' : 'not-a-backup');
  }
  const file = parsed as Partial<VenueBackup> | null;
  if (typeof file !== 'object' || file === null || file.format !== BACKUP_FORMAT) {
    return refuse('not-a-backup');
  }
  if (!Number.isInteger(file.version) || file.version! < 1) return refuse('damaged');
  if (file.version! > BACKUP_VERSION) return refuse('newer');
  const v = file.venue;
  const wellFormed =
    typeof file.app === 'string' &&
    typeof file.created === 'number' &&
    typeof v === 'object' &&
    v !== null &&
    typeof v.venueId === 'string' &&
    typeof v.name === 'string' &&
    Array.isArray(file.media) &&
    file.media.every((m) => typeof m === 'string' && SHA256.test(m)) &&
    typeof file.venueState === 'string' &&
    typeof file.libraryState === 'string';
  if (!wellFormed) return refuse('damaged');
  const venueDoc = new Y.Doc();
  const libraryDoc = new Y.Doc();
  try {
    Y.applyUpdate(venueDoc, fromBase64(file.venueState!));
    Y.applyUpdate(libraryDoc, fromBase64(file.libraryState!));
  } catch {
    return refuse('damaged');
  }
  // An update cut short applies nothing, or leaves parts waiting for what never came.
  const meta = readMeta(venueDoc);
  if (!meta || meta.venueId !== v!.venueId || hasPending(venueDoc) || hasPending(libraryDoc)) {
    return refuse('damaged');
  }
  if (meta.schemaVersion > SCHEMA_VERSION) return refuse('newer');
  const library = new Library(libraryDoc, { now: () => 0, random: Math.random }).snapshot();
  return { ok: true, value: { file: file as VenueBackup, venueDoc, libraryDoc, library } };
}

function hasPending(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
}

/**
 * Restores a backup's library into `library` (the venue's library document): what the backup
 * holds is merged in, every track of the backup the library no longer has is put back as it was,
 * and every playlist of the backup is put back as the backup held it (one deleted or edited since
 * included, venue SPEC VM36). Nothing is removed: the library may be shared with other venues, and
 * the restored venue's own choices put aside the playlists made since. Returns how many tracks
 * were put back.
 */
export function restoreLibrary(library: Library, backup: OpenedBackup): number {
  Y.applyUpdate(library.doc, Y.encodeStateAsUpdate(backup.libraryDoc));
  const have = new Set(library.snapshot().tracks.map((t) => t.id));
  let putBack = 0;
  for (const track of backup.library.tracks) {
    if (have.has(track.id)) continue;
    if (library.putTrack(track).ok) putBack++;
  }
  library.restorePlaylists(new Library(backup.libraryDoc, { now: () => 0, random: Math.random }));
  return putBack;
}

/** The tracks of a backup whose files the relay does not hold (`missing`: their sha256s). */
export function tracksMissingMedia(backup: OpenedBackup, missing: Set<string>): LibraryTrack[] {
  return backup.library.tracks.filter((t) => 'sha256' in t.media && missing.has(t.media.sha256));
}

/** The files of `media` the relay does not hold, asked a few at a time (`HEAD /media/<sha256>`). */
export async function missingMedia(relay: string, media: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < media.length) {
      const sha = media[next++]!;
      if ((await storedMediaType(relay, sha)) === null) missing.push(sha);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return missing.sort();
}
