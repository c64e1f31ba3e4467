import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // 2 cores: more forks only fight over CPU with FerretDB and Redis.
    pool: 'forks',
    // One file at a time: with two, FerretDB 1.24 on PostgreSQL wedged (all its PostgreSQL connections
    // idle, every request waiting) during the 1,000-concurrent-opens test in 2 of 3 full runs.
    maxWorkers: 1,
  },
});
