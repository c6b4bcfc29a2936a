import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration files wait on DynamoDB Local most of the time: more workers than cores keeps both busy.
    maxWorkers: 3,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'threads' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/support/integration-setup.ts'],
          globalSetup: ['test/support/table-access-setup.ts'],
          // Generous: the heavy evidence files share the 2 cores with everything else in CI.
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
