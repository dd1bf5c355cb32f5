import type { ResolvedPlan } from '@agentlang/resolver';

/** A resolved plan like the resolver makes for seed 000's demo.agent (test-echo, trust none/none/full). */
export function demoPlan(overrides: Partial<ResolvedPlan> = {}): ResolvedPlan {
  return {
    schema: 'agentlang.plan/v1',
    agent: { name: 'demo', version: '0.1.0', digest: `ag1:${'ab'.repeat(32)}`, dialect: 'agentspec' },
    runtime: { name: 'test-echo', binary: 'echo', path: '/usr/bin/echo', available: true },
    model: 'test-echo/demo',
    authSource: 'local socket',
    tools: [],
    models: { 'test-echo/demo': { known: true } },
    mcpServers: [],
    dependencies: [],
    permissions: { host: 'raw-os', required: [], optional: [], granted: [], degraded: [] },
    subAgents: [],
    systemPromptSha256: null,
    files: [],
    trust: { filesystem: 'none', network: 'none', exec: 'full', scope: [] },
    host: { os: 'linux', arch: 'x86_64' },
    warnings: [],
    missing: [],
    decisions: [],
    ...overrides,
  };
}

/** A plan with one MCP server whose credential comes from `{{.env.STRIPE_SECRET_KEY}}`. */
export function llmPlan(runtime: { name: string; binary: string }, model: string, provider?: string): ResolvedPlan {
  return demoPlan({
    agent: { name: 'research', version: '1.0.0', digest: `ag1:${'cd'.repeat(32)}`, dialect: 'agentlang' },
    runtime: { ...runtime, path: `/opt/bin/${runtime.binary}`, available: true },
    model,
    models: { [model]: { known: true, ...(provider ? { provider } : {}) } },
    mcpServers: [
      {
        name: 'Stripe',
        command: 'npx',
        args: ['-y', '@stripe/mcp', '--tools=all'],
        envKeys: ['STRIPE_SECRET_KEY'],
        server: { name: 'stripe', version: '1.0.0' },
        protocolVersion: '2025-06-18',
        clientCapabilities: {},
        tools: [],
      },
    ],
    trust: undefined,
  });
}

/** Collects a stream's bytes: pass `write` as the runner's stdout/stderr, read them back with `text()`. */
export function sink(): { write: (chunk: Uint8Array | string) => number; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    write: (c: Uint8Array | string) => chunks.push(Buffer.from(c)),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
