// @ts-check
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @typedef {{ imports: string[]; stylesheets: string[] }} NodeFiles
 * @typedef {{ pattern: RegExp; page: { layouts: (number | undefined)[]; errors: (number | undefined)[]; leaf: number } | null }} Route
 * @typedef {{ _: { client: { imports: string[] }; nodes: (() => Promise<NodeFiles>)[]; routes: Route[] } }} ServerManifest
 */

/**
 * For each page route of the server manifest `manifest`: its path pattern and the client files its
 * layouts, error pages and page need beyond what the shell already preloads (the entry, the root layout).
 * @param {ServerManifest} manifest
 * @returns {Promise<[string, string[]][]>}
 */
export async function routeFiles(manifest) {
  const { client, nodes, routes } = manifest._;
  const root = await nodes[0]();
  const preloaded = new Set([...client.imports, ...root.imports, ...root.stylesheets]);
  const table = [];
  for (const { pattern, page } of routes) {
    if (!page) continue;
    const files = new Set();
    // The error pages too: the client loads the root one as it starts.
    for (const index of [...page.layouts, ...page.errors, page.leaf]) {
      if (index === undefined) continue;
      const node = await nodes[index]();
      for (const file of [...node.imports, ...node.stylesheets])
        if (!preloaded.has(file)) files.add(file);
    }
    table.push(/** @type {[string, string[]]} */ ([pattern.source, [...files]]));
  }
  return table;
}

/**
 * The shell's inline script: it preloads the opened route's chunks and styles (from `table`, see
 * {@link routeFiles}) as soon as the head is parsed, beside the entry's. Without it the shell's
 * first visit to a venue page loads the entry, and only once that has run, the route's code: two
 * network round trips before the screen, where there is now one.
 * @param {[string, string[]][]} table
 * @param {string} base the app's base path (`/` or `/something/`)
 */
export function preloadScript(table, base) {
  return `<script>
      // This route's code and styles load beside the app's entry (web/scripts/route-preload.js).
      (function (base, routes) {
        for (var i = 0; i < routes.length; i++) {
          if (!new RegExp(routes[i][0]).test(location.pathname)) continue;
          routes[i][1].forEach(function (file) {
            var link = document.createElement('link');
            var style = /\\.css$/.test(file);
            link.rel = style ? 'preload' : 'modulepreload';
            // As the app then asks for them: a stylesheet in CORS mode (Vite's loader does).
            if (style) {
              link.as = 'style';
              link.crossOrigin = '';
            }
            link.href = base + file;
            document.head.appendChild(link);
          });
          return;
        }
      })(${JSON.stringify(base)}, ${JSON.stringify(table)});
    </script>
  `;
}

/**
 * Wraps a SvelteKit adapter that writes an SPA fallback page (`fallback` under `pages`, as
 * adapter-static does): once it has written the site, the fallback gets {@link preloadScript} at
 * the end of its head. The relay's Content-Security-Policy hashes inline scripts (RP27), so this one
 * runs under it as the others do.
 * @param {import('@sveltejs/kit').Adapter} adapter
 * @param {{ pages: string; fallback: string }} options
 * @returns {import('@sveltejs/kit').Adapter}
 */
export function withRoutePreload(adapter, { pages, fallback }) {
  return {
    ...adapter,
    async adapt(builder) {
      await adapter.adapt(builder);
      const url = pathToFileURL(join(builder.getServerDirectory(), 'manifest.js')).href;
      const { manifest } = /** @type {{ manifest: ServerManifest }} */ (await import(url));
      const table = await routeFiles(manifest);
      const file = join(pages, fallback);
      const html = await readFile(file, 'utf8');
      if (!html.includes('</head>')) throw new Error(`${file} has no </head> to preload routes in`);
      const base = `${builder.config.kit.paths.base}/`;
      await writeFile(file, html.replace('</head>', `${preloadScript(table, base)}</head>`));
      builder.log.minor(`Route preloads written in ${file} for ${table.length} routes`);
    },
  };
}
