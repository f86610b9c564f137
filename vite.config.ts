import { readFileSync } from 'node:fs';
import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { defineConfig, type Plugin } from 'vite';
import { compileHints } from './web/scripts/compile-hints';

const FRAMEWORK = /node_modules\/(svelte|@sveltejs\/kit|esm-env|devalue|clsx)\//;

/**
 * Client files the service worker does not precache. Every device installs the precache, guests'
 * phones included, so what one admin task loads on demand stays out: the tag reader
 * (`web/lib/media/tag-reader.ts`, music-metadata and its format parsers). An admin's browser fetches
 * it on first use and keeps it in its HTTP cache (immutable names).
 */
const notPrecached: string[] = [];

/**
 * Fills {@link notPrecached} with the client chunks only the chunk `name` reaches (by static and
 * dynamic imports), read from the client build's manifest. It runs as the server build closes:
 * SvelteKit has built the client by then (in a build of its own, with its own copy of this config),
 * and the service worker is written right after, from the same `globIgnores` array.
 */
function notPrecachedChunks(name: string): Plugin {
  let ssr = false;
  return {
    name: 'djamms-not-precached',
    configResolved: (config) => void (ssr = !!config.build.ssr),
    closeBundle: {
      order: 'pre',
      sequential: true,
      handler() {
        if (!ssr) return;
        type Chunk = { file: string; name?: string; isEntry?: boolean } & Record<
          'imports' | 'dynamicImports',
          string[] | undefined
        >;
        const manifest = JSON.parse(
          readFileSync('.svelte-kit/output/client/.vite/manifest.json', 'utf8'),
        ) as Record<string, Chunk>;
        const keys = Object.keys(manifest);
        /** Keys reachable from `roots`, never through `avoid`. */
        const reach = (roots: string[], avoid: Set<string>) => {
          const seen = new Set<string>();
          const walk = (key: string) => {
            const chunk = manifest[key];
            if (!chunk || seen.has(key) || avoid.has(key)) return;
            seen.add(key);
            [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])].forEach(walk);
          };
          roots.forEach(walk);
          return seen;
        };
        const roots = keys.filter((k) => manifest[k]!.name === name);
        const needed = reach(
          keys.filter((k) => manifest[k]!.isEntry),
          new Set(roots),
        );
        for (const key of reach(roots, needed)) notPrecached.push(`client/${manifest[key]!.file}`);
      },
    },
  };
}

/** The web app's build: SvelteKit plus the injectManifest service worker (web/service-worker.ts). */
export default defineConfig({
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  // Chunks by route, but few of them: a first visit over HTTP/1.1 pays a round trip per file, so
  // the runtime every route needs is one chunk and chunks under 20 KB are merged where they can be.
  build: {
    rollupOptions: {
      output: {
        experimentalMinChunkSize: 20_000,
        manualChunks: (id) => (FRAMEWORK.test(id) ? 'framework' : undefined),
      },
    },
  },
  plugins: [
    sveltekit(),
    notPrecachedChunks('tag-reader'),
    compileHints(),
    SvelteKitPWA({
      strategies: 'injectManifest',
      srcDir: 'web',
      filename: 'service-worker.ts',
      registerType: 'prompt',
      // Absolute: the worker must register from any route (/pair/…, /v/…), not relative to it.
      base: '/',
      scope: '/',
      injectRegister: false,
      manifest: false,
      injectManifest: {
        globPatterns: [
          'client/**/*.{js,css,html,svg,png,webmanifest,json}',
          'prerendered/**/*.html',
        ],
        globIgnores: notPrecached,
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
      },
      kit: { spa: true, adapterFallback: 'shell.html', includeVersionFile: true },
    }),
  ],
});
