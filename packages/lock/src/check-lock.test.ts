import { describe, expect, it } from 'vitest';
import { assertLockMatches, checkLock, createLock, type LockError } from './index.js';
import { demoPlan, researchPlan } from './testing/plans.js';

const hex = (c: string) => c.repeat(64);

describe('checkLock', () => {
  const lock = createLock(researchPlan(), { manifestPath: 'agent.yaml' });

  it('finds nothing when the plan is unchanged, even if host facts differ', () => {
    expect(checkLock(lock, researchPlan())).toEqual([]);
    const elsewhere = { ...researchPlan(), host: { os: 'darwin', arch: 'arm64' }, authSource: 'subscription:claude', decisions: [] };
    expect(checkLock(lock, elsewhere)).toEqual([]);
  });

  it('gives seed 000\'s message, with full digests, for a changed manifest', () => {
    const demoLock = createLock(demoPlan(), { manifestPath: 'demo.agent' });
    const edited = demoPlan({ agent: { ...demoPlan().agent, digest: `ag1:${hex('f')}` } });
    let error: LockError | undefined;
    try {
      assertLockMatches(demoLock, edited, { agentPath: 'demo.agent' });
    } catch (e) {
      error = e as LockError;
    }
    expect(error?.code).toBe('LOCK_DRIFT');
    expect(error?.message).toBe(
      `manifest hash ag1:${hex('f')} does not match lock's recorded hash ag1:${hex('a')}\n` +
        '  Re-run `agentlang lock demo.agent` if the drift is intentional.',
    );
    expect(error?.details?.drifts).toHaveLength(1);
  });

  it('reports manifest drift first, then every other drift in details', () => {
    const plan = researchPlan();
    plan.agent.digest = `ag1:${hex('2')}`;
    plan.files = plan.files.map((f) => (f.path === 'prompt.yaml' ? { ...f, sha256: `sha256:${hex('7')}` } : f));
    plan.systemPromptSha256 = `sha256:${hex('8')}`;
    const drifts = checkLock(lock, plan);
    expect(drifts.map((d) => d.kind)).toEqual(['manifest', 'file', 'prompt']);
    expect(drifts[1]).toMatchObject({ subject: 'prompt.yaml', locked: `sha256:${hex('d')}`, current: `sha256:${hex('7')}` });
  });

  it('catches each kind of drift on its own', () => {
    const cases: Array<[string, (p: ReturnType<typeof researchPlan>) => void, RegExp]> = [
      ['file', (p) => p.files.push({ path: 'skills/x/SKILL.md', sha256: `sha256:${hex('a')}` }), /^file skills\/x\/SKILL.md \(sha256:a+\) is not in the lock$/],
      ['file', (p) => p.files.pop(), /^file specialists\/market-analyst.yaml is recorded in the lock .* but no longer part of the agent$/],
      ['prompt', (p) => { p.systemPromptSha256 = null; }, /^system prompt none does not match lock's recorded sha256:9+$/],
      ['runtime', (p) => { p.runtime = { ...p.runtime, name: 'malicious-cli' }; }, /^runtime malicious-cli does not match lock's recorded runtime claude-code$/],
      ['model', (p) => { p.model = 'gpt-5'; }, /^model gpt-5 does not match/],
      ['tool', (p) => { p.tools[0]!.version = '1.2.4'; }, /^tool web_search is 1\.2\.4 from builtin, integrity sha256:2+ but the lock records 1\.2\.3/],
      ['tool', (p) => { p.tools[0]!.integrity = `sha256:${hex('c')}`; }, /^tool web_search is .*sha256:c+ but the lock records .*sha256:2+$/],
      ['tool', (p) => { p.tools[1]!.source = 'catalog:/srv/tools'; }, /^tool artifacts is 1\.0\.0 from catalog:\/srv\/tools/],
      ['agent', (p) => { p.subAgents[0]!.digest = `ag1:${hex('c')}`; }, /^sub-agent research-assistant → specialists\/market-analyst.yaml is market-analyst@1\.0\.0 ag1:c+/],
      ['model-capabilities', (p) => { p.models['claude-sonnet-4']!.contextWindow = 100000; }, /^model claude-sonnet-4 is .*100000/],
      ['mcp-server', (p) => { p.mcpServers[0]!.server.version = '2.0.0'; }, /^MCP server everything is example-servers\/everything@2\.0\.0/],
      ['mcp-server', (p) => { p.mcpServers[0]!.tools[0]!.schemaDigest = `sha256:${hex('c')}`; }, /^MCP tool everything\/echo is schema sha256:c+ but the lock records schema sha256:5+$/],
      ['mcp-server', (p) => { p.mcpServers[0]!.tools.pop(); }, /^MCP tool everything\/add is recorded in the lock/],
    ];
    for (const [kind, mutate, message] of cases) {
      const plan = structuredClone(researchPlan());
      mutate(plan);
      const drifts = checkLock(lock, plan);
      expect(drifts.map((d) => d.kind), message.source).toEqual([kind]);
      expect(drifts[0]!.message).toMatch(message);
    }
  });
});
