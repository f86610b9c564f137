/**
 * Files an admin chose to add that are not in the library yet, kept in IndexedDB (idb-keyval) so an
 * upload cut off by the network, a closed tab or a reload goes on at the next chance, on this
 * device. A file leaves the store once it is in the library, or refused.
 */
import { createStore, del, entries, set, type UseStore } from 'idb-keyval';

/** A file waiting to be added to a venue's library. */
export interface KeptFile {
  /** The upload's id, unique on this device. */
  readonly id: string;
  readonly venueId: string;
  readonly file: File;
  /** When it was chosen (ms since the epoch): the queue keeps that order. */
  readonly chosen: number;
}

/** As stored: the bytes, with the file's name and type beside them (not every structured clone keeps a File's). */
interface StoredFile extends Omit<KeptFile, 'file'> {
  readonly blob: Blob;
  readonly name: string;
  readonly type: string;
  readonly lastModified: number;
}

let store: UseStore | undefined;
const db = () => (store ??= createStore('djamms-uploads', 'files'));
const keyOf = (venueId: string, id: string) => `${venueId}/${id}`;

/** Keeps a file until {@link forgetFile}. */
export function keepFile({ file, ...kept }: KeptFile): Promise<void> {
  const { name, type, lastModified } = file;
  const stored: StoredFile = { ...kept, blob: file, name, type, lastModified };
  return set(keyOf(kept.venueId, kept.id), stored, db());
}

/** Drops a kept file (added, or refused). */
export function forgetFile(venueId: string, id: string): Promise<void> {
  return del(keyOf(venueId, id), db());
}

/** The files kept for a venue, oldest choice first. */
export async function keptFiles(venueId: string): Promise<KeptFile[]> {
  const all = await entries<string, StoredFile>(db());
  return all
    .filter(([key]) => key.startsWith(`${venueId}/`))
    .map(([, { blob, name, type, lastModified, ...kept }]) => ({
      ...kept,
      file: new File([blob], name, { type, lastModified }),
    }))
    .sort((a, b) => a.chosen - b.chosen);
}
