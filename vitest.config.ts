import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Builds dist/ first when src/ is newer, so no test runs an old build (test/support/fresh-build.ts).
    globalSetup: ['test/support/fresh-build.ts'],
    // Integration tests start servers and CLIs; two workers suit a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
