import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    setupFiles: ['tests/support/verify-updates.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // 2 cores: more forks only fight over CPU with FerretDB and Redis.
    pool: 'forks',
    // One file at a time: the heavy files (1,000 concurrent opens, storms, browsers) already use both
    // cores. (Two at a time once wedged FerretDB: its PostgreSQL pool deadlock, now prevented by the
    // pool sizes in app/services/ferretdb.ts and guarded by tests/app/ferretdb-pool.test.ts.)
    maxWorkers: 1,
  },
});
