import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { build, defineConfig, type Options } from 'tsup';
import { COMMANDS } from './src/commands/index.js';

// Start-up is a measured target (`agentlang validate` ≤ 1.5× `node -e 0`, see
// tooling/bench/src/suites/100-validate-cold.js; `agentlang run`, tooling/bench/src/suites/400-run.js),
// so dist/ holds one CommonJS bundle per verb and a small launcher (README.md, "Start-up time"):
//
// - dist/agentlang.js: the launcher (src/launcher.ts); dist/package.json says "commonjs".
// - dist/verbs/<verb>.cjs: src/verb-entry.ts with `agentlang:command` resolved to
//   src/commands/<verb>.ts, every @agentlang package it uses inlined; dist/verbs/help.cjs the same
//   with no command (help, --version, unknown verbs). One per declared verb (src/commands/index.ts).
// - dist/lib/mcp-sdk.cjs: the MCP SDK, required only when an agent declares MCP servers.
// - dist/lib/agentlang-<package>.cjs: packages a verb reaches only on a rare path (LAZY_PACKAGES).
// - dist/lib/yaml.cjs: the `yaml` library, required when a YAML text is outside safe-yaml's plain subset.
// - dist/lib/ajv.cjs, dist/lib/sql-js.cjs, dist/lib/otel.cjs: what the harness imports lazily, required on a
//   harness run's first validated call / first sqlite call / with OTEL_EXPORTER_OTLP_ENDPOINT set;
//   sql-wasm.wasm beside the bundles.
// - dist/verbs/identify-worker.mjs: the registry's upload-checking worker, beside the registry bundle.
// The V8 code cache is made on the user's machine at first run (src/load-bundle.ts), never here.

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

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

/** Fewer bytes to read and hash; names are kept so stack traces stay readable. */
function minify(options: Parameters<NonNullable<Options['esbuildOptions']>>[0]): void {
  options.minifyWhitespace = true;
  options.minifySyntax = true;
}

/** `agentlang:command` is the module of the verb being bundled (none for the help bundle). */
function commandModule(verb: string | undefined): EsbuildPlugin {
  return {
    name: 'agentlang-command',
    setup(builder) {
      builder.onResolve({ filter: /^agentlang:command$/ }, () =>
        verb === undefined
          ? { path: 'none', namespace: 'agentlang-no-command' }
          : { path: resolve(`src/commands/${verb}.ts`) },
      );
      builder.onLoad({ filter: /.*/, namespace: 'agentlang-no-command' }, () => ({
        contents: 'export const run = undefined;',
        loader: 'js',
      }));
    },
  };
}

/**
 * The MCP SDK (with zod and ajv, ~400 KB) only serves agents that declare MCP servers, so the verb
 * bundles leave it out and require dist/lib/mcp-sdk.cjs when the resolver's or the harness's probe
 * imports it.
 */
const MCP_SDK = /^@modelcontextprotocol\/sdk\/(client\/index|shared\/stdio)\.js$/;

const mcpSdkExternal: EsbuildPlugin = {
  name: 'agentlang-mcp-sdk-external',
  setup(builder) {
    builder.onResolve({ filter: MCP_SDK }, () => ({ path: '../lib/mcp-sdk.cjs', external: true }));
  },
};

/**
 * What the harness imports lazily — ajv (for `input_schema`/`output_schema`) and sql.js (the sqlite
 * tool, ~280 KB between them) — stays out of the verb bundles the same way: dist/lib/<file>.cjs is
 * required only when a harness run first validates a call or opens a database, so no other run
 * reads or hashes those bytes (measured: ~20 ms a run when they were inlined).
 */
const HARNESS_LAZY: Array<{ specifier: RegExp; file: string; source: string }> = [
  // CommonJS entries that re-export the package's own module.exports, so the bundle's import()
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
        args.importer.includes(`${sep}packages${sep}harness${sep}`) && args.kind === 'dynamic-import'
          ? { path: `../lib/${dep.file}.cjs`, external: true }
          : undefined,
      );
    }
  },
};

/**
 * The `yaml` library (~160 KB) is parsed and initialised only when a YAML text falls outside the
 * plain subset @agentlang/safe-yaml reads itself (anchors, tags, multi-line scalars, any issue) or
 * when a diagnostic needs a position: the verb bundles import a stand-in whose exports are getters
 * that require dist/lib/yaml.cjs on first use. Importers only read those exports inside functions
 * (never at module initialisation), so a valid plain agent never loads it (measured: ~5 ms of a cold
 * `validate`, tooling/bench/src/suites/100-validate-cold.js).
 */
const safeYamlDir = resolve('../../packages/safe-yaml');
const YAML_EXPORTS: readonly string[] = Object.keys(createRequire(join(safeYamlDir, 'package.json'))('yaml'));

const lazyYaml: EsbuildPlugin = {
  name: 'agentlang-lazy-yaml',
  setup(builder) {
    builder.onResolve({ filter: /^yaml$/ }, () => ({ path: 'yaml', namespace: 'agentlang-lazy-yaml' }));
    builder.onResolve({ filter: /^\.\.\/lib\/yaml\.cjs$/ }, (args) => ({ path: args.path, external: true }));
    builder.onLoad({ filter: /.*/, namespace: 'agentlang-lazy-yaml' }, () => ({
      loader: 'js',
      contents: [
        'let loaded;',
        "const load = () => (loaded ??= require('../lib/yaml.cjs'));",
        `for (const name of ${JSON.stringify(YAML_EXPORTS)})`,
        '  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });',
      ].join('\n'),
    }));
  },
};

/** dist/lib/yaml.cjs: the `yaml` library, resolved from @agentlang/safe-yaml. */
function buildYaml(outDir: string): Promise<void> {
  const fromSafeYaml: EsbuildPlugin = {
    name: 'agentlang-yaml-from-safe-yaml',
    setup(builder) {
      builder.onResolve({ filter: /^yaml$/ }, (args) =>
        args.pluginData === 'agentlang-yaml'
          ? undefined
          : builder.resolve(args.path, { kind: args.kind, resolveDir: safeYamlDir, pluginData: 'agentlang-yaml' }),
      );
    },
  };
  return buildFromText(
    outDir,
    'lib/yaml',
    "module.exports = require('yaml');\n",
    { format: ['cjs'], outExtension: () => ({ js: '.cjs' }), esbuildPlugins: [fromSafeYaml], esbuildOptions: minify },
    'entry.cjs',
  );
}

/**
 * Packages a verb reaches only through import() on a path it rarely takes, kept out of its bundle
 * and required from dist/lib/<package>.cjs when that path is taken: `validate` of a directory or
 * YAML manifest needs neither the container code nor the lock, the resolver or the registry client
 * (agent-input imports them for containers, keys and locks; registry-base for a registry `base:`),
 * and those ~200 KB were a measured share of its cold start (README.md, "Start-up time").
 */
const LAZY_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  validate: ['container', 'lock', 'resolver', 'registry-client'],
  // `run` of a directory or YAML manifest needs neither the container code nor the registry client
  // (~110 KB of its bundle): a container input or a registry base loads them.
  run: ['container', 'registry-client'],
};

/** dist/lib/<file>.cjs of a lazy @agentlang package. */
const lazyLibFile = (pkg: string): string => `agentlang-${pkg}`;

/**
 * A verb's lazy packages: import() becomes require('../lib/agentlang-<pkg>.cjs'). A static import of
 * one fails the build: it would put a second copy of the package in the bundle.
 */
function lazyPackages(verb: string | undefined): EsbuildPlugin {
  const packages = verb === undefined ? [] : (LAZY_PACKAGES[verb] ?? []);
  return {
    name: 'agentlang-lazy-packages',
    setup(builder) {
      if (packages.length === 0) return;
      const filter = new RegExp(`^@agentlang/(${packages.join('|')})$`);
      builder.onResolve({ filter }, (args) => {
        const pkg = args.path.slice('@agentlang/'.length);
        if (args.kind !== 'dynamic-import') {
          return {
            errors: [
              {
                text: `${args.importer} imports ${args.path} statically; the ${verb} bundle loads it lazily (LAZY_PACKAGES in tsup.config.ts): use import()`,
              },
            ],
          };
        }
        return { path: `../lib/${lazyLibFile(pkg)}.cjs`, external: true };
      });
    },
  };
}

/** dist/verbs/<verb>.cjs (or help.cjs). */
const verbBundle = (outDir: string, verb: string | undefined): Options => ({
  ...common,
  outDir,
  entry: { [`verbs/${verb ?? 'help'}`]: 'src/verb-entry.ts' },
  format: ['cjs'],
  outExtension: () => ({ js: '.cjs' }),
  esbuildPlugins: [commandModule(verb), lazyPackages(verb), mcpSdkExternal, harnessLazyExternal, lazyYaml],
  // A CommonJS bundle has no import.meta: its URL is the bundle's own (the registry finds its worker by it).
  define: { 'import.meta.url': '__agentlang_import_meta_url' },
  banner: { js: "var __agentlang_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  esbuildOptions(options) {
    minify(options);
    // import() of an external becomes require(): a vm.Script (src/load-bundle.ts) has no dynamic import.
    options.supported = { ...options.supported, 'dynamic-import': false };
  },
});

/** A bundle whose entry is written to a temp file (`entry.mjs`, or `entry.cjs` for a CommonJS re-export). */
async function buildFromText(
  outDir: string,
  name: string,
  text: string,
  options: Options,
  entryFile = 'entry.mjs',
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agentlang-entry-'));
  const entry = join(dir, entryFile);
  writeFileSync(entry, text);
  try {
    await build({ ...common, outDir, entry: { [name]: entry }, ...options });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** dist/lib/mcp-sdk.cjs: the two SDK modules the resolver and the harness import, resolved from @agentlang/resolver. */
function buildMcpSdk(outDir: string): Promise<void> {
  const resolverDir = resolve('../../packages/resolver');
  const fromResolver: EsbuildPlugin = {
    name: 'agentlang-mcp-sdk-from-resolver',
    setup(builder) {
      builder.onResolve({ filter: MCP_SDK }, (args) =>
        args.pluginData === 'agentlang-mcp-sdk'
          ? undefined
          : builder.resolve(args.path, { kind: args.kind, resolveDir: resolverDir, pluginData: 'agentlang-mcp-sdk' }),
      );
    },
  };
  return buildFromText(
    outDir,
    'lib/mcp-sdk',
    "export { Client } from '@modelcontextprotocol/sdk/client/index.js';\nexport { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';\n",
    { format: ['cjs'], outExtension: () => ({ js: '.cjs' }), esbuildPlugins: [fromResolver], esbuildOptions: minify },
  );
}

/** dist/lib/ajv.cjs, dist/lib/sql-js.cjs and dist/lib/otel.cjs, resolved from @agentlang/harness (the CLI depends on neither). */
async function buildHarnessLazy(outDir: string): Promise<void> {
  const harnessDir = resolve('../../packages/harness');
  for (const dep of HARNESS_LAZY) {
    const fromHarness: EsbuildPlugin = {
      name: `agentlang-${dep.file}-from-harness`,
      setup(builder) {
        builder.onResolve({ filter: dep.specifier }, (args) =>
          args.pluginData === 'agentlang-harness-lazy'
            ? undefined
            : builder.resolve(args.path, {
                kind: args.kind,
                resolveDir: harnessDir,
                pluginData: 'agentlang-harness-lazy',
              }),
        );
      },
    };
    await buildFromText(
      outDir,
      `lib/${dep.file}`,
      dep.source,
      { format: ['cjs'], outExtension: () => ({ js: '.cjs' }), esbuildPlugins: [fromHarness], esbuildOptions: minify },
      'entry.cjs',
    );
  }
}

/** dist/lib/agentlang-<pkg>.cjs for every lazy package of any verb (each with its own dependencies inlined). */
async function buildLazyPackages(outDir: string): Promise<void> {
  for (const pkg of new Set(Object.values(LAZY_PACKAGES).flat())) {
    await buildFromText(outDir, `lib/${lazyLibFile(pkg)}`, `export * from '@agentlang/${pkg}';\n`, {
      format: ['cjs'],
      outExtension: () => ({ js: '.cjs' }),
      esbuildPlugins: [mcpSdkExternal, harnessLazyExternal, lazyYaml],
      define: { 'import.meta.url': '__agentlang_import_meta_url' },
      banner: { js: "var __agentlang_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
      esbuildOptions(options) {
        minify(options);
        options.nodePaths = [resolve('node_modules')];
        options.supported = { ...options.supported, 'dynamic-import': false };
      },
    });
  }
}

/**
 * sql.js's WebAssembly file beside the bundles (the harness's sqlite tool): the harness looks for it
 * next to the running bundle (dist/verbs/run.cjs) when sql.js itself does not resolve from there.
 */
function copySqlWasm(outDir: string): void {
  const wasm = createRequire(resolve('../../packages/harness/package.json')).resolve('sql.js/dist/sql-wasm.wasm');
  for (const dir of ['verbs', 'lib']) {
    mkdirSync(join(outDir, dir), { recursive: true });
    copyFileSync(wasm, join(outDir, dir, 'sql-wasm.wasm'));
  }
}

/**
 * dist/verbs/identify-worker.mjs: the registry's upload-checking worker thread (@agentlang/registry
 * parses every upload in a bounded worker, off the server's event loop), where the registry looks for
 * it: beside the bundle that runs it.
 */
function buildIdentifyWorker(outDir: string): Promise<void> {
  return buildFromText(outDir, 'verbs/identify-worker', "import '@agentlang/registry/identify-worker';\n", {
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    esbuildOptions(options) {
      options.nodePaths = [resolve('node_modules')];
    },
    banner: {
      js: "import { createRequire as __agentlangCreateRequire } from 'node:module';\nconst require = __agentlangCreateRequire(import.meta.url);",
    },
  });
}

/**
 * Escapes the non-ASCII characters esbuild leaves in (those of regular-expression literals): one
 * such character makes V8 hold the whole bundle as a two-byte string, which doubles the time to
 * decode and scan it at every start. `\uXXXX` means the same in strings, templates, regular
 * expressions, identifiers and comments.
 */
function escapeNonAscii(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.cjs')) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    if (/[^\x00-\x7f]/.test(text))
      writeFileSync(
        join(dir, name),
        text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      );
  }
}

export default defineConfig((overrides) => {
  const outDir = overrides.outDir ?? 'dist';
  return {
    ...common,
    clean: true,
    entry: { agentlang: 'src/launcher.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.js' }),
    banner: { js: '#!/usr/bin/env node' },
    silent: false,
    async onSuccess() {
      writeFileSync(join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
      chmodSync(join(outDir, 'agentlang.js'), 0o755);
      await Promise.all([
        ...[...COMMANDS.map((c) => c.name), undefined].map((verb) => build(verbBundle(outDir, verb))),
        buildMcpSdk(outDir),
        buildHarnessLazy(outDir),
        buildYaml(outDir),
        buildLazyPackages(outDir),
        buildIdentifyWorker(outDir),
      ]);
      copySqlWasm(outDir);
      for (const dir of ['verbs', 'lib']) escapeNonAscii(join(outDir, dir));
    },
  };
});
