import { defineConfig } from 'tsup';

export default defineConfig({
  // `version` is its own entry (the `@agentlang/harness/version` subpath): the resolver reads the
  // harness's version from it without loading the harness. No code splitting, so dist/version.js
  // imports nothing.
  entry: ['src/index.ts', 'src/version.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  splitting: false,
  target: 'node20',
});
