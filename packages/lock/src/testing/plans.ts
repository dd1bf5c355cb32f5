import type { ResolvedPlan } from '@agentlang/resolver';

const hex = (c: string) => c.repeat(64);

/** Seed 000's demo agent as a resolved plan (test-echo, no tools), built by hand for tests. */
export function demoPlan(overrides: Partial<ResolvedPlan> = {}): ResolvedPlan {
  return {
    schema: 'agentlang.plan/v1',
    agent: { name: 'demo', version: '0.1.0', digest: `ag1:${hex('a')}`, dialect: 'agentspec' },
    runtime: { name: 'test-echo', binary: 'echo', path: '/usr/bin/echo', available: true },
    model: 'test-echo/demo',
    authSource: 'local socket',
    tools: [],
    models: { 'test-echo/demo': { provider: 'test-echo', known: true } },
    mcpServers: [],
    dependencies: [],
    permissions: { host: 'raw-os', required: [], optional: [], granted: [], degraded: [] },
    subAgents: [],
    systemPromptSha256: `sha256:${hex('b')}`,
    promptTarget: 'markdown',
    systemPromptDigests: { markdown: `sha256:${hex('b')}`, xml: `sha256:${'b'.repeat(63)}c` },
    files: [{ path: 'demo.agent', sha256: `sha256:${hex('c')}`, role: 'manifest' }],
    trust: { filesystem: 'none', network: 'none', exec: 'full', scope: [] },
    host: { os: 'linux', arch: 'x64' },
    warnings: [],
    missing: [],
    decisions: ['runtime test-echo: from `runtime:`'],
    ...overrides,
  };
}

/** Seed 003's research assistant as a plan: catalog tools, sub-agents, model capabilities, an MCP server. */
export function researchPlan(): ResolvedPlan {
  return demoPlan({
    agent: { name: 'research-assistant', version: '1.0.0', digest: `ag1:${hex('1')}`, dialect: 'agentlang' },
    runtime: { name: 'claude-code', binary: 'claude', available: false },
    model: 'claude-sonnet-4',
    authSource: 'env:ANTHROPIC_API_KEY',
    tools: [
      {
        name: 'web_search',
        constraint: '^1.2.0',
        version: '1.2.3',
        source: 'builtin',
        integrity: `sha256:${hex('2')}`,
      },
      { name: 'artifacts', constraint: '*', version: '1.0.0', source: 'builtin', integrity: `sha256:${hex('3')}` },
      { name: 'web_fetch', constraint: '*', version: '1.0.1', source: 'builtin', integrity: `sha256:${hex('4')}` },
    ],
    models: {
      'claude-sonnet-4': {
        provider: 'anthropic',
        contextWindow: 200000,
        supportsTools: true,
        supportsVision: true,
        known: true,
      },
    },
    mcpServers: [
      {
        name: 'everything',
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-everything'],
        envKeys: ['STRIPE_SECRET_KEY'],
        server: { name: 'example-servers/everything', version: '1.0.0' },
        protocolVersion: '2025-06-18',
        clientCapabilities: { sampling: {}, elicitation: {} },
        tools: [
          { name: 'echo', schemaDigest: `sha256:${hex('5')}` },
          { name: 'add', schemaDigest: `sha256:${hex('6')}` },
        ],
      },
    ],
    subAgents: [
      {
        name: 'market-analyst',
        path: 'specialists/market-analyst.yaml',
        digest: `ag1:${hex('7')}`,
        version: '1.0.0',
        depth: 1,
        parent: 'research-assistant',
        permission: 'session',
      },
      {
        name: 'academic-researcher',
        path: 'specialists/academic-researcher.yaml',
        digest: `ag1:${hex('8')}`,
        version: '1.0.0',
        depth: 1,
        parent: 'research-assistant',
        permission: 'always',
      },
    ],
    systemPromptSha256: `sha256:${hex('9')}`,
    promptTarget: 'xml',
    systemPromptDigests: { markdown: `sha256:${'9'.repeat(63)}8`, xml: `sha256:${hex('9')}` },
    files: [
      { path: 'prompt.yaml', sha256: `sha256:${hex('d')}`, role: 'prompt' },
      { path: 'agent.yaml', sha256: `sha256:${hex('e')}`, role: 'manifest' },
      { path: 'specialists/academic-researcher.yaml', sha256: `sha256:${hex('f')}`, role: 'agent:academic-researcher' },
      { path: 'specialists/market-analyst.yaml', sha256: `sha256:${hex('0')}`, role: 'agent:market-analyst' },
    ],
  });
}
