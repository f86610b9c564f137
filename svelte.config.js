// @ts-check
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { withRoutePreload } from './web/scripts/route-preload.js';

/** The web app: a single-page app with an SPA fallback that the relay (or any static host) serves. */
/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // The SPA shell is not index.html: that is the prerendered home page (web/routes/+page.ts).
    // The shell preloads the opened route's chunks beside the entry (web/scripts/route-preload.js).
    adapter: withRoutePreload(
      adapter({ pages: 'build', assets: 'build', fallback: 'shell.html', strict: true }),
      { pages: 'build', fallback: 'shell.html' },
    ),
    files: {
      routes: 'web/routes',
      lib: 'web/lib',
      appTemplate: 'web/app.html',
      serviceWorker: 'web/service-worker.ts',
      // Build-time only: it puts the screens' skeletons in the shell.
      hooks: { server: 'web/hooks.server' },
      assets: 'static',
    },
    // The home page's and the shell's stylesheets (a few KB) go in the HTML: nothing blocks paint.
    inlineStyleThreshold: 4096,
    // Split by route: a first visit loads only its route's chunks (the home page does not load
    // the admin console or the player); the service worker precaches every chunk for offline use.
    output: { bundleStrategy: 'split' },
    // Registered by the app (virtual:pwa-register) so updates wait for a track boundary.
    serviceWorker: { register: false },
  },
};

export default config;
