/**
 * Which gallery item the TV shows now (venue SPEC VM37): one item every `every` seconds for
 * `seconds` seconds, in gallery order, during audio tracks only. Worked out from the wall clock,
 * so it needs no timer of its own and every TV of a venue shows the same item at the same time.
 */
import type { GalleryItem, GalleryRotation } from '@djamms/venue';

/** The item to show at `nowMs`, or null. `ready` says which items are on this device already. */
export function galleryShowing(
  items: readonly GalleryItem[],
  rotation: GalleryRotation,
  nowMs: number,
  ready: (item: GalleryItem) => boolean,
): GalleryItem | null {
  const shown = items.filter(ready);
  if (rotation.every === 0 || shown.length === 0) return null;
  const second = Math.floor(nowMs / 1000);
  if (second % rotation.every >= rotation.seconds) return null;
  return shown[Math.floor(second / rotation.every) % shown.length] ?? null;
}
