import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadAgent } from '@agentlang/manifest';
import { makeTempDir, rejectedWith, writeTree } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { ResolveError } from './errors.js';
import { inferProvider } from './models.js';
import { resolvePlan } from './resolve.js';
import { selectRuntime } from './select-runtime.js';

// AgentSpec model routing (issue 14 §2): provider prefixes, capability/fallback tiers, network: none.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = makeTempDir('agentlang-routing-');
  dirs.push(d);
  return d;
}
/** A PATH directory holding executables with the given names (real files, mode 755). */
function bin(...names: string[]): string {
  const dir = temp();
  for (const n of names) {
    writeTree(dir, { [n]: '#!/bin/sh\nexit 0\n' });
    chmodSync(join(dir, n), 0o755);
  }
  return dir;
}
async function agent(body: string) {
  const dir = writeTree(temp(), { 'a.agent': `apiVersion: agent/v1\nname: universal-coder\nversion: 1.0.0\n${body}` });
  return loadAgent(join(dir, 'a.agent'));
}
const resolveWith = async (body: string, env: Record<string, string>) =>
  resolvePlan(await agent(body), { env, probeMcp: false });

// guides/multi-runtime.md, verbatim model block.
const UNIVERSAL = `model:
  capability: reasoning-high
  preferred:
    - claude/claude-sonnet-4-6
    - gemini/gemini-2.5-pro
    - openai/o3
    - local/llama3:70b
  fallback: reasoning-mid
trust:
  network: allowed
`;

describe('AgentSpec model routing', () => {
  it('every provider prefix AgentSpec routes maps to its provider', () => {
    expect(
      [
        'claude/x',
        'anthropic/x',
        'gemini/x',
        'google/x',
        'openai/x',
        'local/x',
        'ollama/x',
        'opencode/x',
        'cursor/x',
        'goose/x',
        'aider/x',
      ].map(inferProvider),
    ).toEqual([
      'anthropic',
      'anthropic',
      'google',
      'google',
      'openai',
      'ollama',
      'ollama',
      'opencode',
      'cursor',
      'goose',
      'aider',
    ]);
  });

  it('the same agent resolves to claude, gemini or local ollama by what is installed and authenticated (multi-runtime.md)', async () => {
    const claude = await resolveWith(UNIVERSAL, { PATH: bin('claude', 'gemini', 'ollama'), ANTHROPIC_API_KEY: 'k' });
    expect([claude.runtime.name, claude.model, claude.authSource]).toEqual([
      'claude-code',
      'claude/claude-sonnet-4-6',
      'env:ANTHROPIC_API_KEY',
    ]);
    const gemini = await resolveWith(UNIVERSAL, { PATH: bin('gemini', 'ollama'), GOOGLE_API_KEY: 'k' });
    expect([gemini.runtime.name, gemini.model]).toEqual(['gemini-cli', 'gemini/gemini-2.5-pro']);
    // codex is installed but OPENAI_API_KEY is not set and codex has no subscription here: skipped, like AgentSpec.
    const local = await resolveWith(UNIVERSAL.replace('openai/o3', 'openai/gpt-4o'), { PATH: bin('ollama') });
    expect([local.runtime.name, local.model, local.authSource]).toEqual(['ollama', 'local/llama3:70b', 'local socket']);
  });

  it('opencode/, cursor/, goose/ and aider/ run on their own runtimes; codex-cli is codex', async () => {
    for (const [prefix, runtime, binary] of [
      ['opencode', 'opencode', 'opencode'],
      ['cursor', 'cursor-cli', 'cursor-agent'],
      ['goose', 'goose', 'goose'],
      ['aider', 'aider', 'aider'],
    ] as const) {
      const plan = await resolveWith(`model:\n  preferred:\n    - ${prefix}/some-model\ntrust:\n  network: allowed\n`, {
        PATH: bin(binary),
        CURSOR_API_KEY: 'k',
      });
      expect([plan.runtime.name, plan.model]).toEqual([runtime, `${prefix}/some-model`]);
    }
    const codex = await resolveWith(
      'runtime: codex-cli\nmodel:\n  preferred:\n    - openai/o3\ntrust:\n  network: allowed\n',
      { PATH: bin('codex') },
    );
    expect(codex.runtime.name).toBe('codex');
  });

  it('fallback: when no preferred model can run here, the fallback tier is tried', async () => {
    const plan = await resolveWith(
      'model:\n  preferred:\n    - openai/o3\n  fallback: reasoning-mid\ntrust:\n  network: allowed\n',
      { PATH: bin('ollama') },
    );
    expect([plan.runtime.name, plan.model]).toEqual(['ollama', 'local/llama3:70b']);
    expect(plan.models['local/llama3:70b']).toMatchObject({ provider: 'ollama' });
    expect(plan.decisions.join('\n')).toContain('fallback tier model local/llama3:70b');
  });

  it('capability alone (no preferred list) stands for its tier', async () => {
    const plan = await resolveWith('model:\n  capability: reasoning-low\ntrust:\n  network: allowed\n', {
      PATH: bin('ollama'),
    });
    expect([plan.runtime.name, plan.model]).toEqual(['ollama', 'local/llama3:8b']);
  });

  it('a network: none agent is never routed to a hosted model, even with keys set and hosted models listed first', async () => {
    const env = { PATH: bin('claude', 'codex', 'ollama'), ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'k' };
    const local = await resolveWith(UNIVERSAL.replace('network: allowed', 'network: none'), env);
    expect([local.runtime.name, local.model]).toEqual(['ollama', 'local/llama3:70b']);
    expect(local.decisions.join('\n')).toContain('skipped, trust.network is none');
    const tiered = await resolveWith(
      'model:\n  preferred:\n    - claude/claude-sonnet-4-6\n  fallback: reasoning-mid\ntrust:\n  network: none\n',
      env,
    );
    expect([tiered.runtime.name, tiered.model]).toEqual(['ollama', 'local/llama3:70b']);
    // Not a local agent (no local model declared): network none is the agent's trust, not the runtime's endpoint.
    const hostedOnly = await resolveWith(
      'model:\n  preferred:\n    - claude/claude-sonnet-4-6\ntrust:\n  network: none\n',
      env,
    );
    expect(hostedOnly.runtime.name).toBe('claude-code');
    // network: none only by default (no trust: written) routes as multi-runtime.md shows.
    const defaulted = await resolveWith(UNIVERSAL.replace('trust:\n  network: allowed\n', ''), env);
    expect([defaulted.runtime.name, defaulted.model]).toEqual(['claude-code', 'claude/claude-sonnet-4-6']);
    // A runtime named explicitly is a choice, not routing: it stands, with a warning.
    const explicit = await resolveWith(
      'runtime: claude-code\nmodel:\n  preferred:\n    - claude/claude-sonnet-4-6\n    - local/llama3.2\ntrust:\n  network: none\n',
      env,
    );
    expect([explicit.runtime.name, explicit.model]).toEqual(['claude-code', 'claude/claude-sonnet-4-6']);
    expect(explicit.warnings).toContainEqual(expect.stringContaining('trust.network is none, but runtime claude-code'));
  });

  it('local-only routing with no local model is RESOLVE_MODEL_UNROUTABLE', async () => {
    const error = await rejectedWith(ResolveError, () =>
      selectRuntime({ models: { 'claude/x': { provider: 'anthropic', known: false } }, env: {}, localOnly: true }),
    );
    expect(error.code).toBe('RESOLVE_MODEL_UNROUTABLE');
  });
});
