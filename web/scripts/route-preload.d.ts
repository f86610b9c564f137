/** Types of `route-preload.js` (plain JavaScript: `svelte.config.js` imports it). */
import type { Adapter } from '@sveltejs/kit';

/** The part of SvelteKit's server manifest that tells which client files each route needs. */
export interface ServerManifest {
  _: {
    client: { imports: string[] };
    nodes: (() => Promise<{ imports: string[]; stylesheets: string[] }>)[];
    routes: {
      pattern: RegExp;
      page: {
        layouts: (number | undefined)[];
        errors: (number | undefined)[];
        leaf: number;
      } | null;
    }[];
  };
}

/** Each page route's pattern and the client files it needs beyond the shell's own preloads. */
export function routeFiles(manifest: ServerManifest): Promise<[string, string[]][]>;
/** The shell's inline script that preloads the entry and the opened route's files. */
export function preloadScript(table: [string, string[]][], base: string, entry: string[]): string;
/** A page whose app loads at low priority and starts after the first frame (where `when` holds). */
export function paintFirst(html: string, file: string, when?: string): string;
/** Wraps an adapter that writes an SPA fallback: the fallback preloads routes; pages paint first. */
export function withRoutePreload(
  adapter: Adapter,
  options: { pages: string; fallback: string },
): Adapter;
