// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import svelteConfig from './svelte.config.js';

/** Packages are the pure core: no platform APIs, no shells (CONVENTIONS "One direction of dependency"). */
const packageBoundaries = {
  files: ['packages/**/*.ts'],
  ignores: ['**/*.test.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['node:*'], message: 'packages/* must not use Node APIs: pass them in.' },
          {
            group: ['ws', 'svelte', 'svelte/*', '$app/*', '$lib/*'],
            message: 'packages/* stay platform-free.',
          },
          {
            group: ['**/web/**', '**/relay/**', 'djamms-relay', 'djamms-relay/*'],
            message: 'packages/* never import from web/ or relay/.',
          },
        ],
      },
    ],
  },
};

/** The web app and the relay meet only through packages/* (CONVENTIONS "One direction"). */
const shellBoundaries = [
  {
    files: ['web/**/*.ts', 'web/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/relay/**', 'djamms-relay', 'djamms-relay/*'],
              message: 'web/ never imports from relay/: share it through packages/*.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['relay/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/web/**', '$lib/*', '$app/*'],
              message: 'relay/ never imports from web/: share it through packages/*.',
            },
          ],
        },
      ],
    },
  },
];

/** The web app runs in browsers (and its service worker in a worker). */
const webApp = [
  ...svelte.configs.recommended,
  {
    files: ['web/**/*.ts', 'web/**/*.svelte'],
    ignores: ['web/scripts/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // The app is served at the origin root (paths.base is ''), so plain hrefs are resolved.
      'svelte/no-navigation-without-resolve': 'off',
      // Rune state here is $state.raw snapshots rebuilt from the documents; the Maps in these
      // modules are caches and lookups, never state the UI observes.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    files: ['web/service-worker.ts'],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
  },
];

/** The model and the wire vocabulary run anywhere: no DOM, Node or timer globals. */
const platformFree = {
  files: ['packages/venue/**/*.ts', 'packages/protocol/**/*.ts'],
  ignores: ['**/*.test.ts'],
  rules: {
    'no-restricted-globals': [
      'error',
      ...[
        'window',
        'document',
        'navigator',
        'localStorage',
        'sessionStorage',
        'indexedDB',
        'location',
        'self',
        'process',
        'Buffer',
        'setTimeout',
        'setInterval',
      ].map((name) => ({
        name,
        message: 'packages/* are pure: no DOM, Node or timer globals; pass them in.',
      })),
    ],
  },
};

/** The venue model takes its clock and random source as arguments. */
const pureModel = {
  files: ['packages/venue/src/**/*.ts'],
  ignores: ['**/*.test.ts'],
  rules: {
    'no-restricted-properties': [
      'error',
      { object: 'Date', property: 'now', message: 'Use the clock passed in.' },
      { object: 'Math', property: 'random', message: 'Use the random source passed in.' },
    ],
    'no-restricted-syntax': [
      'error',
      {
        selector: "NewExpression[callee.name='Date'][arguments.length=0]",
        message: 'Use the clock passed in.',
      },
    ],
  },
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'build/',
      'relay/dist/',
      '.svelte-kit/',
      'data/',
      'coverage/',
      '**/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  packageBoundaries,
  ...shellBoundaries,
  platformFree,
  pureModel,
  ...webApp,
  prettier,
  ...svelte.configs.prettier,
);
