import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, defineConfig, type Options } from 'tsup';

// One bundled ESM entry with every @agentlang package inlined and each command split into its own
// chunk: `agentlang validate` loads only what validate needs (start-up is a measured target:
// ≤ 1.5× `node -e 0`, see tooling/bench/src/suites/100-validate-cold.js).
//
// The validate path is additionally bundled as CommonJS (dist/hot/validate-core.cjs) and given a
// V8 code cache made here, right after the build, by running validate once with
// AGENTLANG_WRITE_CODE_CACHE=1 (see src/hot-load.ts for why and how the cache is checked).

const banner = {
  js: "#!/usr/bin/env node\nimport { createRequire as __agentlangCreateRequire } from 'node:module';\nconst require = __agentlangCreateRequire(import.meta.url);",
};

const hotCore = (outDir: string): Options => ({
  config: false,
  outDir,
  entry: { 'hot/validate-core': 'src/hot/validate-core.ts', 'hot/run-core': 'src/hot/run-core.ts' },
  format: ['cjs'],
  outExtension: () => ({ js: '.cjs' }),
  splitting: false,
  clean: false,
  sourcemap: false,
  target: 'node20',
  platform: 'node',
  noExternal: [/.*/],
  // Fewer bytes to read and hash; names are kept so stack traces stay readable.
  esbuildOptions(options) {
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
  silent: true,
});

/** Runs validate once on a representative agent so the cache holds the functions it compiles. */
function writeCodeCache(outDir: string): void {
  const agent = existsSync('../../examples/research-assistant') ? '../../examples/research-assistant' : '../../examples';
  const result = spawnSync(process.execPath, [`${outDir}/agentlang.js`, 'validate', agent], {
    env: { ...process.env, AGENTLANG_WRITE_CODE_CACHE: '1' },
    encoding: 'utf8',
  });
  if (!existsSync(`${outDir}/hot/validate-core.cjs.cache`)) {
    console.warn(`agentlang: no code cache written (validate exited ${result.status}): ${result.stderr.slice(0, 300)}`);
  }
  // The run path likewise (hot/run-core.cjs): one real run of the seed demo (test-echo in bwrap) in
  // a throw-away directory, so the cache holds resolve, policy, seccomp, spawn and record writing.
  const demo = resolve('../../examples/demo.agent');
  if (existsSync(demo)) {
    const cwd = mkdtempSync(join(tmpdir(), 'agentlang-code-cache-'));
    const run = spawnSync(process.execPath, [resolve(outDir, 'agentlang.js'), 'run', demo], {
      cwd,
      env: { ...process.env, AGENTLANG_WRITE_CODE_CACHE: '1' },
      encoding: 'utf8',
    });
    rmSync(cwd, { recursive: true, force: true });
    if (!existsSync(`${outDir}/hot/run-core.cjs.cache`)) {
      console.warn(`agentlang: no run code cache written (run exited ${run.status}): ${run.stderr.slice(0, 300)}`);
    }
  }
}

export default defineConfig((overrides) => {
  const outDir = overrides.outDir ?? 'dist';
  return {
  entry: { agentlang: 'src/main.ts' },
  format: ['esm'],
  splitting: true,
  clean: true,
  sourcemap: false,
  minify: false,
  target: 'node20',
  platform: 'node',
  noExternal: [/.*/],
  banner,
  async onSuccess() {
    await build(hotCore(outDir));
    writeCodeCache(outDir);
  },
  };
});
