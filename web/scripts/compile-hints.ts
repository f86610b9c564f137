import type { Plugin } from 'vite';

/**
 * Code that runs almost whole as a screen starts: the framework (Svelte and SvelteKit's client)
 * and the venue's sync code (Yjs, its protocols and `web/lib/sync`), which every venue screen and
 * the guest page open at once.
 */
const STARTUP =
  /\/node_modules\/(svelte|@sveltejs\/kit|yjs|lib0|y-protocols|y-websocket)\/|\/web\/lib\/sync\//;

/** V8's explicit compile hint for a whole file (Chromium 136 and later); it must come first. */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad';

/**
 * Marks the client chunks that hold {@link STARTUP} code for eager compilation: their functions are
 * compiled with the file, on a background thread while it streams in, rather than one by one on
 * the main thread as the app first calls them. On a slow phone that lazy compiling was a good part
 * of the app's start, in long tasks that held the page. Other browsers ignore the comment. Runs
 * after every other plugin has written the chunks (minified, preloads resolved).
 */
export function compileHints(): Plugin {
  let ssr = false;
  return {
    name: 'djamms-compile-hints',
    apply: 'build',
    configResolved: (config) => void (ssr = !!config.build.ssr),
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        if (ssr) return;
        for (const chunk of Object.values(bundle)) {
          if (chunk.type !== 'chunk' || !chunk.moduleIds.some((id) => STARTUP.test(id))) continue;
          chunk.code = `${COMPILE_HINT}\n${chunk.code}`;
        }
      },
    },
  };
}
