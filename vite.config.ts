import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { defineConfig } from 'vite';

/** The web app's build: SvelteKit plus the injectManifest service worker (web/service-worker.ts). */
export default defineConfig({
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
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
      kit: { spa: true, includeVersionFile: true },
    }),
  ],
});
