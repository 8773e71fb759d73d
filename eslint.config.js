import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.data/', 'coverage/', 'test/graphql/generated.ts', 'client/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
    },
  },
  {
    // Entry points and command-line tools print for people.
    files: ['src/main.ts', 'scripts/**/*.{ts,mjs}', 'src/cli/**/*.ts', 'bench/**/*.ts', 'chaos/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Browser code: the pages and the sandbox's checkout.js stand-in.
    files: ['web/**/*.{ts,tsx}', 'src/**/*.browser.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
