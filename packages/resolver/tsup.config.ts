import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // The built-in harness's version (pinned by the lock) is inlined from @agentlang/harness/version,
  // a module of one constant: the resolver does not depend on the harness at run time (installing
  // it would pull the harness's dependencies, the MCP SDK's HTTP servers among them). The two are
  // released together (a "fixed" group in .changeset/config.json), so the inlined value is the
  // version of the harness released with this resolver.
  noExternal: [/^@agentlang\/harness\/version$/],
});
