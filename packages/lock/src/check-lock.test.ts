import { describe, expect, it } from 'vitest';
import {
  assertLockMatches,
  checkLock,
  createLock,
  LOCK_SCHEMA_V1,
  type LockError,
  lockHostPart,
  portableLockDigest,
} from './index.js';
import { demoPlan, researchPlan } from './testing/plans.js';

const hex = (c: string) => c.repeat(64);

describe('checkLock', () => {
  const lock = createLock(researchPlan(), { manifestPath: 'agent.yaml' });

  it('finds nothing when the plan is unchanged, even if host facts differ', () => {
    expect(checkLock(lock, researchPlan())).toEqual([]);
    const elsewhere = {
      ...researchPlan(),
      host: { os: 'darwin', arch: 'arm64' },
      authSource: 'subscription:claude',
      decisions: [],
    };
    expect(checkLock(lock, elsewhere)).toEqual([]);
  });

  it("gives seed 000's message, with full digests, for a changed manifest", () => {
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
    expect(drifts[1]).toMatchObject({ subject: 'prompt', locked: `sha256:${hex('d')}`, current: `sha256:${hex('7')}` });
    expect(drifts[2]).toMatchObject({
      subject: 'system prompt (xml)',
      locked: `sha256:${hex('9')}`,
      current: `sha256:${hex('8')}`,
    });
  });

  it('catches each kind of drift on its own', () => {
    const cases: Array<[string, (p: ReturnType<typeof researchPlan>) => void, RegExp]> = [
      [
        'file',
        (p) => p.files.push({ path: 'skills/x/SKILL.md', sha256: `sha256:${hex('a')}`, role: 'skill:x' }),
        /^file skill:x \(sha256:a+\) is not in the lock$/,
      ],
      [
        'file',
        (p) => p.files.pop(),
        /^file agent:market-analyst is recorded in the lock .* but no longer part of the agent$/,
      ],
      [
        'prompt',
        (p) => {
          p.systemPromptDigests = { ...p.systemPromptDigests, markdown: `sha256:${hex('c')}` };
        },
        /^system prompt compiled to markdown is sha256:c+ but the lock records sha256:9+8$/,
      ],
      [
        'tool',
        (p) => {
          p.tools[0]!.version = '1.2.4';
        },
        /^tool web_search is 1\.2\.4, integrity sha256:2+ but the lock records 1\.2\.3/,
      ],
      [
        'tool',
        (p) => {
          p.tools[0]!.integrity = `sha256:${hex('c')}`;
        },
        /^tool web_search is .*sha256:c+ but the lock records .*sha256:2+$/,
      ],
      [
        'agent',
        (p) => {
          p.subAgents[0]!.digest = `ag1:${hex('c')}`;
        },
        /^sub-agent research-assistant → specialists\/market-analyst.yaml is market-analyst@1\.0\.0 ag1:c+/,
      ],
      [
        'model-capabilities',
        (p) => {
          p.models['claude-sonnet-4']!.contextWindow = 100000;
        },
        /^model claude-sonnet-4 is .*100000/,
      ],
      [
        'mcp-server',
        (p) => {
          p.mcpServers[0]!.server.version = '2.0.0';
        },
        /^MCP server everything is example-servers\/everything@2\.0\.0/,
      ],
      [
        'mcp-server',
        (p) => {
          p.mcpServers[0]!.tools[0]!.schemaDigest = `sha256:${hex('c')}`;
        },
        /^MCP tool everything\/echo is schema sha256:c+ but the lock records schema sha256:5+$/,
      ],
      [
        'mcp-server',
        (p) => {
          p.mcpServers[0]!.tools.pop();
        },
        /^MCP tool everything\/add is recorded in the lock/,
      ],
    ];
    for (const [kind, mutate, message] of cases) {
      const plan = structuredClone(researchPlan());
      mutate(plan);
      const drifts = checkLock(lock, plan);
      expect(
        drifts.map((d) => d.kind),
        message.source,
      ).toEqual([kind]);
      expect(drifts[0]!.message).toMatch(message);
    }
  });

  it('reports a removed prompt for every target', () => {
    const plan = structuredClone(researchPlan());
    plan.systemPromptSha256 = null;
    plan.systemPromptDigests = {};
    expect(checkLock(lock, plan).map((d) => d.subject)).toEqual(['system prompt (markdown)', 'system prompt (xml)']);
  });

  it('checks the portable part only: another runtime, model, auth source, host or catalog directory is no drift', () => {
    // The lock was made where claude-code ran (xml prompt); here test-echo runs it (markdown prompt).
    const here = structuredClone(researchPlan());
    here.runtime = { name: 'test-echo', binary: 'echo', path: '/usr/bin/echo', available: true };
    here.promptTarget = 'markdown';
    here.systemPromptSha256 = here.systemPromptDigests!.markdown!;
    here.model = null;
    here.authSource = 'local socket';
    here.host = { os: 'darwin', arch: 'arm64' };
    here.tools[1]!.source = 'catalog:/srv/elsewhere/tools';
    expect(checkLock(lock, here)).toEqual([]);
    // The portable digest is the same for both; the host parts differ.
    const there = createLock(here, { manifestPath: 'moved.yaml' });
    expect(portableLockDigest(there)).toBe(portableLockDigest(lock));
    expect(lockHostPart(lock)).toEqual({
      runtime: 'claude-code',
      model: 'claude-sonnet-4',
      auth_source: 'env:ANTHROPIC_API_KEY',
      os: 'linux',
      arch: 'x64',
    });
    expect(lockHostPart(there)).toMatchObject({ runtime: 'test-echo', model: null });
  });

  it('names files by role: the same manifest under another file name (a pulled copy) holds', () => {
    const demoLock = createLock(demoPlan(), { manifestPath: 'demo.agent' });
    const pulled = demoPlan({ files: [{ path: 'demo@0.1.0.agent', sha256: `sha256:${hex('c')}`, role: 'manifest' }] });
    expect(checkLock(demoLock, pulled)).toEqual([]);
    expect(Object.keys(demoLock.files)).toEqual(['manifest']);
  });

  it('checks a v1 lock as v1 did: runtime, model and tool source pinned, files by path', () => {
    const v1 = createLock(researchPlan(), { manifestPath: 'agent.yaml', schema: LOCK_SCHEMA_V1 });
    expect(v1.schema).toBe('agentlang.lock/v1');
    expect(Object.keys(v1.files)).toContain('specialists/market-analyst.yaml');
    expect(v1.resolved.system_prompts).toBeUndefined();
    expect(checkLock(v1, researchPlan())).toEqual([]);
    const cases: Array<[string, (p: ReturnType<typeof researchPlan>) => void, RegExp]> = [
      [
        'runtime',
        (p) => {
          p.runtime = { ...p.runtime, name: 'malicious-cli' };
        },
        /^runtime malicious-cli does not match lock's recorded runtime claude-code/,
      ],
      [
        'model',
        (p) => {
          p.model = 'gpt-5';
        },
        /^model gpt-5 does not match/,
      ],
      [
        'tool',
        (p) => {
          p.tools[1]!.source = 'catalog:/srv/tools';
        },
        /^tool artifacts is 1\.0\.0 from catalog:\/srv\/tools/,
      ],
      [
        'prompt',
        (p) => {
          p.systemPromptSha256 = null;
        },
        /^system prompt none does not match lock's recorded sha256:9+$/,
      ],
    ];
    for (const [kind, mutate, message] of cases) {
      const plan = structuredClone(researchPlan());
      mutate(plan);
      const drifts = checkLock(v1, plan);
      expect(
        drifts.map((d) => d.kind),
        message.source,
      ).toEqual([kind]);
      expect(drifts[0]!.message).toMatch(message);
    }
  });
});
