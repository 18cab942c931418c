// Lint rules, including the layering of ../shared/ARCHITECTURE.md: imports may only point down the table.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const shells = ['**/cli/**', '**/electron/**', '**/renderer/**'];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'dist-renderer/**', 'node_modules/**', 'test-results/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: restrict(
      [...shells, 'electron', 'react', 'react-dom', 'zustand', 'react-i18next'],
      'core/ is plain Node: it never imports a shell (cli, electron, renderer) or a UI library.',
    ),
  },
  {
    files: ['core/plan/**/*.ts'],
    rules: restrict(
      [...shells, '**/core/ssh/**', '**/core/preflight/**', '**/core/install/**', '**/core/tools/**', '**/core/outputs/**', '**/core/api/**', '../ssh/**', '../preflight/**', '../install/**', '../tools/**', '../outputs/**', '../api/**', 'electron', 'react'],
      'core/plan imports nothing else of core.',
    ),
  },
  {
    files: ['core/ssh/**/*.ts', 'core/tools/**/*.ts'],
    rules: restrict(
      [...shells, '**/core/install/**', '**/core/api/**', '**/core/preflight/**', '**/install/**', '**/api/**', 'electron', 'react'],
      'core/ssh and core/tools may import only core/plan (and tools: nothing of ssh).',
    ),
  },
  {
    files: ['cli/**/*.ts', 'electron/**/*.ts'],
    rules: restrict(
      ['**/core/plan/**', '**/core/ssh/**', '**/core/preflight/**', '**/core/install/**', '**/core/tools/**', '**/core/outputs/**', '**/renderer/**'],
      'A shell reaches core only through core/api.',
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**/*.js', '**/core/**/*.ts', '!**/core/api/types.js', '!**/core/api/messages.js', '**/cli/**', '**/electron/**', 'node:*', 'ssh2', 'fs', 'path', 'child_process'],
              message: 'The renderer talks only to window.installer; it may import only the API types (core/api/types).',
            },
          ],
        },
      ],
    },
  },
);
