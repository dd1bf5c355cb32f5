import { defineConfig } from 'tsup';

// One bundled ESM entry with every @agentlang package inlined and each command split into its own
// chunk: `agentlang validate` loads only what validate needs (start-up is a measured target).
export default defineConfig({
  entry: { agentlang: 'src/main.ts' },
  format: ['esm'],
  splitting: true,
  clean: true,
  sourcemap: false,
  minify: false,
  target: 'node20',
  platform: 'node',
  noExternal: [/.*/],
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __agentlangCreateRequire } from 'node:module';\nconst require = __agentlangCreateRequire(import.meta.url);" },
});
