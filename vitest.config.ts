import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Each file has its own database and queue prefix (test/helpers/context.ts). The files share
    // their worker process (no isolation): importing the platform's modules afresh in a new
    // process for each of 114 files was most of the suite's CPU. What a file starts it must stop
    // (its context stops its runtimes, and with them the process-wide validation pool).
    pool: 'forks',
    isolate: false,
    // Vitest's default is one fewer than the cores: on the 2-core CI machine, one file at a time.
    // The files wait on Postgres, Redis and child processes most of the time; two at once took
    // the suite from about 370 s to 250 s there.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
  },
});
