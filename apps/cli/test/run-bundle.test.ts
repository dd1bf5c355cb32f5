import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  cliKeygen,
  cliKeygenX25519,
  cliPath,
  DEMO_AGENT,
  demoAgentDir,
  makeTempDir,
  runCli,
  writeTree,
} from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, serve } from './registry-support.js';

// `agentlang run` from its own bundle (dist/agentlang.js -> dist/verbs/run.cjs through V8's code
// cache, dist/lib/mcp-sdk.cjs only for agents with MCP servers), end to end on a COPY of dist
// (other tests use the real one), with the code cache in a temp XDG_CACHE_HOME.
//
// Which code ran is observed from outside, without any hook in the product: node is started with
// `--require` of a small preload (written below) that records, one JSON line each, into a log file:
//   - every vm.Script made (src/load-bundle.ts compiles the bundles with it): its filename, whether
//     cachedData was handed to V8, and V8's cachedDataRejected;
//   - every require() of a path (the run bundle requires ../lib/mcp-sdk.cjs);
//   - every file: URL the ES-module loader resolves (a module.register resolve hook): none here.

const require = createRequire(import.meta.url);
const everything = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);
const dist = dirname(cliPath);

const PRELOAD = `'use strict';
const { appendFileSync } = require('node:fs');
const Module = require('node:module');
const vm = require('node:vm');
const { pathToFileURL } = require('node:url');
const log = process.env.AGENTLANG_TEST_LOAD_LOG;
const note = (entry) => appendFileSync(log, JSON.stringify(entry) + '\\n');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request.includes('/')) note({ require: request });
  return load.call(this, request, ...rest);
};
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options);
    note({ script: options && options.filename, cachedData: Boolean(options && options.cachedData), rejected: this.cachedDataRejected === true });
  }
};
Module.register(pathToFileURL(__dirname + '/load-hooks.mjs').href, { data: { log } });
`;

const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith('file:')) appendFileSync(log, JSON.stringify({ import: result.url }) + '\\n');
  return result;
}
`;

/** One line of the preload's log. */
type Load = { require: string } | { import: string } | { script: string; cachedData: boolean; rejected: boolean };

interface Observed {
  status: number;
  stdout: string;
  stderr: string;
  loads: Load[];
}

let tools: string;

/** A fresh copy of the built dist/ in a temp dir, to corrupt or trim at will. */
function copyDist(): string {
  const copy = join(makeTempDir('agentlang-run-bundle-'), 'dist');
  cpSync(dist, copy, { recursive: true });
  return copy;
}

/** Runs `node --require <preload> <copy>/agentlang.js …args` in `cwd` and returns what it printed and loaded. */
function runCopy(copy: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}): Observed {
  cacheHomes.set(copy, cacheHomes.get(copy) ?? makeTempDir('agentlang-cache-home-'));
  const log = join(makeTempDir('agentlang-load-log-'), 'loads.jsonl');
  writeFileSync(log, '');
  const r = spawnSync(
    process.execPath,
    ['--require', join(tools, 'preload.cjs'), join(copy, 'agentlang.js'), ...args],
    {
      cwd,
      env: {
        ...process.env,
        NO_COLOR: '1',
        XDG_CACHE_HOME: cacheHomes.get(copy),
        AGENTLANG_NO_CODE_CACHE: undefined,
        ...env,
        AGENTLANG_TEST_LOAD_LOG: log,
      },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  const loads = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Load);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, loads };
}

/** Each copy's code-cache home (XDG_CACHE_HOME). */
const cacheHomes = new Map<string, string>();
/** Every vm.Script compilation (only the verb's bundle is expected). */
const scripts = (o: Observed) => o.loads.filter((l): l is Extract<Load, { script: string }> => 'script' in l);
/** Whether any ES module was loaded (there is no ES-module CLI to hand over to). */
const loadedEsModules = (o: Observed) => o.loads.some((l) => 'import' in l);
/** Whether dist/lib/mcp-sdk.cjs was loaded (through the code cache, as a vm.Script, or required). */
const loadedMcpSdk = (o: Observed, copy: string) =>
  o.loads.some(
    (l) => ('require' in l ? l.require : 'script' in l ? l.script : '') === join(copy, 'lib', 'mcp-sdk.cjs'),
  );

/** The one record a run wrote in `cwd`, without what differs from run to run (id, times). */
function record(cwd: string): Record<string, unknown> {
  const dir = join(cwd, '.agentlang', 'records');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  expect(files).toHaveLength(1);
  const { run_id, started_at, ended_at, duration_ms, ...rest } = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
  expect(files[0]).toBe(`${run_id}.json`);
  expect(started_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(typeof duration_ms).toBe('number');
  expect(ended_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  return rest;
}

beforeAll(() => {
  tools = writeTree(makeTempDir('agentlang-load-tools-'), { 'preload.cjs': PRELOAD, 'load-hooks.mjs': HOOKS });
});

describe('agentlang run: its code-cached bundle', () => {
  it('prints the same and writes an equivalent record when the code cache is made and when it is used', () => {
    // What the real dist does, without the preload: the reference.
    const refCwd = demoAgentDir();
    const ref = runCli(['run', 'demo.agent'], { cwd: refCwd });
    expect(ref.stderr).toBe('');
    expect(ref.status).toBe(0);
    expect(ref.stdout).toContain('Launching test-echo...\n[test-echo] demo@0.1.0\n');
    const expected = record(refCwd);
    expect(expected).toMatchObject({
      schema: 'agentlang.record/v1',
      outcome: 'success',
      isolation: { backend: 'bwrap' },
    });

    const copy = copyDist();
    const runDemo = () => {
      const cwd = demoAgentDir();
      const o = runCopy(copy, ['run', 'demo.agent'], cwd);
      expect(o.stderr).toBe('');
      expect(o.status).toBe(0);
      expect(o.stdout).toBe(ref.stdout);
      expect(record(cwd)).toEqual(expected);
      // No agent here declares MCP servers: the SDK bundle is never read.
      expect(loadedMcpSdk(o, copy)).toBe(false);
      expect(loadedEsModules(o)).toBe(false);
      return o;
    };
    // (a) First run: run.cjs compiled from source; the cache is written at exit.
    expect(scripts(runDemo())).toEqual([{ script: join(copy, 'verbs/run.cjs'), cachedData: false, rejected: false }]);
    // (b) Then: compiled once, with its cache accepted by V8.
    expect(scripts(runDemo())).toEqual([{ script: join(copy, 'verbs/run.cjs'), cachedData: true, rejected: false }]);
  });

  it('requires the MCP SDK bundle only for an agent that declares an MCP server (real server-everything over stdio)', () => {
    const copy = copyDist();
    const cwd = writeTree(makeTempDir(), {
      'agent.yaml': [
        'name: mcp-demo',
        'version: 1.0.0',
        'models:',
        '  test-echo/demo: {}',
        'mcp_servers:',
        '  everything:',
        `    command: ${JSON.stringify(process.execPath)}`,
        `    args: [${JSON.stringify(everything)}, stdio]`,
        '    tools: [echo]',
        '',
      ].join('\n'),
    });
    const o = runCopy(copy, ['run', '.', '--runtime', 'test-echo'], cwd);
    expect(o.stderr).toBe('');
    expect(o.status).toBe(0);
    expect(o.stdout).toContain(
      '  MCP:      everything (1 tool)\n\nLaunching test-echo...\n[test-echo] mcp-demo@1.0.0\n',
    );
    // The SDK is a library of its own (dist/lib), code-cached like the verb's bundle.
    expect(scripts(o).map((l) => l.script)).toEqual([join(copy, 'verbs/run.cjs'), join(copy, 'lib/mcp-sdk.cjs')]);
    expect(loadedMcpSdk(o, copy)).toBe(true);
    // The same agent without its MCP server, from the same dist: the SDK stays unread.
    writeFileSync(join(cwd, 'agent.yaml'), 'name: mcp-demo\nversion: 1.0.0\nmodels:\n  test-echo/demo: {}\n');
    const bare = runCopy(copy, ['run', '.', '--runtime', 'test-echo'], cwd);
    expect(bare.status).toBe(0);
    expect(bare.stdout).toContain('[test-echo] mcp-demo@1.0.0\n');
    expect(scripts(bare).map((l) => l.script)).toEqual([join(copy, 'verbs/run.cjs')]);
    expect(loadedMcpSdk(bare, copy)).toBe(false);
  });

  it('runs a container from the same bundle: verified, decrypted and run', () => {
    const ENV = {
      CI: undefined,
      AGENTLANG_SIGNING_KEY: undefined,
      AGENTLANG_PUBKEY: undefined,
      AGENTLANG_IDENTITY: undefined,
      AGENTLANG_RECIPIENT: undefined,
    };
    const cwd = writeTree(makeTempDir(), { 'echo/agent.yaml': DEMO_AGENT.replace('name: demo', 'name: echo-agent') });
    const signer = cliKeygen({ cwd, env: ENV });
    const x = cliKeygenX25519({ cwd, env: ENV });
    const b = runCli(['build', 'echo', '--sign-key-env', 'MY_KEY', '--recipient', x.recipient, '--out', 'echo.agent'], {
      cwd,
      env: { ...ENV, MY_KEY: signer.priv },
    });
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    const copy = copyDist();
    const o = runCopy(copy, ['run', 'echo.agent', '--pubkey', signer.pub, '--prompt', 'hi'], cwd, {
      ...ENV,
      AGENTLANG_IDENTITY: x.identity,
    });
    expect(o.stderr).toBe('');
    expect(o.status).toBe(0);
    expect(o.stdout).toContain('Launching test-echo...\n[test-echo] echo-agent@0.1.0\n');
    // The container code is a library the run bundle loads (code-cached) for a container input only.
    expect(scripts(o).map((l) => l.script)).toEqual([
      join(copy, 'verbs/run.cjs'),
      join(copy, 'lib/agentlang-container.cjs'),
    ]);
    expect(loadedEsModules(o)).toBe(false);
  });

  describe('run --tool-registry', () => {
    let dir: string;
    let registry: ServeProcess;

    beforeAll(async () => {
      dir = makeTempDir('agentlang-run-bundle-registry-');
      registry = await serve(dir, ['--data', join(dir, 'data')]);
      writeTree(dir, {
        'geo.json': JSON.stringify({
          name: 'geo_lookup',
          version: '1.3.4',
          description: 'geo lookup',
          inputSchema: { type: 'object' },
        }),
        'mapper/agent.yaml':
          'name: mapper\nversion: 0.1.0\ndescription: Finds places\nmodels:\n  test-echo/mapper: {}\ntools:\n  - name: geo_lookup\n    version: ^1.2.0\n',
      });
      const pushed = runCli(['push', join(dir, 'geo.json'), '--registry', registry.url, '--api-key', 'alice-key'], {
        cwd: dir,
      });
      expect(pushed.status, pushed.stderr).toBe(0);
    }, 60_000);
    afterAll(() => registry.stop());

    it('resolves the tool from the registry and runs, from the same bundle', () => {
      const copy = copyDist();
      const o = runCopy(copy, ['run', 'mapper', '--tool-registry', `${registry.url}/alice`], dir);
      expect(o.stderr).toBe('');
      expect(o.status).toBe(0);
      expect(o.stdout).toContain('  Tools:    geo_lookup@1.3.4\n\nLaunching test-echo...\n[test-echo] mapper@0.1.0\n');
      expect(scripts(o).map((l) => l.script)).toEqual([
        join(copy, 'verbs/run.cjs'),
        join(copy, 'lib/agentlang-registry-client.cjs'),
      ]);
      expect(loadedEsModules(o)).toBe(false);
    });
  });
});
