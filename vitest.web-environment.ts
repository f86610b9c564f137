import { builtinEnvironments, type Environment } from 'vitest/runtime';

/**
 * Node, with modules transformed as the browser gets them: the Svelte plugin compiles rune modules
 * (`*.svelte.ts`) for the client, and packages resolve their `browser` entry points. The app never
 * runs Svelte's server build (SSR is off), so its tests should not either. Browser APIs a test needs
 * it provides itself, so each test says what it stands on.
 */
export default {
  ...builtinEnvironments.node,
  name: 'web',
  viteEnvironment: 'client',
} satisfies Environment;
