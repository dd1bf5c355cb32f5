import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { loadAgent } from '@agentlang/manifest';
import { makeTempDir, rejectedWith, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { sha256 } from './canonical.js';
import { ResolveError } from './errors.js';
import { formatPlanText } from './format.js';
import { resolvePlan } from './resolve.js';
import { compileSystemPrompt } from './system-prompt.js';

// End to end with the real loader of @agentlang/manifest: files on disk → LoadedAgent → plan.

const SPECIALIST = (name: string, extra = '') =>
  `name: ${name}\ndescription: |\n  Specialist ${name}.\ntools:\n  - name: web_search\n${extra}`;

const fail = (p: Promise<unknown>): Promise<ResolveError> => rejectedWith(ResolveError, p);

describe('resolvePlan with loadAgent', () => {
  it('static delegation: each sub-agent digest, path, depth and permission; prompt digest only', async () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': [
        'name: research-assistant',
        'version: 1.0.0',
        'models:',
        '  test-echo/demo:',
        '    provider: test-echo',
        'tools:',
        '  - name: web_search',
        '    version: ^1.2.0',
        'delegate:',
        '  agents:',
        '    - ./specialists/academic-researcher.yaml',
        '    - ./specialists/market-analyst.yaml',
        '  max_depth: 3',
        '  permissions:',
        '    academic-researcher: always',
        '    market-analyst: session',
        '',
      ].join('\n'),
      'prompt.yaml':
        'version: 2\nrole: user\nsections:\n  - name: mindset\n    content: |\n      SECRET-SAUCE persona text\n',
      'specialists/academic-researcher.yaml': SPECIALIST('academic-researcher'),
      'specialists/market-analyst.yaml': SPECIALIST('market-analyst'),
    });
    const agent = await loadAgent(dir);
    const plan = await resolvePlan(agent);
    expect(plan.runtime.name).toBe('test-echo');
    expect(plan.subAgents.map((s) => [s.name, s.path, s.depth, s.parent, s.permission])).toEqual([
      ['academic-researcher', 'specialists/academic-researcher.yaml', 1, 'research-assistant', 'always'],
      ['market-analyst', 'specialists/market-analyst.yaml', 1, 'research-assistant', 'session'],
    ]);
    const sub = await loadAgent(`${dir}/specialists/academic-researcher.yaml`, { partial: true });
    expect(plan.subAgents[0]!.digest).toBe(sub.digest);
    expect(plan.systemPromptSha256).toBe(sha256(compileSystemPrompt(agent, 'markdown')));
    expect(compileSystemPrompt(agent)).toContain('SECRET-SAUCE');
    expect(JSON.stringify(plan)).not.toContain('SECRET-SAUCE');
    expect(formatPlanText(plan)).toContain('  Agents:   academic-researcher, market-analyst');
  });

  it('dynamic discovery finds co-located specialists', async () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': [
        'name: research-agent',
        'version: 1.0.0',
        'runtime: test-echo',
        'tools:',
        '  - name: delegate',
        '    config:',
        '      mode: dynamic',
        '      discovery: directory',
        '      max_depth: 3',
        '',
      ].join('\n'),
      'academic-researcher.yaml': SPECIALIST('academic-researcher'),
      'report-writer.yaml': SPECIALIST('report-writer'),
    });
    const plan = await resolvePlan(await loadAgent(dir));
    expect(plan.subAgents.map((s) => s.name).sort()).toEqual(['academic-researcher', 'report-writer']);
    expect(plan.tools.map((t) => `${t.name}@${t.version}`)).toEqual(['delegate@1.1.0']);
  });

  it('a sub-agent delegating back is a cycle with its chain; too deep is refused', async () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': 'name: boss\nversion: 1.0.0\nruntime: test-echo\ndelegate:\n  agents: [./a.yaml]\n  max_depth: 5\n',
      'a.yaml': 'name: a\ndelegate:\n  agents: [./b.yaml]\n',
      'b.yaml': 'name: b\ndelegate:\n  agents: [./a.yaml]\n',
    });
    const e = await fail(resolvePlan(await loadAgent(dir)));
    expect(e.code).toBe('RESOLVE_DELEGATE_CYCLE');
    expect(e.message).toContain('a → b → a');

    const deep = writeTree(makeTempDir(), {
      'agent.yaml': 'name: boss\nversion: 1.0.0\nruntime: test-echo\ndelegate:\n  agents: [./a.yaml]\n  max_depth: 1\n',
      'a.yaml': 'name: a\ndelegate:\n  agents: [./b.yaml]\n',
      'b.yaml': 'name: b\n',
    });
    const d = await fail(resolvePlan(await loadAgent(deep)));
    expect(d.code).toBe('RESOLVE_DELEGATE_DEPTH');
    expect(d.message).toContain('boss → a → b');
  });
});

describe('the default runtime, by dialect', () => {
  const claudeBin = () => {
    const dir = writeTree(makeTempDir(), { claude: '#!/bin/sh\nexit 0\n' });
    chmodSync(join(dir, 'claude'), 0o755);
    return dir;
  };

  it('agent.yaml naming no runtime runs on the built-in harness; AGENTLANG_RUNTIME or runtime: choose a CLI', async () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': 'name: helper\nversion: 1.0.0\nmodels:\n  claude-sonnet-4:\n    provider: anthropic\n',
    });
    const env = { PATH: claudeBin(), ANTHROPIC_API_KEY: 'k' };
    const plan = await resolvePlan(await loadAgent(dir), { env });
    expect([plan.runtime.name, plan.model, plan.authSource, plan.missing]).toEqual([
      'harness',
      'claude-sonnet-4',
      'env:ANTHROPIC_API_KEY',
      [],
    ]);
    expect(formatPlanText(plan)).toContain('  Runtime:  harness (built in)\n');
    expect(
      (await resolvePlan(await loadAgent(dir), { env: { ...env, AGENTLANG_RUNTIME: 'claude-code' } })).runtime.name,
    ).toBe('claude-code');
    expect((await resolvePlan(await loadAgent(dir), { env, runtime: 'claude-code' })).runtime.name).toBe('claude-code');
    // An unknown host runtime is the host's error, not located in the manifest.
    const e = await fail(resolvePlan(await loadAgent(dir), { env: { ...env, AGENTLANG_RUNTIME: 'langgraf' } }));
    expect([e.code, e.details.from, e.message.includes('agent.yaml:')]).toEqual([
      'RESOLVE_RUNTIME_UNKNOWN',
      'the host configuration (AGENTLANG_RUNTIME)',
      false,
    ]);
  });

  it('an AgentSpec manifest (apiVersion: agent/v1) naming no runtime is routed among external CLIs as before', async () => {
    const dir = writeTree(makeTempDir(), {
      'helper.agent':
        'apiVersion: agent/v1\nname: helper\nversion: 1.0.0\nmodel:\n  preferred:\n    - claude/claude-sonnet-4-6\n',
    });
    const plan = await resolvePlan(await loadAgent(join(dir, 'helper.agent')), {
      env: { PATH: claudeBin(), ANTHROPIC_API_KEY: 'k' },
    });
    expect([plan.runtime.name, plan.model]).toEqual(['claude-code', 'claude/claude-sonnet-4-6']);
  });
});
