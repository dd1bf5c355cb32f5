import { createHash } from 'node:crypto';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, runCli } from '@agentlang/test-helpers';
import { afterAll, describe, expect, it } from 'vitest';

// Issue 14 §2: the AgentSpec corpus (examples/agentspec) validates, resolves and runs with test-echo,
// and the prompt `compile` shows is the one `resolve` pins (so the one `run` hands the runtime).
const work = makeTempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));
cpSync(join(import.meta.dirname, '../../../examples/agentspec'), work, { recursive: true }); // run writes .agentlang/records

const RUNNABLE = [
  'researcher',
  'legal-researcher.agent',
  'pricing-analyst.agent',
  'sandboxed-intern.agent',
  'pulled.agent',
  'fastapi-dev.agent',
  'override.agent',
  'bases/researcher.agent',
];
// bases/coder.agent is validated but not run alone: its scope paths are relative to the agent that extends it.

describe('AgentSpec manifests as AgentSpec writes them', () => {
  it.each(RUNNABLE)('%s validates, resolves and runs with test-echo', (agent) => {
    const validate = runCli(['validate', agent], { cwd: work });
    expect(validate.status, validate.stderr).toBe(0);

    const resolved = runCli(['resolve', agent, '--runtime', 'test-echo', '--json'], { cwd: work });
    expect(resolved.status, resolved.stderr).toBe(0);
    const plan = JSON.parse(resolved.stdout);
    expect(plan.agent.dialect).toBe('agentspec');
    const compiled = runCli(['compile', agent], { cwd: work });
    expect(compiled.status, compiled.stderr).toBe(0);
    expect(compiled.stdout.length).toBeGreaterThan(0);
    expect(plan.systemPromptSha256).toBe(`sha256:${createHash('sha256').update(compiled.stdout).digest('hex')}`);

    const ran = runCli(['run', agent, '--runtime', 'test-echo', '--prompt', 'hello'], { cwd: work, timeoutMs: 60_000 });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(`[test-echo] ${plan.agent.name}@${plan.agent.version}`);
  });

  it('the directory agent compiles SOUL.md, the traits as sentences and RULES.md, never the sampling settings', () => {
    const r = runCli(['compile', 'researcher'], { cwd: work });
    expect(r.stdout).toContain('You are a careful research agent.');
    expect(r.stdout).toContain('- Mark anything you are not sure of with [UNCERTAIN].');
    expect(r.stdout).toContain('- Invent a citation');
    expect(r.stdout).not.toContain('0.3');
  });

  it('tools.mcp names map to MCP servers (resolved without starting them)', () => {
    const r = runCli(['resolve', 'mcp-tools.agent', '--runtime', 'test-echo', '--no-mcp'], { cwd: work });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('  MCP:      everything (0 tools), filesystem (0 tools), local-notes (0 tools)');
  });

  it('a child that widens its base is refused, naming the base, the field, both values and the fix (exit 10)', () => {
    const dir = makeTempDir();
    cpSync(join(work, 'bases'), join(dir, 'bases'), { recursive: true });
    const child = 'apiVersion: agent/v1\nname: wider\nbase: ./bases/researcher.agent\ntrust:\n  exec: sandboxed\n';
    writeFileSync(join(dir, 'wider.agent'), child);
    const r = runCli(['validate', 'wider.agent'], { cwd: dir });
    expect(r.status).toBe(10);
    expect(r.stderr).toContain(
      'wider.agent:5:9: error MANIFEST_INHERITANCE trust.exec "sandboxed" widens the base\'s "none" (bases/researcher.agent)',
    );
    expect(r.stderr).toContain('base bases/researcher.agent: filesystem: none, network: allowed, exec: none');
    expect(r.stderr).toContain(
      "declare a new base that grants it (a manifest without base:), or widen bases/researcher.agent's trust itself",
    );
  });
});
