// Type-aware linting: the rules that catch async bugs, and the import boundaries of DESIGN.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['queues/**/*.ts'],
    rules: restrict([
      { group: ['**/api/**', '**/workers/**', '**/db/**', '**/dashboard/**'], message: 'queues/ is the job contract: no api, workers or db imports.' },
    ]),
  },
  {
    files: ['api/**/*.ts', 'dashboard/**/*.ts'],
    rules: restrict([
      { group: ['**/workers/*/processors/**', '**/workers/*/processor*', '**/workers/main*'], message: 'api/ uses domain logic, never worker processors.' },
    ]),
  },
  {
    files: ['db/**/*.ts'],
    rules: restrict([{ group: ['**/api/**', '**/dashboard/**'], message: 'db/ never imports the API.' }]),
  },
  {
    files: ['workers/**/*.ts'],
    rules: restrict([{ group: ['**/api/*', '!**/api/app*'], message: 'workers/ never imports API internals.' }]),
  },
  {
    // Migrations are frozen in time and typed Kysely<any>, as Kysely advises.
    files: ['db/migrations/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['*.mjs', '*.config.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
);
