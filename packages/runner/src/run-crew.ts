import { posix } from 'node:path';
import {
  type AgentToolHost,
  type Approver,
  buildAgentTools,
  createAnthropicClient,
  createDelegation,
  createOpenAIClient,
  type Delegation,
  type DelegationAgent,
  type HarnessTool,
  type LoopEvent,
  type ModelClient,
  type PreparedAgent,
  type SubAgentUsage,
} from '@agentlang/harness';
import { type LoadedAgent, loadSubAgent } from '@agentlang/manifest';
import {
  assertEnvConsent,
  assertNoArgvTemplates,
  compileSystemPrompt,
  envConsentRequired,
  probeAgentOf,
  renderEnvTemplate,
  templateVariables,
} from '@agentlang/resolver';
import { RunnerError } from './errors.js';
import { harnessLimits, harnessSkills } from './run-harness.js';
import { createSandboxMcpLauncher, type McpServerLaunchDeclaration } from './sandbox-mcp-launcher.js';

/** One sub-agent's run as the record and `--json` show it: usage only, never its task or answer. */
export interface SubAgentRunSummary {
  agent: string;
  parent: string;
  depth: number;
  model: string;
  outcome: string;
  turns: number;
  usage: { input_tokens: number; output_tokens: number };
  tool_calls: Record<string, number>;
}

/** Converts the harness's per-sub-agent usage to the record's spelling. */
export function subAgentSummaries(runs: readonly SubAgentUsage[]): SubAgentRunSummary[] {
  return runs.map((r) => ({
    agent: r.agent,
    parent: r.parent,
    depth: r.depth,
    model: r.model,
    outcome: r.outcome,
    turns: r.turns,
    usage: { input_tokens: r.usage.inputTokens, output_tokens: r.usage.outputTokens },
    tool_calls: { ...r.toolCalls },
  }));
}

/** What the runner needs to run an agent's sub-agents. */
export interface RunDelegationInput {
  agent: LoadedAgent;
  /** The root agent's model client: a sub-agent that declares no model uses it. */
  rootModel: ModelClient;
  env: Record<string, string | undefined>;
  /** The root's tool host (sandbox, built-in host, granted capabilities); each sub-agent keeps its own name for storage and sqlite, and shares the run id (artifacts). */
  toolHost: AgentToolHost;
  timeoutMs: number;
  approve: Approver;
  log: (line: string) => void;
  onEvent?: (event: { type: string }) => void;
  /** Host variables the user allowed (`--allow-env`): a sub-agent's MCP server of an agent not from the working tree reads only these. */
  allowEnv?: readonly string[];
}

/** The delegation of a run: the session, the tools the root is offered, and the static crew when there is one. */
export interface RunDelegation {
  delegation: Delegation;
  /** `delegate` for a dynamic orchestrator or a hierarchical manager; empty for a sequential or parallel crew. */
  tools: HarnessTool[];
  /** Runs a sequential or parallel crew in place of the root's own loop. */
  crew?: (prompt: string, signal: AbortSignal) => ReturnType<Delegation['runCrew']>;
}

/**
 * Wires `delegate:` (and a `delegate` tool) of a loaded agent to the harness's {@link createDelegation}:
 * each sub-agent runs with its own manifest — its tools and skills (built like the root's, in the
 * same sandbox, with the root's granted capabilities at most), its compiled prompt, its model (or the
 * root's) — and shares the run's artifacts. A sub-agent's MCP servers run for its delegation in the
 * run's sandbox, as the root's do, and are stopped when the delegation ends.
 */
export async function runDelegation(input: RunDelegationInput): Promise<RunDelegation | undefined> {
  const { agent } = input;
  const spec = agent.manifest.delegate;
  if (!spec) return undefined;
  const deadline = Date.now() + input.timeoutMs;
  const root = await specialists(agent);
  // Refused before anything runs: argv templates and host variables read without consent.
  for (const s of root) subAgentMcpServers((s.ref as { loaded: LoadedAgent }).loaded, agent, input);
  const prepare = async (target: DelegationAgent): Promise<PreparedAgent> => {
    const sub = (target.ref as { loaded: LoadedAgent }).loaded;
    const m = sub.manifest;
    const notice = (line: string) => input.log(`harness: ${m.name}: ${line}`);
    const sandbox = input.toolHost.sandbox;
    let mcpServers = subAgentMcpServers(sub, agent, input);
    if (mcpServers.length > 0 && !sandbox) {
      notice('its MCP servers are not started: the run has no sandbox to start them in; their tools are not offered');
      mcpServers = [];
    }
    const built = await buildAgentTools(
      {
        http: m.httpTools,
        bash: m.bashTools,
        tools: m.tools.map((t) => ({
          name: t.name,
          ...(t.config ? { config: t.config } : {}),
          ...(t.inputSchema ? { inputSchema: t.inputSchema } : {}),
          ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}),
        })),
        skills: harnessSkills(sub, notice),
        mcpServers,
      },
      {
        ...input.toolHost,
        ...(mcpServers.length > 0 && sandbox
          ? {
              mcpLauncher: createSandboxMcpLauncher({
                agent: probeAgentOf(sub),
                env: input.env,
                backend: sandbox.backend,
                log: input.log,
              }),
            }
          : {}),
        ...(input.toolHost.builtin ? { builtin: { ...input.toolHost.builtin, agent: m.name } } : {}),
        provided: ['delegate'],
        onNotice: notice,
      },
    );
    let system = compileSystemPrompt(sub, 'markdown');
    if (built.systemAddendum !== '')
      system = system === '' ? built.systemAddendum : `${system}\n\n${built.systemAddendum}`;
    const nested = m.delegate?.mode === 'dynamic' ? await specialists(sub) : [];
    return {
      model: subAgentModel(sub, input.rootModel, input.env),
      system,
      tools: built.tools,
      callable: built.callable,
      limits: harnessLimits(m, input.env, Math.max(1, deadline - Date.now())),
      ...(nested.length > 0 ? { delegates: nested, permissions: { ...m.delegate?.permissions } } : {}),
      close: () => built.close(),
    };
  };
  const delegation = createDelegation({
    prepare,
    ...(spec.maxDepth !== undefined ? { maxDepth: spec.maxDepth } : {}),
    permissions: { ...spec.permissions },
    approve: input.approve,
    onEvent: (e) => {
      if (e.type === 'delegation.start') input.log(`delegate: ${e.agent} (depth ${e.depth})`);
      else if (e.type === 'delegation.end' && 'usage' in e)
        input.log(`delegate: ${e.agent} ${e.outcome} (${e.usage.inputTokens}+${e.usage.outputTokens} tokens)`);
      else if (e.type === 'delegation.refused') input.log(`delegate: ${e.agent} refused: ${e.reason}`);
      input.onEvent?.(e as LoopEvent | { type: string });
    },
  });
  const rootName = agent.manifest.name;
  // A crew is what `mode: static` or a `process:` declares; a bare `delegate.agents` list (the spec's
  // first example: agents, max_depth, permissions) names whom the agent may delegate to, as dynamic does.
  const crew = spec.mode === 'static' && (spec.process !== undefined || agent.written?.(['delegate', 'mode']) === true);
  if (!crew) return { delegation, tools: [delegation.createDelegateTool(root, { depth: 1, parent: rootName })] };
  // Static: the members are `delegate.agents`, matched to the loaded sub-agents by path.
  const entryDir = posix.dirname(agent.source.entry);
  const byPath = new Map(root.map((a) => [(a.ref as { path: string }).path, a]));
  const members = spec.agents.flatMap((ref) => {
    const found = byPath.get(posix.normalize(posix.join(entryDir === '.' ? '' : entryDir, ref.path)));
    return found
      ? [{ ...found, ...(ref.task ? { task: ref.task } : {}), ...(ref.dependsOn ? { dependsOn: ref.dependsOn } : {}) }]
      : [];
  });
  const process = spec.process ?? 'sequential';
  if (process === 'hierarchical') {
    const described = members.map((m) => ({
      ...m,
      description: [m.description?.trim(), m.task ? `Task: ${m.task}` : undefined].filter(Boolean).join(' — '),
    }));
    return { delegation, tools: [delegation.createDelegateTool(described, { depth: 1, parent: rootName })] };
  }
  const concurrency = crewConcurrency(input.env);
  return {
    delegation,
    tools: [],
    crew: (prompt, signal) =>
      delegation.runCrew(
        { process, members, ...(concurrency ? { concurrency } : {}) },
        { prompt, root: rootName, signal },
      ),
  };
}

/**
 * A sub-agent's MCP servers as the harness starts them: argv templates refused, `{{.env.X}}` values
 * rendered as secrets (only with the user's consent when the agent is not from the working tree), its
 * `tools:` whitelist kept.
 */
function subAgentMcpServers(
  sub: LoadedAgent,
  root: LoadedAgent,
  input: Pick<RunDelegationInput, 'env' | 'allowEnv'>,
): Array<Omit<McpServerLaunchDeclaration, 'pinned'>> {
  const m = sub.manifest;
  for (const server of m.mcpServers) assertNoArgvTemplates(server);
  if (envConsentRequired(root) || envConsentRequired(sub)) {
    const uses = new Map<string, string[]>();
    for (const server of m.mcpServers)
      for (const [key, value] of Object.entries(server.env ?? {}))
        for (const name of templateVariables(value))
          uses.set(name, [...(uses.get(name) ?? []), `mcp_servers.${server.name}.env.${key}`]);
    assertEnvConsent(
      [...uses].map(([name, u]) => ({ name, uses: u, template: true })),
      input.allowEnv ?? [],
      `sub-agent ${m.name}`,
    );
  }
  return m.mcpServers.map((server) => {
    const plain: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    for (const [key, value] of Object.entries(server.env ?? {})) {
      const rendered = renderEnvTemplate(value, input.env, `MCP server ${server.name} env ${key}`);
      if (templateVariables(value).length > 0) secrets[key] = rendered;
      else plain[key] = rendered;
    }
    return {
      name: server.name,
      argv: [server.command, ...server.args],
      env: plain,
      secrets,
      ...(server.tools ? { tools: [...server.tools] } : {}),
      // No `pinned` digests: a sub-agent's servers were not resolved or locked with the root's plan, so
      // none exist (an empty list would refuse every tool); its `tools:` whitelist still applies.
    };
  });
}

/** `AGENTLANG_CREW_CONCURRENCY`: parallel crew members running at once (the harness's default when unset). */
function crewConcurrency(env: Record<string, string | undefined>): number | undefined {
  const raw = env.AGENTLANG_CREW_CONCURRENCY;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RunnerError(
      'RUNNER_INPUT',
      `AGENTLANG_CREW_CONCURRENCY must be a positive whole number; found ${JSON.stringify(raw)}`,
      { details: { variable: 'AGENTLANG_CREW_CONCURRENCY', value: raw } },
    );
  }
  return value;
}

/** The agents `agent` can delegate to, loaded from where it came from, with their descriptions. */
async function specialists(agent: LoadedAgent): Promise<DelegationAgent[]> {
  return Promise.all(
    agent.subAgentPaths.map(async (s) => {
      const loaded = await loadSubAgent(agent, s.path);
      const name = s.name ?? loaded.manifest.name;
      return {
        name,
        ...(loaded.manifest.description ? { description: loaded.manifest.description } : {}),
        ref: { loaded, path: s.path },
      };
    }),
  );
}

/** A sub-agent's own first declared model (provider from its entry or an `openai/`/`anthropic/` prefix), else the root's client. */
function subAgentModel(sub: LoadedAgent, rootModel: ModelClient, env: Record<string, string | undefined>): ModelClient {
  const declared = sub.manifest.models[0];
  if (!declared) return rootModel;
  const prefix = /^(openai|anthropic)\//.exec(declared.id);
  const provider = declared.provider ?? prefix?.[1] ?? rootModel.protocol;
  const model = prefix ? declared.id.slice(prefix[0].length) : declared.id;
  const options: Record<string, unknown> = {};
  for (const key of ['temperature', 'max_tokens', 'top_p'])
    if (declared.options?.[key] !== undefined) options[key] = declared.options[key];
  if (provider === 'anthropic') {
    return createAnthropicClient({
      model,
      ...(env.ANTHROPIC_BASE_URL ? { baseUrl: env.ANTHROPIC_BASE_URL } : {}),
      ...(env.ANTHROPIC_API_KEY ? { apiKey: env.ANTHROPIC_API_KEY } : {}),
      options,
    });
  }
  if (provider !== 'openai') return rootModel;
  return createOpenAIClient({
    model,
    ...(env.OPENAI_BASE_URL ? { baseUrl: env.OPENAI_BASE_URL } : {}),
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    options,
  });
}
