import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling/test-helpers'],
    globalSetup: ['./tooling/test-helpers/leak-check.js'],
    reporters: ['default', './tooling/test-helpers/summary-reporter.js'],
  },
});
