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
  /** @param {number} index */
  const node = (index) => {
    const load = nodes[index];
    if (!load) throw new Error(`SvelteKit's manifest has no node ${index}`);
    return load();
  };
  const root = await node(0);
  const preloaded = new Set([...client.imports, ...root.imports, ...root.stylesheets]);
  const table = [];
  for (const { pattern, page } of routes) {
    if (!page) continue;
    const files = new Set();
    // The error pages too: the client loads the root one as it starts.
    for (const index of [...page.layouts, ...page.errors, page.leaf]) {
      if (index === undefined) continue;
      const { imports, stylesheets } = await node(index);
      for (const file of [...imports, ...stylesheets]) if (!preloaded.has(file)) files.add(file);
    }
    table.push(/** @type {[string, string[]]} */ ([pattern.source, [...files]]));
  }
  return table;
}

/**
 * The shell's inline script: it preloads the app's entry (`entry`, the shell's own module preloads)
 * and the opened route's chunks and styles (from `table`, see {@link routeFiles}) as soon as the
 * head is parsed. Without it the shell's first visit to a venue page loads the entry, and only once
 * that has run, the route's code: two network round trips before the screen, where there is now
 * one. Where the shell draws the screen's skeleton (the `data-skeleton` the skeleton script in the
 * head sets, web/hooks.server.ts), nothing of this is needed for the first paint: it all loads at
 * low priority, the page's own bytes first ({@link paintFirst}).
 * @param {[string, string[]][]} table
 * @param {string} base the app's base path (`/` or `/something/`)
 * @param {string[]} entry the entry's files, as the shell names them
 */
export function preloadScript(table, base, entry) {
  return `<script>
      // The app's entry and this route's code and styles (web/scripts/route-preload.js).
      (function (base, entry, routes) {
        var low = !!document.documentElement.dataset.skeleton;
        var files = entry;
        for (var i = 0; i < routes.length; i++) {
          if (!new RegExp(routes[i][0]).test(location.pathname)) continue;
          files = entry.concat(routes[i][1].map(function (file) { return base + file; }));
          break;
        }
        files.forEach(function (file) {
          var link = document.createElement('link');
          var style = /\\.css$/.test(file);
          link.rel = style ? 'preload' : 'modulepreload';
          if (low) link.fetchPriority = 'low';
          // As the app then asks for them: a stylesheet in CORS mode (Vite's loader does).
          if (style) {
            link.as = 'style';
            link.crossOrigin = '';
          }
          link.href = file;
          document.head.appendChild(link);
        });
      })(${JSON.stringify(base)}, ${JSON.stringify(entry)}, ${JSON.stringify(table)});
    </script>
  `;
}

/** SvelteKit's start script: the entry's imports, then the start itself. */
const START = /Promise\.all\(\[([^\]]*)\]\)\.then\(\(\[kit, app\]\) => \{/g;

/** The module preloads SvelteKit writes in a page's head. */
const MODULE_PRELOAD = /<link href="([^"]+)" rel="modulepreload">/g;

/**
 * A page paints before the app starts: it is whole without the app (the home page, prerendered)
 * or shows its screen's skeleton (the shell on the guest page and the player, web/hooks.server.ts),
 * so the app's modules load at low priority (the page's own bytes and icon first) and the app's
 * start (its entry's imports, then SvelteKit's start) waits for the first frame (at once in a
 * hidden tab, which draws none): loading and starting the app never holds the first paint back on
 * a slow phone or TV. (A time limit instead of the frame let a busy phone start the app first, and
 * the frame came after it.) With `when`, a condition in the page's JavaScript, only where it holds:
 * elsewhere the app starts as soon as it has loaded, at its usual priority ({@link preloadScript}
 * then preloads it). Throws when SvelteKit's start script is not there exactly once, so a
 * SvelteKit update cannot silently undo this.
 * @param {string} html
 * @param {string} file for the error message
 * @param {string} [when]
 */
export function paintFirst(html, file, when) {
  const starts = [...html.matchAll(START)].length;
  if (starts !== 1) throw new Error(`${file} has ${starts} SvelteKit start scripts, not one`);
  const wait = when ? `!(${when}) || ` : '';
  return html
    .replaceAll(MODULE_PRELOAD, (link, href) =>
      when ? '' : `<link href="${href}" rel="modulepreload" fetchpriority="low">`,
    )
    .replace(
      START,
      (_, imports) =>
        `new Promise(function (paint) { if (${wait}document.visibilityState === 'hidden') paint(); ` +
        'else requestAnimationFrame(function () { setTimeout(paint); }); }).then(() => ' +
        `Promise.all([${imports}])).then(([kit, app]) => {`,
    );
}

/**
 * Wraps a SvelteKit adapter that writes an SPA fallback page (`fallback` under `pages`, as
 * adapter-static does): once it has written the site, the fallback gets {@link preloadScript} at
 * the end of its head in place of its module preloads and {@link paintFirst} where it shows a
 * skeleton; each prerendered page gets {@link paintFirst}.
 * The relay's Content-Security-Policy hashes inline scripts (RP27), so these run under it as the
 * others do.
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
      const base = `${builder.config.kit.paths.base}/`;
      // Last in the head: on a phone that has the app, the database warm-up above comes first
      // (the screen waits on it; the chunks come from the service worker's cache at once).
      if (!html.includes('</head>')) throw new Error(`${file} has no </head> to preload routes in`);
      const entry = [...html.matchAll(MODULE_PRELOAD)].map(
        ([, href]) => /** @type {string} */ (href),
      );
      const preloading = html.replace('</head>', `${preloadScript(table, base, entry)}</head>`);
      await writeFile(
        file,
        paintFirst(preloading, file, 'document.documentElement.dataset.skeleton'),
      );
      builder.log.minor(`Route preloads written in ${file} for ${table.length} routes`);
      for (const { file: page } of builder.prerendered.pages.values()) {
        const path = join(pages, page);
        await writeFile(path, paintFirst(await readFile(path, 'utf8'), path));
      }
    },
  };
}
