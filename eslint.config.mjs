// ESLint flat config: typescript-eslint recommended rules for the hand-written code. Generated L1 classes
// (constructs/imports), synthesized output and build output are not linted.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['constructs/imports/**', 'dist/**', 'lib/**', 'node_modules/**', '.jest-cache/**', 'bench/out/**', 'scratch/**', 'build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Manifests and upstream schemas are untyped JSON; `any` is the honest type at those edges.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': ['error', { allow: ['@pulumi/pulumi/runtime/settings'] }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly' } },
  },
);
