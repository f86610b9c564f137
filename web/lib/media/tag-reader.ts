/**
 * The tag reader, `music-metadata`, as one dynamic entry of the build: imported by `file-tags.ts`
 * when an admin adds music, and left out of the service worker's precache (`vite.config.ts`), so
 * no other device downloads it.
 */
export { parseBlob } from 'music-metadata';
