import type { AgentManifest, LoadedAgent } from '@agentlang/manifest';
import { sha256 } from '../canonical.js';

/** Builds a LoadedAgent by hand for tests (what @agentlang/manifest's loadAgent returns). */
export function makeAgent(
  manifest: Partial<AgentManifest> & { name: string },
  extra: Partial<Omit<LoadedAgent, 'manifest'>> = {},
): LoadedAgent {
  const full: AgentManifest = {
    dialect: 'agentlang',
    models: [],
    tools: [],
    mcpServers: [],
    httpTools: [],
    bashTools: [],
    dependencies: [],
    uiComponents: [],
    skills: [],
    ...manifest,
  };
  return {
    manifest: full,
    digest: `ag1:${sha256(JSON.stringify(full)).slice(7)}`,
    source: { kind: 'memory', root: '<memory>', entry: 'agent.yaml' },
    files: [],
    subAgentPaths: [],
    warnings: [],
    ...extra,
  };
}

/** The seed 000 demo agent (AgentSpec dialect, test-echo runtime). */
export function demoAgent(): LoadedAgent {
  return makeAgent({
    dialect: 'agentspec',
    name: 'demo',
    version: '0.1.0',
    description: 'End-to-end pipeline walkthrough',
    runtime: 'test-echo',
    models: [{ id: 'test-echo/demo' }],
    behavior: { persona: 'demo-agent' },
    trust: { filesystem: 'none', network: 'none', exec: 'full', scope: [] },
    observability: { trace: true },
  });
}
