/**
 * The files of a drag and drop, folders included (an album folder dropped whole): walked in name
 * order, so an album's tracks go in as numbered. Inside a folder only audio and video files are
 * taken (covers, cue sheets and notes are counted as skipped); a file dropped on its own is always
 * taken, so a wrong one is refused with its reason.
 */
import { uploadTypeOf } from '@djamms/protocol';

/** True for a file the library could take: audio or video by its type or extension. */
export function isMediaFile(file: File): boolean {
  return /^(audio|video)\//.test(uploadTypeOf(file) ?? '');
}

const fileOf = (entry: FileSystemFileEntry) =>
  new Promise<File>((resolve, reject) => entry.file(resolve, reject));

async function entriesOf(folder: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = folder.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries answers in batches until an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (!batch.length)
      return all.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    all.push(...batch);
  }
}

/** The files dropped, and how many files inside dropped folders were not music or video. */
export async function droppedFiles(
  data: DataTransfer,
): Promise<{ files: File[]; skipped: number }> {
  // Entries must be taken before the first await: the drop's items are emptied after the event.
  const entries = Array.from(data.items)
    .map((item) => item.webkitGetAsEntry?.() ?? null)
    .filter((e): e is FileSystemEntry => e !== null);
  if (!entries.length) return { files: Array.from(data.files), skipped: 0 };
  const files: File[] = [];
  let skipped = 0;
  async function walk(entry: FileSystemEntry, inFolder: boolean) {
    if (entry.isDirectory) {
      for (const child of await entriesOf(entry as FileSystemDirectoryEntry))
        await walk(child, true);
      return;
    }
    const file = await fileOf(entry as FileSystemFileEntry);
    if (!inFolder || isMediaFile(file)) files.push(file);
    else skipped += 1;
  }
  for (const entry of entries) await walk(entry, false);
  return { files, skipped };
}
