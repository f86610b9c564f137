// @ts-check
import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** The web app: a single-page app with an SPA fallback that the relay (or any static host) serves. */
/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    files: {
      routes: 'web/routes',
      lib: 'web/lib',
      appTemplate: 'web/app.html',
      serviceWorker: 'web/service-worker.ts',
      assets: 'static',
    },
    // One script and one stylesheet: fewer requests through the service worker on every open.
    output: { bundleStrategy: 'single' },
    // Registered by the app (virtual:pwa-register) so updates wait for a track boundary.
    serviceWorker: { register: false },
  },
};

export default config;
