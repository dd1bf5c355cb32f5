import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { HARNESS_VERSION } from '@agentlang/harness/version';
import { isAbsolute, join, relative } from 'node:path';
import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { ResolveError } from './errors.js';
import { resolveModels, BUILTIN_MODELS } from './models.js';
import { detectAuth, findRuntime, isLocalBaseUrl } from './runtimes.js';
import { selectRuntime } from './select-runtime.js';

/** A PATH directory holding fake executables with the given names (real files, mode 755). */
function binDir(...names: string[]): string {
  const dir = makeTempDir();
  for (const n of names) {
    writeTree(dir, { [n]: '#!/bin/sh\nexit 0\n' });
    chmodSync(join(dir, n), 0o755);
  }
  return dir;
}

const models = (...ids: Array<[string, string?]>) =>
  resolveModels(
    ids.map(([id, provider]) => ({ id, ...(provider ? { provider } : {}) })),
    BUILTIN_MODELS,
  ).models;

describe('runtime binaries on PATH', () => {
  it('never picks a binary through a relative PATH entry (an agent can plant bin/claude in its workdir)', () => {
    const dir = binDir('claude');
    const rel = relative(process.cwd(), dir);
    expect(isAbsolute(rel)).toBe(false);
    const select = (PATH: string) =>
      selectRuntime({ declared: 'claude-code', models: models(['claude-sonnet-4', 'anthropic']), env: { PATH } })
        .runtime;
    expect(select(rel).available).toBe(false);
    // Control: the same directory, given absolutely, is found.
    expect(select(`${rel}:${dir}`).path).toBe(join(dir, 'claude'));
  });
});

describe('selectRuntime', () => {
  it('test-echo maps to echo and is found on every Linux', () => {
    const s = selectRuntime({ declared: 'test-echo', models: models(['test-echo/demo']), env: process.env });
    expect(s.runtime).toMatchObject({ name: 'test-echo', binary: 'echo', available: true });
    expect(s.model).toBe('test-echo/demo');
  });

  it('maps a model provider to its runtime, preferring one that is installed', () => {
    const env = { PATH: binDir('opencode') };
    const s = selectRuntime({ models: models(['claude-sonnet-4', 'anthropic']), env });
    expect(s.runtime).toMatchObject({ name: 'opencode', available: true });
    expect(s.decisions.join('\n')).toContain(
      'first installed runtime for model claude-sonnet-4 (provider anthropic), credentials missing',
    );
    const withClaude = selectRuntime({
      models: models(['claude-sonnet-4', 'anthropic']),
      env: { PATH: binDir('opencode', 'claude') },
    });
    expect(withClaude.runtime.name).toBe('claude-code');
  });

  it('walks the models in order and reports a missing binary when none is installed', () => {
    const env = { PATH: binDir('gemini') };
    const s = selectRuntime({ models: models(['gpt-5'], ['gemini-2.5-pro']), env });
    expect(s.runtime.name).toBe('gemini-cli');
    expect(s.model).toBe('gemini-2.5-pro');
    const none = selectRuntime({ models: models(['gpt-5']), env: { PATH: '/nonexistent' } });
    expect(none.runtime).toMatchObject({ name: 'codex', binary: 'codex', available: false });
  });

  it('--runtime overrides the manifest, and an unknown runtime is an error', () => {
    const s = selectRuntime({
      override: 'ollama',
      declared: 'test-echo',
      models: models(['llama3.1']),
      env: { PATH: '/nonexistent' },
    });
    expect(s.runtime).toMatchObject({ name: 'ollama', available: false });
    expect(s.model).toBe('llama3.1');
    expect(() => selectRuntime({ declared: 'langgraph', models: {}, env: {} })).toThrow(ResolveError);
  });
});

describe('detectAuth reports a source by name, never a value', () => {
  it('local socket, env var, subscription, none', () => {
    const claude = findRuntime('claude-code')!;
    expect(detectAuth(findRuntime('test-echo')!, 'test-echo', {}).source).toBe('local socket');
    expect(detectAuth(findRuntime('ollama')!, 'ollama', {}).source).toBe('local socket');
    const secret = 'sk-ant-very-secret-value';
    const withKey = detectAuth(claude, 'anthropic', { ANTHROPIC_API_KEY: secret });
    expect(withKey.source).toBe('env:ANTHROPIC_API_KEY');
    expect(JSON.stringify(withKey)).not.toContain(secret);
    expect(detectAuth(claude, 'anthropic', {}).source).toBe('subscription:claude');
    expect(detectAuth(findRuntime('gemini-cli')!, 'google', { GOOGLE_API_KEY: 'x' }).source).toBe('env:GOOGLE_API_KEY');
    const aider = detectAuth(findRuntime('aider')!, 'openai', {});
    expect(aider.source).toBe('none');
    expect(aider.missing).toContain('OPENAI_API_KEY');
    // AgentSpec's goose/ (aider/, opencode/) prefix: the runtime's own configuration holds the credentials.
    expect(detectAuth(findRuntime('goose')!, 'goose', {}).source).toBe('config:goose');
  });
});

describe('the built-in harness runtime', () => {
  it('needs no binary, is never picked by provider routing, and a local base URL needs no key', () => {
    const s = selectRuntime({
      override: 'harness',
      models: { 'gpt-4o': { provider: 'openai', known: true } },
      env: { PATH: '' },
    });
    expect(s.runtime).toEqual({ name: 'harness', binary: '', available: true, version: HARNESS_VERSION });
    expect(s.model).toBe('gpt-4o');
    // Routing among external CLIs (an AgentSpec agent) never picks it, even with a key set and nothing installed.
    const routed = selectRuntime({
      dialect: 'agentspec',
      models: { 'gpt-4o': { provider: 'openai', known: true } },
      env: { PATH: '', OPENAI_API_KEY: 'x' },
    });
    expect(routed.runtime.name).toBe('codex');
    const harness = findRuntime('harness')!;
    expect(detectAuth(harness, 'openai', {}).missing).toContain('OPENAI_API_KEY');
    expect(detectAuth(harness, 'openai', { OPENAI_API_KEY: 'k' }).source).toBe('env:OPENAI_API_KEY');
    expect(detectAuth(harness, 'openai', { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }).source).toBe('local socket');
    expect(detectAuth(harness, 'anthropic', { ANTHROPIC_BASE_URL: 'https://api.example.com' }).source).toBe('none');
    expect(isLocalBaseUrl('http://localhost:8000/v1')).toBe(true);
    expect(isLocalBaseUrl('http://192.168.1.2/v1')).toBe(true);
    expect(isLocalBaseUrl('https://api.openai.com/v1')).toBe(false);
  });
});

describe("the harness's version", () => {
  it('is recorded for the built-in runtime only, read from the version subpath (none of the harness is loaded)', () => {
    expect(HARNESS_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    const external = selectRuntime({
      override: 'claude-code',
      models: models(['claude-sonnet-4', 'anthropic']),
      env: { PATH: '' },
    });
    expect(external.runtime.version).toBeUndefined();
    // The resolver imports the harness only through `@agentlang/harness/version`, a module with no imports.
    const dir = new URL('.', import.meta.url);
    const imports = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .flatMap((f) =>
        [...readFileSync(new URL(f, dir), 'utf8').matchAll(/from '(@agentlang\/harness[^']*)'/g)].map((m) => m[1]),
      );
    expect(imports).toEqual(['@agentlang/harness/version']);
    const versionModule = readFileSync(new URL(import.meta.resolve('@agentlang/harness/version')), 'utf8');
    expect(versionModule).not.toMatch(/\bimport\b/);
    // …and the build inlines it: the published resolver neither imports nor depends on the harness.
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.dependencies?.['@agentlang/harness']).toBeUndefined();
    expect(pkg.peerDependencies?.['@agentlang/harness']).toBeUndefined();
    const built = readFileSync(new URL('../dist/index.js', import.meta.url), 'utf8');
    expect(built).not.toContain('@agentlang/harness');
    expect(built).toContain(JSON.stringify(HARNESS_VERSION));
  });
});

describe('the default runtime of an AgentLang agent', () => {
  const claude = models(['claude-sonnet-4', 'anthropic']);

  it('is the built-in harness, whatever CLIs the host has installed', () => {
    const bare = selectRuntime({ dialect: 'agentlang', models: claude, env: { PATH: '' } });
    const loaded = selectRuntime({
      dialect: 'agentlang',
      models: claude,
      env: { PATH: binDir('claude', 'opencode'), ANTHROPIC_API_KEY: 'k' },
    });
    for (const s of [bare, loaded]) {
      expect(s.runtime).toEqual({ name: 'harness', binary: '', available: true, version: HARNESS_VERSION });
      expect(s.model).toBe('claude-sonnet-4');
      expect(s.decisions[0]).toContain('runtime harness: the default for an AgentLang agent that names no runtime');
    }
    // The first model it can drive, in declaration order.
    expect(
      selectRuntime({ dialect: 'agentlang', models: models(['gemini-2.5-pro'], ['gpt-5']), env: { PATH: '' } }).model,
    ).toBe('gpt-5');
  });

  it('an external CLI runs when chosen: --runtime, the manifest, or the host configuration', () => {
    const env = { PATH: binDir('claude') };
    const flag = selectRuntime({ override: 'claude-code', dialect: 'agentlang', models: claude, env });
    const declared = selectRuntime({ declared: 'claude-code', dialect: 'agentlang', models: claude, env });
    const host = selectRuntime({ host: 'claude', dialect: 'agentlang', models: claude, env });
    for (const s of [flag, declared, host]) expect(s.runtime).toMatchObject({ name: 'claude-code', available: true });
    expect(host.decisions[0]).toBe('runtime claude-code: named by the host configuration (AGENTLANG_RUNTIME)');
    // The manifest's runtime wins over the host's; --runtime over both.
    expect(
      selectRuntime({ declared: 'test-echo', host: 'claude-code', dialect: 'agentlang', models: claude, env }).runtime
        .name,
    ).toBe('test-echo');
    expect(
      selectRuntime({ override: 'harness', declared: 'claude-code', host: 'codex', models: claude, env }).runtime.name,
    ).toBe('harness');
    expect(() => selectRuntime({ host: 'langgraph', models: claude, env })).toThrow(
      /unknown runtime "langgraph" \(from the host configuration \(AGENTLANG_RUNTIME\)\)/,
    );
  });

  it('without a model the harness can drive (test-echo, local, google, none), routing decides as before', () => {
    const echo = selectRuntime({ dialect: 'agentlang', models: models(['test-echo/demo']), env: process.env });
    expect(echo.runtime.name).toBe('test-echo');
    expect(echo.decisions[0]).toBe(
      'runtime harness: not the default here, it drives only openai and anthropic models and none of test-echo/demo is one; routing instead',
    );
    expect(
      selectRuntime({ dialect: 'agentlang', models: models(['gemini-2.5-pro']), env: { PATH: binDir('gemini') } })
        .runtime.name,
    ).toBe('gemini-cli');
    const none = selectRuntime({ dialect: 'agentlang', models: {}, env: { PATH: binDir('codex') } });
    expect(none.runtime.name).toBe('codex');
    expect(none.decisions[0]).toContain('no model is declared; routing instead');
    // A local agent (trust.network none with a local model) never goes to a hosted model, harness or not.
    const local = selectRuntime({
      dialect: 'agentlang',
      localOnly: true,
      models: models(['claude-sonnet-4', 'anthropic'], ['llama3.1']),
      env: { PATH: '' },
    });
    expect([local.runtime.name, local.model]).toEqual(['ollama', 'llama3.1']);
  });
});
