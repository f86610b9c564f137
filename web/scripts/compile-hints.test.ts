import { rollup, type Plugin } from 'rollup';
import { describe, expect, it } from 'vitest';
import { COMPILE_HINT, compileHints } from './compile-hints';

/** Modules by absolute id, as Vite names them: the framework, the sync code, a screen, a tool. */
const SOURCES: Record<string, string> = {
  '/app/web/entry.js': `import { mount } from '/app/node_modules/svelte/src/index.js';
    import { open } from '/app/web/lib/sync/session.js';
    export const start = () => mount(open());
    export const tag = () => import('/app/node_modules/music-metadata/lib/core.js');`,
  '/app/node_modules/svelte/src/index.js': 'export const mount = (x) => [x];',
  '/app/web/lib/sync/session.js': 'export const open = () => ({ venue: 1 });',
  '/app/node_modules/music-metadata/lib/core.js': 'export const read = () => "tags";',
};

/** The real bundler over {@link SOURCES}, with the plugin; each chunk's code by its modules. */
async function build(): Promise<Map<string, string>> {
  const sources: Plugin = {
    name: 'sources',
    resolveId: (id) => (id in SOURCES ? id : null),
    load: (id) => SOURCES[id] ?? null,
  };
  const hints = compileHints();
  const bundle = await rollup({ input: '/app/web/entry.js', plugins: [sources, hints as Plugin] });
  // Each module a chunk of its own, to see which ones get the hint.
  const { output } = await bundle.generate({ preserveModules: true });
  const chunks = new Map<string, string>();
  for (const file of output) {
    if (file.type === 'chunk') chunks.set(file.moduleIds.join(','), file.code);
  }
  return chunks;
}

describe('compile hints', () => {
  it('marks chunks of framework and sync code on their first line, and nothing else', async () => {
    const chunks = await build();
    const hinted = (id: string) => chunks.get(id)?.startsWith(`${COMPILE_HINT}\n`);
    expect(hinted('/app/node_modules/svelte/src/index.js')).toBe(true);
    expect(hinted('/app/web/lib/sync/session.js')).toBe(true);
    expect(hinted('/app/web/entry.js')).toBe(false);
    expect(hinted('/app/node_modules/music-metadata/lib/core.js')).toBe(false);
    // Once, whatever else the chunk holds.
    expect(chunks.get('/app/web/lib/sync/session.js')!.split(COMPILE_HINT)).toHaveLength(2);
  });
});
