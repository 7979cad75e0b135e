// @ts-check
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * ESLint for the whole repo (`npm run lint`). TypeScript itself already enforces most of the house
 * style (strict, noUnused*, verbatimModuleSyntax), so this adds what the compiler cannot see:
 * promises nobody awaits, `any` leaking out of JSON, and the conventions below. Formatting is
 * Prettier's job, not ESLint's.
 */
export default defineConfig(
  globalIgnores([
    'dist/',
    'test-results/',
    'playwright-report/',
    'bench/results.json',
    // A stand-in app, type-checked against the packed package inside its temporary install
    // (tests/package); here in the repo its `sw-auth-proxy/*` references do not all resolve.
    'tests/package/consumer/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig that owns it (sw/ with WebWorker, client/ with DOM, …).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only (house style: small explicit entry files).' },
        {
          selector: 'TSEnumDeclaration[const=true]',
          message: 'Use a string-literal union: Vite compiles files one by one, so const enums break.',
        },
      ],
      // `_`-prefixed parameters are the documented way to say "unused on purpose".
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Event listeners and timers are given async functions on purpose; their rejections are handled inside.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      // Template literals with numbers are everywhere in messages and URLs; still refuse objects and `any`.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // The code writes `list[i]!` as if `noUncheckedIndexedAccess` were on; this rule would strip those.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // `interface AuthProxy` + `class AuthProxy extends EventTarget` is how typed event maps are declared.
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      // An `async` function without `await` still turns a throw into a rejection, which callers rely on.
      '@typescript-eslint/require-await': 'off',
      // `declare global { namespace X }` is how a classic script's global gets its types.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
    },
  },
  {
    // Tests and benches read JSON (`any`), build deliberately odd promises and inspect methods; the
    // source may not.
    files: ['tests/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      // `expect(object.method)` passes methods around without calling them.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Tool configs are loaded by their tools, which expect a default export.
    files: ['*.config.{js,ts}', '**/*.config.{js,ts}'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Apps a user copies, linted here without types: their `sw-auth-proxy/*` imports resolve only
    // in the temporary install where tests/package/examples.spec.ts type-checks each of them.
    files: ['examples/**'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // A `declare global` needs `var` to put a name on `globalThis`.
    files: ['**/*.d.ts'],
    rules: { 'no-var': 'off' },
  },
);
