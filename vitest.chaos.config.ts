import { defineConfig } from 'vitest/config';

// The chaos suite (npm run test:chaos): the real processes of the Procfile as child processes,
// a real SMSC on loopback, faults injected while they work. One file at a time: each loads the machine.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
