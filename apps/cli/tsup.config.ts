import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { build, defineConfig, type Options } from 'tsup';

// Start-up is a measured target (`agentlang validate` ≤ 1.5× `node -e 0`, see
// tooling/bench/src/suites/100-validate-cold.js; `agentlang run` ≤ node + bare bwrap + validate's
// overhead + 15 ms, tooling/bench/src/suites/400-run.js), so dist/ holds:
//
// - dist/agentlang.mjs + chunks: the full CLI, ES modules, every @agentlang package inlined and
//   each verb its own lazy chunk, so a verb loads only what it needs (no MCP SDK for validate).
// - dist/agentlang.js: a small CommonJS launcher (dist/package.json says "commonjs"). Node 20
//   starts a CommonJS entry faster than an ES module one and can code-cache only scripts.
// - dist/hot/validate-core.cjs: main.ts with only the validate verb, manifest, yaml, semver and
//   promptlang in one CommonJS bundle, plus dist/hot/validate-core.cjs.cache, the V8 code cache
//   made right after the build by running validate once with AGENTLANG_WRITE_CODE_CACHE=1
//   (src/hot-load.ts checks it against the sha256 of the exact source).
// - dist/hot/run-core.cjs (+ .cache, made by one real run of examples/demo.agent): the same for
//   `agentlang run` — main.ts with only the run verb and the run path's packages.

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * In a verb's fast-path bundle, every other verb stays out, and so do the packages that bundle hands
 * back to the full CLI (the container package reaches the resolver and the MCP SDK; the registry
 * client is only for --tool-registry; in validate, the resolver is reached only through
 * agent-input's lockAgent): their import() calls are never reached there.
 */
function onlyVerb(verb: string, external: RegExp): EsbuildPlugin {
  return {
    name: `agentlang-only-${verb}-verb`,
    setup(builder) {
      builder.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) => {
        if (!args.importer.endsWith(`${sep}commands${sep}index.ts`) || args.path === `./${verb}.js`) return undefined;
        return { path: args.path, external: true };
      });
      builder.onResolve({ filter: external }, (args) => ({ path: args.path, external: true }));
    },
  };
}

const common: Options = {
  config: false,
  splitting: false,
  clean: false,
  sourcemap: false,
  target: 'node20',
  platform: 'node',
  noExternal: [/.*/],
  silent: true,
};

const launcher = (outDir: string): Options => ({
  ...common,
  outDir,
  entry: { agentlang: 'src/launcher.ts' },
  format: ['cjs'],
  outExtension: () => ({ js: '.js' }),
  banner: { js: '#!/usr/bin/env node' },
  // Keep `import('./agentlang.mjs')` a real dynamic import (Node's CommonJS supports it).
  esbuildOptions(options) {
    options.supported = { ...options.supported, 'dynamic-import': true };
  },
});

const validateCore = (outDir: string): Options => ({
  ...common,
  outDir,
  entry: { 'hot/validate-core': 'src/hot/validate-core.ts' },
  format: ['cjs'],
  outExtension: () => ({ js: '.cjs' }),
  esbuildPlugins: [onlyVerb('validate', /^@agentlang\/(container|lock|registry-client|resolver)$/)],
  // Fewer bytes to read and hash; names are kept so stack traces stay readable.
  esbuildOptions(options) {
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
});

/**
 * The run fast path (src/hot/run-core.ts: main.ts with only the run verb, manifest, yaml, resolver,
 * lock, isolation and runner) as one CommonJS bundle, code-cached like validate's and started by
 * the launcher without the ES-module CLI.
 */
const runCore = (outDir: string): Options => ({
  ...common,
  outDir,
  entry: { 'hot/run-core': 'src/hot/run-core.ts' },
  format: ['cjs'],
  outExtension: () => ({ js: '.cjs' }),
  esbuildPlugins: [onlyVerb('run', /^@agentlang\/(container|registry-client)$/), mcpSdkExternal, harnessLazyExternal],
  esbuildOptions(options) {
    options.minifyWhitespace = true;
    options.minifySyntax = true;
    // import() of an external becomes require(): vm.Script (hot-load.ts) has no dynamic import.
    options.supported = { ...options.supported, 'dynamic-import': false };
  },
});

/**
 * The MCP SDK (with zod and ajv, ~40% of the run path's bytes) only serves agents that declare MCP
 * servers, so the run bundle leaves it out and requires dist/hot/mcp-sdk.cjs when the resolver's
 * probe imports it: a run of an agent without MCP servers neither reads nor hashes those bytes.
 */
const MCP_SDK = /^@modelcontextprotocol\/sdk\/(client\/index|shared\/stdio)\.js$/;

const mcpSdkExternal: EsbuildPlugin = {
  name: 'agentlang-mcp-sdk-external',
  setup(builder) {
    builder.onResolve({ filter: MCP_SDK }, () => ({ path: './mcp-sdk.cjs', external: true }));
  },
};

/**
 * dist/hot/mcp-sdk.cjs: the two SDK modules the resolver imports (the client, and the stdio framing its sandboxed transport uses), resolved from @agentlang/resolver
 * (the CLI itself does not depend on the SDK). The entry is written to a temp file at build time.
 */
async function buildMcpSdk(outDir: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agentlang-mcp-sdk-'));
  const entry = join(dir, 'mcp-sdk.mjs');
  writeFileSync(
    entry,
    "export { Client } from '@modelcontextprotocol/sdk/client/index.js';\nexport { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';\n",
  );
  const resolverDir = resolve('../../packages/resolver');
  const fromResolver: EsbuildPlugin = {
    name: 'agentlang-mcp-sdk-from-resolver',
    setup(builder) {
      builder.onResolve({ filter: MCP_SDK }, (args) =>
        args.pluginData === 'agentlang-mcp-sdk' ? undefined : builder.resolve(args.path, { kind: args.kind, resolveDir: resolverDir, pluginData: 'agentlang-mcp-sdk' }),
      );
    },
  };
  try {
    await build({
      ...common,
      outDir,
      entry: { 'hot/mcp-sdk': entry },
      format: ['cjs'],
      outExtension: () => ({ js: '.cjs' }),
      esbuildPlugins: [fromResolver],
      esbuildOptions(options) {
        options.minifyWhitespace = true;
        options.minifySyntax = true;
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What the harness imports lazily — ajv (for `input_schema`/`output_schema`) and sql.js (the sqlite
 * tool, ~280 KB between them) — stays out of the run bundle the same way: dist/hot/<file> is
 * required only when a harness run first validates a call or opens a database, so no other run
 * reads or hashes those bytes (measured: ~20 ms a run when they were inlined).
 */
const HARNESS_LAZY: Array<{ specifier: RegExp; file: string; source: string }> = [
  // CommonJS entries that re-export the package's own module.exports, so the run bundle's import()
  // sees the same namespace (default = module.exports) as it would with the package inlined.
  { specifier: /^ajv$/, file: 'ajv', source: "module.exports = require('ajv');\n" },
  { specifier: /^sql\.js$/, file: 'sql-js', source: "module.exports = require('sql.js');\n" },
  // The OpenTelemetry SDK and OTLP/HTTP exporter (startOtelExport): only for a run with
  // OTEL_EXPORTER_OTLP_ENDPOINT set. Its four packages share one file (their names do not clash).
  {
    specifier: /^@opentelemetry\/(api|resources|sdk-trace-base|exporter-trace-otlp-http)$/,
    file: 'otel',
    source:
      "module.exports = Object.assign({}, require('@opentelemetry/api'), require('@opentelemetry/resources'), require('@opentelemetry/sdk-trace-base'), require('@opentelemetry/exporter-trace-otlp-http'));\n",
  },
];

const harnessLazyExternal: EsbuildPlugin = {
  name: 'agentlang-harness-lazy-external',
  setup(builder) {
    for (const dep of HARNESS_LAZY) {
      builder.onResolve({ filter: dep.specifier }, (args) =>
        args.importer.includes(`${sep}packages${sep}harness${sep}`) && args.kind === 'dynamic-import' ? { path: `./${dep.file}.cjs`, external: true } : undefined,
      );
    }
  },
};

/** dist/hot/ajv.cjs, dist/hot/sql-js.cjs and dist/hot/otel.cjs, resolved from @agentlang/harness (the CLI does not depend on either). */
async function buildHarnessLazy(outDir: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agentlang-harness-lazy-'));
  const harnessDir = resolve('../../packages/harness');
  try {
    for (const dep of HARNESS_LAZY) {
      const entry = join(dir, `${dep.file}.cjs`);
      writeFileSync(entry, dep.source);
      const fromHarness: EsbuildPlugin = {
        name: `agentlang-${dep.file}-from-harness`,
        setup(builder) {
          builder.onResolve({ filter: dep.specifier }, (args) =>
            args.pluginData === 'agentlang-harness-lazy' ? undefined : builder.resolve(args.path, { kind: args.kind, resolveDir: harnessDir, pluginData: 'agentlang-harness-lazy' }),
          );
        },
      };
      await build({
        ...common,
        outDir,
        entry: { [`hot/${dep.file}`]: entry },
        format: ['cjs'],
        outExtension: () => ({ js: '.cjs' }),
        esbuildPlugins: [fromHarness],
        esbuildOptions(options) {
          options.minifyWhitespace = true;
          options.minifySyntax = true;
        },
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * dist/identify-worker.mjs: the registry's upload-checking worker thread (@agentlang/registry parses
 * every upload in a bounded worker, off the server's event loop). `registry serve` runs from the
 * bundle, so the worker must sit beside its chunks, where the registry looks for it.
 */
async function buildIdentifyWorker(outDir: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agentlang-identify-worker-'));
  const entry = join(dir, 'identify-worker.mjs');
  writeFileSync(entry, "import '@agentlang/registry/identify-worker';\n");
  try {
    await build({
      ...common,
      outDir,
      entry: { 'identify-worker': entry },
      format: ['esm'],
      outExtension: () => ({ js: '.mjs' }),
      esbuildOptions(options) {
        options.nodePaths = [resolve('node_modules')];
      },
      banner: {
        js: "import { createRequire as __agentlangCreateRequire } from 'node:module';\nconst require = __agentlangCreateRequire(import.meta.url);",
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * sql.js's WebAssembly file beside the bundles that inline sql.js (the harness's sqlite tool): the
 * harness looks for it next to the running bundle when sql.js itself does not resolve from there.
 */
function copySqlWasm(outDir: string): void {
  const wasm = createRequire(resolve('../../packages/harness/package.json')).resolve('sql.js/dist/sql-wasm.wasm');
  for (const dir of [outDir, join(outDir, 'hot')]) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(wasm, join(dir, 'sql-wasm.wasm'));
  }
}

/** Runs validate once on a representative agent so the cache holds the functions it compiles. */
function writeCodeCache(outDir: string): void {
  const agent = existsSync('../../examples/research-assistant') ? '../../examples/research-assistant' : '../../examples';
  const result = spawnSync(process.execPath, [join(outDir, 'agentlang.js'), 'validate', agent], {
    env: { ...process.env, AGENTLANG_WRITE_CODE_CACHE: '1' },
    encoding: 'utf8',
  });
  if (!existsSync(join(outDir, 'hot/validate-core.cjs.cache'))) {
    console.warn(`agentlang: no code cache written (validate exited ${result.status}): ${result.stderr.slice(0, 300)}`);
  }
  // The run path likewise: a real run of the seed demo (test-echo in bwrap) in a throw-away
  // directory, so the cache holds resolve, policy, seccomp, spawn and record writing. The cache is
  // written by a second run there, so it holds the usual path (runtime version from
  // .agentlang/cache) rather than the first run's one-off version probe.
  const demo = resolve('../../examples/demo.agent');
  if (existsSync(demo)) {
    const cwd = mkdtempSync(join(tmpdir(), 'agentlang-code-cache-'));
    const runDemo = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, [resolve(outDir, 'agentlang.js'), 'run', demo], { cwd, env, encoding: 'utf8' });
    runDemo(process.env);
    const run = runDemo({ ...process.env, AGENTLANG_WRITE_CODE_CACHE: '1' });
    rmSync(cwd, { recursive: true, force: true });
    if (!existsSync(join(outDir, 'hot/run-core.cjs.cache'))) {
      console.warn(`agentlang: no run code cache written (run exited ${run.status}): ${run.stderr.slice(0, 300)}`);
    }
  }
}

export default defineConfig((overrides) => {
  const outDir = overrides.outDir ?? 'dist';
  return {
    entry: { agentlang: 'src/full.ts' },
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    splitting: true,
    clean: true,
    sourcemap: false,
    minify: false,
    target: 'node20',
    platform: 'node',
    noExternal: [/.*/],
    banner: {
      js: "import { createRequire as __agentlangCreateRequire } from 'node:module';\nconst require = __agentlangCreateRequire(import.meta.url);",
    },
    async onSuccess() {
      writeFileSync(join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
      await build(launcher(outDir));
      chmodSync(join(outDir, 'agentlang.js'), 0o755);
      await build(validateCore(outDir));
      await build(runCore(outDir));
      await buildMcpSdk(outDir);
      await buildHarnessLazy(outDir);
      await buildIdentifyWorker(outDir);
      copySqlWasm(outDir);
      writeCodeCache(outDir);
    },
  };
});
