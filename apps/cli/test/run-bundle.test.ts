import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cliKeygen, cliKeygenX25519, cliPath, DEMO_AGENT, demoAgentDir, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, serve } from './registry-support.js';

// The `agentlang run` fast path (dist/agentlang.js -> dist/hot/run-core.cjs through V8's code
// cache, dist/hot/mcp-sdk.cjs only for agents with MCP servers, everything else handed to the
// ES-module CLI dist/agentlang.mjs), end to end on a COPY of dist (other tests use the real one).
//
// Which code ran is observed from outside, without any hook in the product: node is started with
// `--require` of a small preload (written below) that records, one JSON line each, into a log file:
//   - every vm.Script made (hot-load.ts compiles the hot bundles with it): its filename, whether
//     cachedData was handed to V8, and V8's cachedDataRejected;
//   - every require() of a path (the launcher requires ./mcp-sdk.cjs from dist/hot);
//   - every file: URL the ES-module loader resolves (a module.register resolve hook), which is how
//     the full CLI (agentlang.mjs and its chunks) is loaded.

const require = createRequire(import.meta.url);
const everything = join(dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')), 'dist/index.js');
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
  const log = join(makeTempDir('agentlang-load-log-'), 'loads.jsonl');
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--require', join(tools, 'preload.cjs'), join(copy, 'agentlang.js'), ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env, AGENTLANG_TEST_LOAD_LOG: log },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const loads = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Load);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, loads };
}

/** The vm.Script compilations of `<copy>/hot/<name>.cjs`. */
const scripts = (o: Observed, copy: string, name: string) =>
  o.loads.filter((l): l is Extract<Load, { script: string }> => 'script' in l && l.script === join(copy, 'hot', `${name}.cjs`));
/** Whether the ES-module CLI (dist/agentlang.mjs) was loaded. */
const loadedFullCli = (o: Observed, copy: string) => o.loads.some((l) => 'import' in l && l.import === `file://${join(copy, 'agentlang.mjs')}`);
/** Whether dist/hot/mcp-sdk.cjs was required. */
const loadedMcpSdk = (o: Observed, copy: string) => o.loads.some((l) => 'require' in l && l.require === join(copy, 'hot', 'mcp-sdk.cjs'));

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

describe('agentlang run: the code-cached fast path and its fall-backs', () => {
  it('prints the same and writes an equivalent record with a good, a corrupted or no code cache, and without the hot bundle', () => {
    // What the real dist does, without the preload: the reference.
    const refCwd = demoAgentDir();
    const ref = runCli(['run', 'demo.agent'], { cwd: refCwd });
    expect(ref.stderr).toBe('');
    expect(ref.status).toBe(0);
    expect(ref.stdout).toContain('Launching test-echo...\n[test-echo] demo@0.1.0\n');
    const expected = record(refCwd);
    expect(expected).toMatchObject({ schema: 'agentlang.record/v1', outcome: 'success', isolation: { backend: 'bwrap' } });

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
      return o;
    };

    // (a) The good cache: run-core.cjs compiled once, with its cache accepted by V8; no ES-module CLI.
    const good = runDemo();
    expect(scripts(good, copy, 'run-core')).toEqual([{ script: join(copy, 'hot/run-core.cjs'), cachedData: true, rejected: false }]);
    expect(loadedFullCli(good, copy)).toBe(false);

    // (b) A corrupted cache: right sha256 header, garbage V8 data: handed to V8, rejected, compiled from source.
    const cache = join(copy, 'hot/run-core.cjs.cache');
    const bytes = readFileSync(cache);
    bytes.fill(7, 40, 4000);
    writeFileSync(cache, bytes);
    const corrupted = runDemo();
    expect(scripts(corrupted, copy, 'run-core')).toEqual([{ script: join(copy, 'hot/run-core.cjs'), cachedData: true, rejected: true }]);
    expect(loadedFullCli(corrupted, copy)).toBe(false);
    // ... and a cache made from another source (header mismatch): never handed to V8.
    bytes.fill(0, 0, 32);
    writeFileSync(cache, bytes);
    const stale = runDemo();
    expect(scripts(stale, copy, 'run-core')).toEqual([{ script: join(copy, 'hot/run-core.cjs'), cachedData: false, rejected: false }]);
    expect(loadedFullCli(stale, copy)).toBe(false);

    // (c) No cache file: compiled from source, still the fast path.
    rmSync(cache);
    const uncached = runDemo();
    expect(scripts(uncached, copy, 'run-core')).toEqual([{ script: join(copy, 'hot/run-core.cjs'), cachedData: false, rejected: false }]);
    expect(loadedFullCli(uncached, copy)).toBe(false);

    // (d) No hot bundle: the launcher falls back to the full ES-module CLI, same output and record.
    rmSync(join(copy, 'hot/run-core.cjs'));
    const full = runDemo();
    expect(scripts(full, copy, 'run-core')).toEqual([]);
    expect(loadedFullCli(full, copy)).toBe(true);
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
    expect(o.stdout).toContain('  MCP:      everything (1 tool)\n\nLaunching test-echo...\n[test-echo] mcp-demo@1.0.0\n');
    expect(scripts(o, copy, 'run-core')).toHaveLength(1);
    expect(loadedFullCli(o, copy)).toBe(false);
    expect(loadedMcpSdk(o, copy)).toBe(true);
    // The same agent without its MCP server, from the same dist: the SDK stays unread.
    writeFileSync(join(cwd, 'agent.yaml'), 'name: mcp-demo\nversion: 1.0.0\nmodels:\n  test-echo/demo: {}\n');
    const bare = runCopy(copy, ['run', '.', '--runtime', 'test-echo'], cwd);
    expect(bare.status).toBe(0);
    expect(bare.stdout).toContain('[test-echo] mcp-demo@1.0.0\n');
    expect(scripts(bare, copy, 'run-core')).toHaveLength(1);
    expect(loadedMcpSdk(bare, copy)).toBe(false);
  });

  it('hands `run <container>` to the full CLI, which verifies, decrypts and runs it', () => {
    const ENV = { CI: undefined, AGENTLANG_SIGNING_KEY: undefined, AGENTLANG_PUBKEY: undefined, AGENTLANG_IDENTITY: undefined, AGENTLANG_RECIPIENT: undefined };
    const cwd = writeTree(makeTempDir(), { 'echo/agent.yaml': DEMO_AGENT.replace('name: demo', 'name: echo-agent') });
    const signer = cliKeygen({ cwd, env: ENV });
    const x = cliKeygenX25519({ cwd, env: ENV });
    const b = runCli(['build', 'echo', '--sign-key-env', 'MY_KEY', '--recipient', x.recipient, '--out', 'echo.agent'], { cwd, env: { ...ENV, MY_KEY: signer.priv } });
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    const copy = copyDist();
    const o = runCopy(copy, ['run', 'echo.agent', '--pubkey', signer.pub, '--prompt', 'hi'], cwd, { ...ENV, AGENTLANG_IDENTITY: x.identity });
    expect(o.stderr).toBe('');
    expect(o.status).toBe(0);
    expect(o.stdout).toContain('Launching test-echo...\n[test-echo] echo-agent@0.1.0\n');
    // The fast path was tried (the launcher cannot tell a container from its name) and handed over.
    expect(scripts(o, copy, 'run-core')).toHaveLength(1);
    expect(loadedFullCli(o, copy)).toBe(true);
  });

  describe('run --tool-registry', () => {
    let dir: string;
    let registry: ServeProcess;

    beforeAll(async () => {
      dir = makeTempDir('agentlang-run-bundle-registry-');
      registry = await serve(dir, ['--data', join(dir, 'data')]);
      writeTree(dir, {
        'geo.json': JSON.stringify({ name: 'geo_lookup', version: '1.3.4', description: 'geo lookup', inputSchema: { type: 'object' } }),
        'mapper/agent.yaml': 'name: mapper\nversion: 0.1.0\ndescription: Finds places\nmodels:\n  test-echo/mapper: {}\ntools:\n  - name: geo_lookup\n    version: ^1.2.0\n',
      });
      const pushed = runCli(['push', join(dir, 'geo.json'), '--registry', registry.url, '--api-key', 'alice-key'], { cwd: dir });
      expect(pushed.status, pushed.stderr).toBe(0);
    }, 60_000);
    afterAll(() => registry.stop());

    it('is handed to the full CLI, which resolves the tool from the registry and runs', () => {
      const copy = copyDist();
      const o = runCopy(copy, ['run', 'mapper', '--tool-registry', `${registry.url}/alice`], dir);
      expect(o.stderr).toBe('');
      expect(o.status).toBe(0);
      expect(o.stdout).toContain('  Tools:    geo_lookup@1.3.4\n\nLaunching test-echo...\n[test-echo] mapper@0.1.0\n');
      expect(scripts(o, copy, 'run-core')).toHaveLength(1);
      expect(loadedFullCli(o, copy)).toBe(true);
    });
  });
});
