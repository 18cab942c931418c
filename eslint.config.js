// Lint rules, including the layering of ../shared/ARCHITECTURE.md: imports may only point down the table.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const shells = ['**/cli/**', '**/electron/**', '**/renderer/**'];
const shellsAndUi = [...shells, 'electron', 'react', 'react-dom', 'zustand', 'react-i18next'];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

/** Import paths that reach a core folder from any file one or two levels inside core. */
const coreFolders = (names) => names.flatMap((n) => [`**/core/${n}/**`, `../${n}/**`, `../../${n}/**`]);
/** core/modes except the plan-level profiles. */
const exceptProfiles = ['modes', '!modes/profile.js', '!modes/profiles.js', '!modes/*/profile.js'];

function coreLayers(layers) {
  const paths = (names) =>
    names.flatMap((n) => (n.startsWith('!') ? [`!**/core/${n.slice(1)}`, `!../${n.slice(1)}`, `!../../${n.slice(1)}`] : coreFolders([n])));
  return [
    {
      files: ['core/**/*.ts'],
      rules: {
        '@typescript-eslint/no-restricted-imports': [
          'error',
          { patterns: [{ group: shellsAndUi, message: 'core/ is plain Node: it never imports a shell (cli, electron, renderer) or a UI library.' }] },
        ],
      },
    },
    ...Object.entries(layers).map(([folder, { forbid, typesOnly = [] }]) => ({
      files: [`core/${folder}/**/*.ts`],
      rules: {
        '@typescript-eslint/no-restricted-imports': [
          'error',
          {
            patterns: [
              { group: [...shellsAndUi, ...paths(forbid)], message: `core/${folder} may not import that layer (ARCHITECTURE.md: imports point down the table).` },
              ...(typesOnly.length
                ? [{ group: paths(typesOnly), allowTypeImports: true, message: `core/${folder} may import only types from ${typesOnly.join(', ')}.` }]
                : []),
            ],
          },
        ],
      },
    })),
  ];
}

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
  // core/: each folder may import only the folders below it (ARCHITECTURE.md). Listed as what each may NOT
  // import, so a new folder is caught by the first line below until it gets its own entry.
  ...coreLayers({
    common: { forbid: ['plan', 'ssh', 'preflight', 'tools', 'install', 'outputs', 'modes', 'api'] },
    // The one way up: the modes' plan-level profiles (plain data; see the profile entry below).
    plan: { forbid: ['ssh', 'preflight', 'tools', 'install', 'outputs', 'api', ...exceptProfiles] },
    ssh: { forbid: ['preflight', 'tools', 'install', 'outputs', 'modes', 'api'] },
    tools: { forbid: ['ssh', 'preflight', 'install', 'outputs', 'modes', 'api'] },
    preflight: { forbid: ['tools', 'install', 'outputs', 'api', ...exceptProfiles] },
    outputs: { forbid: ['preflight', 'tools', 'install', 'modes', 'api'] },
    // install gets preflight's report type for its gate; the run itself is handed in by core/api.
    install: { forbid: ['modes', 'api'], typesOnly: ['preflight'] },
    modes: { forbid: ['api'] },
    // The offline bundle reads the catalog and the release's tree; it never connects anywhere itself.
    bundle: { forbid: ['ssh', 'preflight', 'tools', 'install', 'outputs', 'api', ...exceptProfiles] },
  }),
  {
    // A mode's profile is read by core/plan and core/preflight, so it sits below them: core/common, and
    // only types of core/plan — never its own mode's steps.
    files: ['core/modes/profile.ts', 'core/modes/profiles.ts', 'core/modes/*/profile.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...shellsAndUi, ...coreFolders(['ssh', 'preflight', 'tools', 'install', 'outputs', 'api']), './index.js', '../index.js', '**/descriptor.js'], message: 'A mode profile imports only core/common and types of core/plan.' },
            { group: coreFolders(['plan']), allowTypeImports: true, message: 'A mode profile imports only types of core/plan (core/plan reads profiles).' },
          ],
        },
      ],
    },
  },
  {
    files: ['cli/**/*.ts', 'electron/**/*.ts'],
    rules: restrict(
      ['**/core/plan/**', '**/core/ssh/**', '**/core/preflight/**', '**/core/install/**', '**/core/tools/**', '**/core/outputs/**', '**/core/modes/**', '**/core/bundle/**', '**/renderer/**'],
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
              group: ['**/core/**/*.js', '**/core/**/*.ts', '!**/core/api/types.js', '!**/core/api/messages.js', '!**/core/api/format.js', '**/cli/**', '**/electron/**', 'node:*', 'ssh2', 'fs', 'path', 'child_process'],
              message: 'The renderer talks only to window.installer; it may import only the API types (core/api/types), messages and formatters (core/api/format).',
            },
          ],
        },
      ],
    },
  },
);
