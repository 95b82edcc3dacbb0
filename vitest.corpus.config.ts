import { defineConfig } from 'vitest/config';

// The corpus end to end (triage and four runbooks through the binary on 30 clusters, ~3 min on 2
// cores): `npm run test:corpus`, run by CI after `npm test`. The pure judgement on the same corpus
// is part of `npm test` (test/unit/diagnosis-corpus.test.ts).
export default defineConfig({
  test: {
    include: ['test/corpus/corpus-runs.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Builds dist/ first when src/ is newer, so no test runs an old build (test/support/fresh-build.ts).
    globalSetup: ['test/support/fresh-build.ts'],
    pool: 'forks',
    maxWorkers: 2,
  },
});
