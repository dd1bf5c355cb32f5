import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { cliPath, makeTempDir, runCli } from '@agentlang/test-helpers';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.js';

// dist/agentlang.js (a small CommonJS launcher) runs dist/verbs/<verb>.cjs through one loader
// (src/load-bundle.ts), whose V8 code cache is made at first run in the user's cache directory.

const dist = dirname(cliPath);
const root = join(import.meta.dirname, '../../..');
const MCP_SDK = /modelcontextprotocol[+/]sdk|LATEST_PROTOCOL_VERSION|StdioClientTransport/;

/** Every file under `dir`, relative, with its size and mtime (to see that nothing was written there). */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .map((file) => `${file.slice(dir.length)} ${statSync(file).size} ${statSync(file).mtimeMs}`)
    .sort();
}

describe('the bundles', () => {
  it('has a small CommonJS launcher and one bundle per declared verb, plus help', () => {
    const launcher = readFileSync(cliPath, 'utf8');
    expect(launcher.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(launcher.length).toBeLessThan(8_000);
    expect(JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    const bundles = readdirSync(join(dist, 'verbs')).filter((f) => f.endsWith('.cjs'));
    expect(bundles.sort()).toEqual([...COMMANDS.map((c) => `${c.name}.cjs`), 'help.cjs'].sort());
    // The launcher holds no verb, and the help bundle no package code.
    expect(launcher).not.toContain('openAgentInput');
    expect(statSync(join(dist, 'verbs/help.cjs')).size).toBeLessThan(100_000);
  });

  it('keeps the validate bundle lean: no MCP SDK, schema compiler or zod', () => {
    const validate = readFileSync(join(dist, 'verbs/validate.cjs'), 'utf8');
    // The SDK itself (its module paths, its protocol constant); the names of MCP server packages
    // (the AgentSpec well-known servers table) are data, not the SDK.
    expect(validate).not.toMatch(MCP_SDK);
    expect(validate).not.toMatch(/compileSchema|new Ajv\b|tweetnacl|ZodError/);
  });

  it('leaves the container, lock, resolver and registry-client code out of validate: dist/lib/agentlang-<package>.cjs, required for a container, a key or a registry base', () => {
    const validate = readFileSync(join(dist, 'verbs/validate.cjs'), 'utf8');
    const defines = {
      container: 'openContainer',
      lock: 'lockPlan',
      resolver: 'resolvePlan',
      'registry-client': 'createRegistryBaseResolver',
    };
    for (const [pkg, fn] of Object.entries(defines)) {
      expect(validate).not.toMatch(new RegExp(`function ${fn}\\(`));
      expect(validate).toContain(`"../lib/agentlang-${pkg}.cjs"`);
      expect(readFileSync(join(dist, `lib/agentlang-${pkg}.cjs`), 'utf8')).toMatch(new RegExp(`function ${fn}\\(`));
    }
  });

  it('leaves the yaml library out of the verbs: dist/lib/yaml.cjs is required only for YAML outside the plain subset or to place an error', () => {
    const validate = readFileSync(join(dist, 'verbs/validate.cjs'), 'utf8');
    expect(validate.includes('Implicit keys need to be on a single line')).toBe(false);
    expect(validate).toContain('"../lib/yaml.cjs"');
    expect(readFileSync(join(dist, 'lib/yaml.cjs'), 'utf8')).toContain('Implicit keys need to be on a single line');
    // An agent with an anchor (outside the subset) reads through the library; an error is placed by it.
    const dir = makeTempDir();
    writeFileSync(
      join(dir, 'agent.yaml'),
      'name: anchored\nversion: 0.1.0\ndescription: &d An agent with an anchor.\nmodels:\n  m:\n    provider: openai\n',
    );
    const ok = runCli(['validate', dir]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Valid: anchored@0.1.0');
    writeFileSync(
      join(dir, 'agent.yaml'),
      'name: anchored\nversion: 0.1.0\ndescription: 12\nmodels:\n  m:\n    provider: openai\n',
    );
    const bad = runCli(['validate', dir]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/agent\.yaml:3:\d+/);
  });
});

describe('the code cache', () => {
  const copies: string[] = [];
  afterAll(() => {
    // Read-only copies must be writable again for the temp-dir clean-up.
    for (const copy of copies) for (const dir of [copy, join(copy, 'verbs'), join(copy, 'lib')]) chmodSync(dir, 0o755);
  });

  /** A read-only copy of dist/, as a package installed by root or on a read-only image. */
  function readOnlyCopy(): string {
    const copy = join(makeTempDir('agentlang-ro-dist-'), 'dist');
    cpSync(dist, copy, { recursive: true });
    for (const dir of [join(copy, 'verbs'), join(copy, 'lib'), copy]) chmodSync(dir, 0o555);
    copies.push(copy);
    return copy;
  }

  const validate = (copy: string, env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, [join(copy, 'agentlang.js'), 'validate', 'examples/research-assistant'], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });

  it('is made at the first run in $XDG_CACHE_HOME/agentlang, keyed by the bundle hash and V8 version, and reused', () => {
    const expected = runCli(['validate', 'examples/research-assistant'], { cwd: root });
    expect(expected.status).toBe(0);
    const copy = readOnlyCopy();
    const before = snapshot(copy);
    const cacheHome = makeTempDir('agentlang-cache-home-');
    const first = validate(copy, { XDG_CACHE_HOME: cacheHome, AGENTLANG_NO_CODE_CACHE: undefined });
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(expected.stdout);
    const hash = createHash('sha256')
      .update(readFileSync(join(copy, 'verbs/validate.cjs')))
      .digest('hex');
    const cacheDir = join(cacheHome, 'agentlang', 'code-cache');
    const name = `validate-${hash}-v8-${process.versions.v8}.cache`;
    expect(readdirSync(cacheDir)).toEqual([name]);
    const made = statSync(join(cacheDir, name));

    // Accepted by V8: not written again.
    const second = validate(copy, { XDG_CACHE_HOME: cacheHome });
    expect(second.stdout).toBe(expected.stdout);
    expect(statSync(join(cacheDir, name)).ino).toBe(made.ino);

    // Garbage: rejected by V8, same answer, replaced by a good cache.
    writeFileSync(join(cacheDir, name), Buffer.alloc(made.size, 7));
    const corrupted = validate(copy, { XDG_CACHE_HOME: cacheHome });
    expect(corrupted.stderr).toBe('');
    expect(corrupted.stdout).toBe(expected.stdout);
    expect(readFileSync(join(cacheDir, name)).equals(Buffer.alloc(made.size, 7))).toBe(false);

    // Other builds of the bundle (another install used in turn, an upgrade): each gets its cache, and
    // only the newest few are kept, so they neither evict each other nor pile up.
    const cacheOf = () =>
      `validate-${createHash('sha256')
        .update(readFileSync(join(copy, 'verbs/validate.cjs')))
        .digest('hex')}-v8-${process.versions.v8}.cache`;
    const builds: string[] = [name];
    for (let build = 1; build <= 5; build++) {
      chmodSync(join(copy, 'verbs'), 0o755);
      writeFileSync(
        join(copy, 'verbs/validate.cjs'),
        `${readFileSync(join(copy, 'verbs/validate.cjs'), 'utf8')}\n// rebuilt ${build}\n`,
      );
      chmodSync(join(copy, 'verbs'), 0o555);
      expect(validate(copy, { XDG_CACHE_HOME: cacheHome }).stdout).toBe(expected.stdout);
      builds.push(cacheOf());
      expect(readdirSync(cacheDir).sort()).toEqual(builds.slice(-4).sort());
    }
    expect(snapshot(copy).filter((line) => !line.startsWith('/verbs/validate.cjs '))).toEqual(
      before.filter((line) => !line.startsWith('/verbs/validate.cjs ')),
    );
  });

  it('caches a library a verb requires from dist/lib (here yaml, for an agent outside the plain YAML subset) as lib-<name>', () => {
    const cacheHome = makeTempDir('agentlang-cache-home-');
    const dir = makeTempDir();
    writeFileSync(
      join(dir, 'agent.yaml'),
      'name: anchored\nversion: 0.1.0\ndescription: &d An agent with an anchor.\nmodels:\n  m:\n    provider: openai\n',
    );
    const env = { ...process.env, XDG_CACHE_HOME: cacheHome, AGENTLANG_NO_CODE_CACHE: undefined };
    for (let i = 0; i < 2; i++) {
      const run = spawnSync(process.execPath, [cliPath, 'validate', dir], { env, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('Valid: anchored@0.1.0');
    }
    const names = readdirSync(join(cacheHome, 'agentlang', 'code-cache')).map((n) =>
      n.replace(/-[0-9a-f]{64}-v8-.*$/, ''),
    );
    // Node >= 22.1 keeps its own compile cache (in node/) for every module instead.
    expect(names.sort()).toEqual('enableCompileCache' in Module ? ['node'] : ['lib-yaml', 'validate']);
  });

  it("keeps one cache per bundle: a verb whose name starts another verb's (verify, verify-lock) leaves that one alone", () => {
    const cacheHome = makeTempDir('agentlang-cache-home-');
    const env = { ...process.env, XDG_CACHE_HOME: cacheHome, AGENTLANG_NO_CODE_CACHE: undefined };
    for (const verb of ['verify-lock', 'verify'])
      expect(spawnSync(process.execPath, [cliPath, verb, '--help'], { env }).status).toBe(0);
    const names = readdirSync(join(cacheHome, 'agentlang', 'code-cache')).map((n) =>
      n.replace(/-[0-9a-f]{64}-v8-.*$/, ''),
    );
    expect(names.sort()).toEqual(['verify', 'verify-lock']);
  });

  it('is neither read nor written with AGENTLANG_NO_CODE_CACHE, and an unwritable cache directory only costs time', () => {
    const copy = readOnlyCopy();
    const cacheHome = makeTempDir('agentlang-cache-home-');
    const off = validate(copy, { XDG_CACHE_HOME: cacheHome, AGENTLANG_NO_CODE_CACHE: '1' });
    expect(off.status).toBe(0);
    expect(readdirSync(cacheHome)).toEqual([]);
    chmodSync(cacheHome, 0o555);
    const unwritable = validate(copy, { XDG_CACHE_HOME: cacheHome });
    chmodSync(cacheHome, 0o755);
    expect(unwritable.stderr).toBe('');
    expect(unwritable.stdout).toBe(off.stdout);
    // root may write anyway; for everyone else nothing was made.
    if (process.getuid?.() !== 0) expect(existsSync(join(cacheHome, 'agentlang'))).toBe(false);
  });
});
