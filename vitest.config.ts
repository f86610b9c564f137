import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/**
 * Two projects in one run. `node`: the model, the relay and the cross-package suites, as before.
 * `web`: the app's unit tests, with the Svelte plugin so rune modules (`*.svelte.ts`) compile, and
 * the `$lib` alias the app uses. Only the web project loads the plugin, so the others stay as fast.
 */
export default defineConfig({
  test: {
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    expect: { requireAssertions: true },
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['packages/**/*.test.ts', 'relay/**/*.test.ts', 'tests/**/*.test.ts'],
          globalSetup: ['./tests/relay/build-relay.setup.ts'],
        },
      },
      {
        extends: true,
        plugins: [svelte()],
        resolve: {
          alias: { $lib: fileURLToPath(new URL('./web/lib', import.meta.url)) },
          // Browser entry points, as the app is built (Vitest's default here is Node's).
          conditions: ['browser', 'development|production'],
        },
        test: {
          name: 'web',
          include: ['web/**/*.test.ts'],
          environment: './vitest.web-environment.ts',
          // Through Vite, so `svelte` resolves to its browser build like the compiled modules do.
          server: { deps: { inline: ['svelte'] } },
        },
      },
    ],
  },
});
