/**
 * ESLint for the whole repository (`npm run lint`, part of `npm test`): typescript-eslint's recommended rules
 * (the syntactic set, not the type-checked one, so linting stays a matter of seconds; `npm run typecheck` does the
 * type work), the rules of hooks for the React renderer, and the layering of STYLE.md (eslint/layering.js).
 * test/lint.test.ts checks that the layering rules still fire.
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import hnet from './eslint/layering.js';

export default defineConfig(
  globalIgnores(['dist/', 'out/', 'coverage/', 'test-results/', 'playwright-report/', '.hnet-runs/', 'scratch/', 'tmp/', '**/*.generated.ts']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // A disable comment that no longer disables anything is an error, so none outlives its reason.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a parameter or binding kept for its position; `{ dropped: _, ...rest }` copies without a key.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // A `let` that a callback made earlier reads, assigned once later (a run's own entry, once made), stays a let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  // Where code runs decides its globals: Node for the main process, tools and tests; the browser for the renderer;
  // none for src/shared, which runs in both (its tests run in Node).
  {
    files: ['**/*.{js,mjs,ts,tsx}'],
    ignores: ['src/shared/**'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src/shared/**/*.test.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src/renderer/**', 'test/e2e/**', 'bench/canvas.ts'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  // End-to-end specs wait for what a sleep would stand for; a fixed sleep is too short on a loaded machine and
  // wasted time on an idle one.
  {
    files: ['test/e2e/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { property: 'waitForTimeout', message: 'wait for the condition instead: expect(locator).toHaveText(...), expect.poll(...), expect(...).toPass() or page.waitForFunction(...)' },
      ],
    },
  },
  // Layering: imports flow one way (STYLE.md). Tests run in Node next to the code and are not layered.
  {
    files: ['src/**/*.{ts,tsx,mts,mjs}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    plugins: { hnet },
    rules: { 'hnet/layering': 'error' },
  },
  {
    files: ['src/shared/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'process', 'require', 'Buffer'].map((name) => ({
          name,
          message: 'src/shared is pure TypeScript: no platform globals (pass what the code needs in)',
        })),
      ],
    },
  },
);
