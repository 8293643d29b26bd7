import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Training tests run real models on 2 shared cores; a step budget, not a clock, keeps them short.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
