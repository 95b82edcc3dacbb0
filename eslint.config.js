// Type-checked typescript-eslint rules (strictTypeChecked over src/, recommendedTypeChecked over
// test/), and the layering rules of src/.
import tseslint from 'typescript-eslint';

// The layers: the core (what decides and records) never reaches up into the command line or the
// terminal views; views only shape what they are given. Type-only imports are checked too for the
// core, and allowed for views (a view may name the core's types). test/unit/layering-rules.test.ts
// checks that these rules catch a bad import.
const CORE = [
  'src/engine/**',
  'src/incident/**',
  'src/timeline/**',
  'src/runbook/**',
  'src/diagnosis/**',
  'src/config/**',
  'src/secrets/**',
  'src/postmortem/**',
  'src/store/**',
  'src/*.ts',
];
const upward = {
  group: ['**/cli', '**/cli/**', '**/render', '**/render/**', '**/main.js'],
  message: 'The core never imports the command line (src/cli) or the views (src/render): return a value and let cli/ show it.',
};
// Modules with side effects (files, processes, the cluster, prompts), kept out of the views so a
// view is a function of its input, testable without a disk or a terminal.
const sideEffects = [
  {
    group: ['**/adapters/**', '**/cli/**', '**/main.js'],
    message: 'A view (src/render) does no I/O: the caller passes what the adapter or the command read.',
  },
  {
    group: [
      '**/store.js',
      '**/lock.js',
      '**/artifacts.js',
      '**/open.js',
      '**/policy-file.js',
      '**/runbook/files.js',
      '**/runbook/catalog.js',
      '**/runbook/listing.js',
      '**/config/config.js',
      '**/doc-cache.js',
      '**/paths.js',
      '**/engine/run.js',
      '**/engine/leftovers.js',
      '**/diagnosis/read.js',
    ],
    message: 'This core module reads or writes state: a view (src/render) takes the data it shows as arguments.',
  },
  {
    group: [
      'node:fs',
      'node:fs/*',
      'fs',
      'fs/*',
      'node:child_process',
      'child_process',
      'node:net',
      'node:http',
      'node:https',
      'execa',
      '@kubernetes/client-node',
      '@inquirer/prompts',
      'yaml',
      'zod',
    ],
    message: 'A view (src/render) does no I/O and parses nothing: it formats what it is given.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'bin/**',
      'dist/**',
      'schema/**',
      'node_modules/**',
      'coverage/**',
      'bench/**',
      'scripts/**',
      'eslint.config.js',
      'vitest.config.ts',
      'vitest.corpus.config.ts',
    ],
  },
  // The product code gets the strict set: each exception below says why.
  {
    files: ['src/**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    rules: {
      // `${count} steps` reads better than `${String(count)} steps`; numbers print predictably.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(x) => void f(x)`-style one-liners (callbacks, handlers) say what they mean; blocks still checked.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    // The Kubernetes API types claim fields are always present, but recorded and real API objects
    // omit them: the "unnecessary" checks here are what keeps a sparse object from crashing a run.
    files: ['src/adapters/**', 'src/diagnosis/**', 'src/engine/native.ts', 'src/engine/native-check.ts'],
    rules: { '@typescript-eslint/no-unnecessary-condition': 'off' },
  },
  // Tests stay on the recommended set (plus the overrides below): they read untyped JSON and CLI
  // output, where the strict rules would ask for a cast on every line without catching bugs.
  { files: ['test/**/*.ts'], extends: [...tseslint.configs.recommendedTypeChecked] },
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: CORE,
    ignores: ['src/main.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [upward] }] },
  },
  {
    files: ['src/render/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: sideEffects.map((p) => ({ ...p, allowTypeImports: true })) }],
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Fakes implement async interfaces without awaiting anything.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      'no-console': 'off',
    },
  },
);
