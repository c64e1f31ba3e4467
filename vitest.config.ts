import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // 2 cores: more forks only fight over CPU with FerretDB and Redis.
    pool: 'forks',
    maxWorkers: 2,
  },
});
