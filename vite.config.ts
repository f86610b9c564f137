import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { defineConfig } from 'vite';

const FRAMEWORK = /node_modules\/(svelte|@sveltejs\/kit|esm-env|devalue|clsx)\//;

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
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
      },
      kit: { spa: true, adapterFallback: 'shell.html', includeVersionFile: true },
    }),
  ],
});
