// Type-aware linting: the rules that catch async bugs, and the layering (README "Layout").
// Arrows point down: api/ -> workers/ -> queues/, db/; dashboard/ -> queues/. main.ts and
// migrate.ts, the composition root, may import every layer. The boundaries are plain
// no-restricted-imports, one block per folder, matching relative imports that climb into a
// folder they must not see (so a package such as @bull-board/api never matches).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Relative imports into any of these top-level folders. */
const into = (...folders) => `^(\\.\\./)+(${folders.join('|')})/`;

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
    rules: restrict([{ regex: into('api', 'workers', 'db', 'dashboard'), message: 'queues/ is the job contract a producer uses alone: no api, workers, db or dashboard imports.' }]),
  },
  {
    files: ['db/**/*.ts'],
    rules: restrict([{ regex: into('api', 'workers', 'queues', 'dashboard'), message: 'db/ is the bottom layer: no api, workers, queues or dashboard imports (the migrate CLI is migrate.ts).' }]),
  },
  {
    files: ['workers/**/*.ts'],
    rules: restrict([{ regex: into('api', 'dashboard'), message: 'workers/ never imports api/ or dashboard/: the composition root (main.ts) hands the app to the runtime, and routes are mapped in api/families.ts.' }]),
  },
  {
    // The core is below the families: it names no family's folder (what the retention purge
    // of every family is, workers/retention/category.ts, is the one shared type).
    files: ['workers/core/**/*.ts'],
    rules: restrict([
      { regex: into('api', 'dashboard'), message: 'workers/ never imports api/ or dashboard/.' },
      { regex: '^\\.\\./(?!\\.\\./|retention/category\\.js$)[^/]+/', message: 'workers/core/ is below the families: a family adds to Deps, config and the lists through its family.ts, never the other way.' },
    ]),
  },
  {
    files: ['dashboard/**/*.ts'],
    rules: restrict([{ regex: into('api', 'workers', 'db'), message: 'dashboard/ sees the queues only (its audit middleware is api/dashboard-audit.ts).' }]),
  },
  {
    files: ['api/**/*.ts'],
    rules: restrict([
      {
        regex: `${into('workers')}(main|runtime|resources|roles|handlers|due-work|core/(job-runner|reconciler|schedules))\\.js$`,
        message: 'api/ calls domain code, never the worker machinery (runtime, handler map, job runner, reconciler, schedules).',
      },
      {
        regex: `${into('workers')}(families|[^/]+/family)\\.js$`,
        allowTypeImports: true,
        message: 'api/ may name the families (types), not load their manifests: routes come from api/families.ts.',
      },
    ]),
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
