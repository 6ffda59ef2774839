// One ESLint configuration for every npm workspace (see package.json "workspaces"): typescript-eslint's strict
// rules everywhere, type-aware for TypeScript (each file is checked against its own workspace tsconfig through
// the TypeScript project service), syntax-only for JavaScript (the conformance suites have no tsconfig).
// Formatting is Prettier's alone: eslint-config-prettier comes late and turns off the rules it owns.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import reactRefresh from 'eslint-plugin-react-refresh';
import security from 'eslint-plugin-security';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // What .gitignore keeps out of git: installs, local state, builds, test output.
  globalIgnores(['.venv/', '.tools/', '.shop/', '**/dist/', '**/build/', '**/test-results/', '**/e2e/screenshots/']),

  {
    name: 'shop/all',
    files: ['**/*.{js,mjs,cjs,ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.strict],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names are deliberately unused (a required parameter, a skipped tuple element).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  // Security rules (eval, child processes, unsafe regular expressions, non-literal fs paths ...): a finding is
  // fixed or carries an inline disable with its reason.
  {
    name: 'shop/security',
    files: ['**/*.{js,mjs,cjs,ts,tsx}'],
    extends: [security.configs.recommended],
    rules: {
      // Fires on every `obj[key]` with a variable key; in TypeScript the key's type already says which keys
      // can reach there, so the rule is noise that would bury the findings that matter.
      'security/detect-object-injection': 'off',
    },
  },
  {
    // Tests, benches, build scripts and test servers read and write the files they create under temporary
    // folders, and tests build their expected patterns from their own constants.
    name: 'shop/security-tooling',
    files: [
      '**/{test,__tests__,scripts,conformance-node,floor}/**/*.{js,mjs,cjs,ts,tsx}',
      '**/*.test.{js,mjs,cjs,ts,tsx}',
    ],
    rules: { 'security/detect-non-literal-fs-filename': 'off', 'security/detect-non-literal-regexp': 'off' },
  },
  {
    name: 'shop/typescript-type-aware',
    files: ['**/*.{ts,tsx}'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers and booleans in template literals read naturally (`${count} items`); objects still may not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // node:test's describe/it return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'suite', 'test'] },
          ],
        },
      ],
    },
  },

  // Node: the order service, the conformance suites, the contract gate's TypeScript consumer tests, the load
  // floor's Node side, and the frontend's tooling, tests and e2e journeys.
  {
    name: 'shop/node',
    files: [
      'services/order/**',
      'contract-tests/consumers/ts/**',
      'emulators/*/conformance-node/**',
      'loadtests/floor/**',
      'eslint.config.mjs',
      'services/frontend/{scripts,test,e2e}/**',
      'services/frontend/*.config.ts',
    ],
    languageOptions: { globals: globals.node },
  },

  // The storefront in the browser: React hooks and Fast Refresh rules.
  {
    name: 'shop/frontend-browser',
    files: ['services/frontend/{src,public,test}/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    name: 'shop/frontend-react',
    files: ['services/frontend/src/**/*.{ts,tsx}', 'services/frontend/test/**/*.tsx'],
    extends: [reactHooks.configs.flat['recommended-latest'], reactRefresh.configs.vite],
    rules: {
      // useLoad(loader, deps) takes deps like useCallback: check them at every call site the same way.
      'react-hooks/exhaustive-deps': ['error', { additionalHooks: '^useLoad$' }],
    },
  },

  prettier,
  {
    name: 'shop/braces',
    files: ['**/*.{js,mjs,cjs,ts,tsx}'],
    // A statement that Prettier wraps below its `if` gets braces (eslint-config-prettier turns `curly` off;
    // this setting never fights Prettier, which leaves braces alone).
    rules: { curly: ['error', 'multi-line'] },
  },
);
