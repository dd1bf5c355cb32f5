import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  type AgentEvent,
  type Approver,
  buildAgentTools,
  type ContextManager,
  type DelegationEvent,
  type LoopEvent,
  createAnthropicClient,
  createArtifactsTool,
  createContextManager,
  createEventSink,
  createFileSessionStore,
  createJsonlApprover,
  createOpenAIClient,
  createPolicyApprover,
  createTerminalApprover,
  type Delegation,
  type HarnessTool,
  type LoopLimits,
  type LoopOutcome,
  type LoopResult,
  type Message,
  type ModelClient,
  recordingClient,
  replayClient,
  newSession,
  recordSessionSteps,
  type SessionStore,
  type Skill,
  type ToolPermission,
  type UiActionSource,
  renderInject,
  runLoop,
  startOtelExport,
} from '@agentlang/harness';
import { type IsolationBackend, type IsolationPolicy, parseEgressResolve } from '@agentlang/isolation';
import type { AgentManifest, LoadedAgent } from '@agentlang/manifest';
import { getHostProfile, probeAgentOf, type ResolvedPlan } from '@agentlang/resolver';
import { RunnerError } from './errors.js';
import { runDelegation, type SubAgentRunSummary, subAgentSummaries } from './run-crew.js';
import { createSandboxMcpLauncher, mcpServerDeclarations } from './sandbox-mcp-launcher.js';

/** What the built-in harness runtime adds to a run's result and record. */
export interface HarnessRunSummary {
  /** How the loop (or a static crew) ended; `denied` when a crew member's delegation was refused. */
  outcome: LoopOutcome | 'denied';
  answer: string;
  /** Tokens per model id, rolled up over the agent and every sub-agent it delegated to. */
  usage: Record<string, { input_tokens: number; output_tokens: number }>;
  /** Each sub-agent's run on its own (agents that delegate only), in the order they ended. */
  subAgents?: SubAgentRunSummary[];
  /** Calls per tool name. */
  toolCalls: Record<string, number>;
  turns: number;
  /** Cost in USD at the model's catalog price (`ModelCapabilities.price`); absent when the price is unknown. */
  costUsd?: number;
  /** The session the run kept its conversation in: its id, user turns and stored messages after the run. */
  session?: { id: string; turns: number; messages: number };
}

/** The model client for a plan: provider from the plan's model entry or its `openai/`, `anthropic/` prefix. */
export function harnessModelClient(
  plan: ResolvedPlan,
  manifest: AgentManifest | undefined,
  env: Record<string, string | undefined>,
): { client: ModelClient; model: string; provider: string } {
  const declared = plan.model;
  if (!declared)
    throw new RunnerError(
      'RUNNER_PLAN_BLOCKED',
      'the harness runtime needs a model: declare one under models: (provider openai or anthropic)',
      { details: {} },
    );
  const prefix = /^(openai|anthropic)\//.exec(declared);
  const provider = plan.models?.[declared]?.provider ?? prefix?.[1] ?? 'openai';
  const model = prefix ? declared.slice(prefix[0].length) : declared;
  const entry = manifest?.models.find((m) => m.id === declared);
  const options: Record<string, unknown> = {};
  for (const key of ['temperature', 'max_tokens', 'top_p'])
    if (entry?.options?.[key] !== undefined) options[key] = entry.options[key];
  if (provider === 'openai') {
    const baseUrl = env.OPENAI_BASE_URL;
    const apiKey = env.OPENAI_API_KEY;
    return {
      client: createOpenAIClient({ model, ...(baseUrl ? { baseUrl } : {}), ...(apiKey ? { apiKey } : {}), options }),
      model: declared,
      provider,
    };
  }
  if (provider === 'anthropic') {
    const baseUrl = env.ANTHROPIC_BASE_URL;
    const apiKey = env.ANTHROPIC_API_KEY;
    return {
      client: createAnthropicClient({ model, ...(baseUrl ? { baseUrl } : {}), ...(apiKey ? { apiKey } : {}), options }),
      model: declared,
      provider,
    };
  }
  throw new RunnerError(
    'RUNNER_PLAN_BLOCKED',
    `the harness runtime drives openai and anthropic models; ${declared} is provider ${provider}`,
    { details: { provider } },
  );
}

/** How tool calls that need approval are decided, and which need it. */
export interface HarnessApproval {
  /** A fixed policy (`agentlang run --approve all|none`); wins over the others. */
  policy?: 'all' | 'none';
  /** A JSONL control channel (embedders): `approval_request` lines out, `approval` lines in (see `createJsonlApprover`). */
  jsonl?: { input: Readable; output: Writable };
  /** Ask a person: the question on `output`, the answer (`y`/`N`) from `input` (the CLI passes its terminal). */
  terminal?: { input: Readable; output: Writable };
  /** A decider of the caller's own (an interactive conversation asks on its prompt line); used when no policy is given. */
  approve?: Approver;
  /** Per tool name `always`, `session` or `always_ask`, over the agent's own `approval:` marks, on top of the destructive-tools policy (http tools with method DELETE ask unless marked `session`). */
  permissions?: Record<string, ToolPermission>;
}

/** Options of a harness run that the plan does not decide (`runPlan`'s `harness`). */
export interface HarnessRunOptions {
  /** Approvals; without a decider, a call that needs approval is denied (the model is told, the run goes on). */
  approval?: HarnessApproval;
  /** Loop limits over those of the manifest (`behavior.max_steps`) and the host (`AGENTLANG_HARNESS_MAX_TURNS`, `_MAX_TOKENS`, `_MAX_REPEATS`, `_MAX_COST_USD`). */
  limits?: Pick<LoopLimits, 'maxTurns' | 'maxTokens' | 'maxRepeats' | 'maxToolResultChars' | 'maxCostUsd'>;
  /** Values of `context.inject` sources other than `time` (which is the run's start, ISO 8601): `location`, `user_profile`, … */
  inject?: Record<string, unknown>;
  /** Listeners of the run's typed event stream (`agentlang run --events`; see `AgentEvent` of @agentlang/harness). */
  events?: Array<(event: AgentEvent) => void>;
  /** Actions on the components the run renders (`ui_components`, http tools' `ui_component`); see `createUiActionQueue`. */
  uiActions?: UiActionSource;
  /**
   * Keep the conversation in this session: its earlier turns are the run's history, and it is
   * checkpointed after every step (a crash loses at most the step in flight; a call left waiting
   * for an approval is asked again on the next run). Default store: `<cwd>/.agentlang/sessions/`.
   */
  session?: { id: string; store?: SessionStore };
}

/**
 * The model client a run talks to: the provider's, or under `AGENTLANG_HARNESS_REPLAY=FILE` the
 * recorded exchanges of FILE (no provider is contacted; a request that differs fails with a diff);
 * `AGENTLANG_HARNESS_RECORD=FILE` records the run's exchanges to FILE. Relative paths are from `cwd`.
 */
export function harnessReplayClient(
  client: ModelClient,
  env: Record<string, string | undefined>,
  cwd: string,
): ModelClient {
  const replay = env.AGENTLANG_HARNESS_REPLAY;
  const record = env.AGENTLANG_HARNESS_RECORD;
  if (replay && record)
    throw new RunnerError(
      'RUNNER_INPUT',
      'AGENTLANG_HARNESS_RECORD and AGENTLANG_HARNESS_REPLAY are both set; a run either records or replays',
      { details: {} },
    );
  if (replay) return replayClient(resolve(cwd, replay));
  if (record) return recordingClient(client, { file: resolve(cwd, record) });
  return client;
}

/** The sessions directory of a project: `<cwd>/.agentlang/sessions`. */
export function sessionsDirFor(cwd: string): string {
  return join(cwd, '.agentlang', 'sessions');
}

const LIMIT_VARIABLES = {
  maxTurns: 'AGENTLANG_HARNESS_MAX_TURNS',
  maxTokens: 'AGENTLANG_HARNESS_MAX_TOKENS',
  maxRepeats: 'AGENTLANG_HARNESS_MAX_REPEATS',
} as const;

/** The loop limits of a run: the caller's, else the smaller of the manifest's `max_steps` and the host's, and the policy's wall clock. */
export function harnessLimits(
  manifest: AgentManifest | undefined,
  env: Record<string, string | undefined>,
  timeoutMs: number,
  given: HarnessRunOptions['limits'] = {},
): LoopLimits {
  const limits: LoopLimits = { timeoutMs };
  for (const [key, variable] of Object.entries(LIMIT_VARIABLES) as Array<[keyof typeof LIMIT_VARIABLES, string]>) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RunnerError(
        'RUNNER_INPUT',
        `${variable} must be a positive whole number; found ${JSON.stringify(raw)}`,
        { details: { variable, value: raw } },
      );
    }
    limits[key] = value;
  }
  const cost = env.AGENTLANG_HARNESS_MAX_COST_USD;
  if (cost !== undefined && cost !== '') {
    const value = Number(cost);
    if (!/^\d+(\.\d+)?$/.test(cost.trim()) || !Number.isFinite(value) || value <= 0) {
      throw new RunnerError(
        'RUNNER_INPUT',
        `AGENTLANG_HARNESS_MAX_COST_USD must be a positive number of US dollars (e.g. 0.50); found ${JSON.stringify(cost)}`,
        {
          details: { variable: 'AGENTLANG_HARNESS_MAX_COST_USD', value: cost },
        },
      );
    }
    limits.maxCostUsd = value;
  }
  const steps = manifest?.runtimeSettings?.maxSteps;
  if (steps !== undefined && steps > 0) limits.maxTurns = Math.min(limits.maxTurns ?? steps, steps);
  return { ...limits, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
}

/** The context manager of a run, from the manifest's `context:` block (the window falls back to the model's known context size); none when neither is known. */
export function harnessContext(
  manifest: AgentManifest | undefined,
  plan: ResolvedPlan,
  onCheckpoint: (messages: Message[]) => Promise<string>,
): ContextManager | undefined {
  const spec = manifest?.context;
  const maxTokens = spec?.window?.maxTokens ?? (plan.model ? plan.models?.[plan.model]?.contextWindow : undefined);
  if (!maxTokens) return undefined;
  const strategy = spec?.compaction?.strategy ?? (spec?.window?.strategy === 'summarize' ? 'summarize' : undefined);
  return createContextManager({
    maxTokens,
    ...(spec?.compaction?.trigger !== undefined ? { trigger: spec.compaction.trigger } : {}),
    ...(strategy ? { strategy } : {}),
    ...(spec?.compaction?.preserve ? { preserve: [...spec.compaction.preserve] } : {}),
    onCheckpoint,
  });
}

/**
 * The capabilities the host granted: the plan's grant when the agent declares `permissions`, else
 * the host profile's (an agent that asks for nothing is not refused what the host offers), less
 * the network under AgentSpec `network: none`.
 */
export function grantedCapabilities(plan: ResolvedPlan, manifest: AgentManifest | undefined): string[] {
  const declares = manifest
    ? manifest.permissions !== undefined
    : plan.permissions.required.length + plan.permissions.optional.length > 0;
  if (declares) return [...plan.permissions.granted];
  let offered: string[];
  try {
    offered = [...getHostProfile(plan.permissions.host).profile.capabilities];
  } catch {
    offered = [...plan.permissions.granted];
  }
  return plan.trust?.network === 'none'
    ? offered.filter((c) => c !== 'network' && c !== 'websocket' && c !== 'p2p')
    : offered;
}

/**
 * The agent's skills with their SKILL.md bodies (frontmatter removed). A body is the bytes the agent
 * was loaded with (`fileBytes`: its directory's file or its container's entry); for an agent made
 * elsewhere, it is read from the agent's directory and used only when its bytes still have the
 * digest the agent was loaded with; otherwise the skill keeps its tool restriction and `notice` says
 * its body is left out. A skill without `allowed-tools` restricts nothing.
 */
export function harnessSkills(agent: LoadedAgent | undefined, notice: (line: string) => void): Skill[] {
  if (!agent) return [];
  const skills: Skill[] = [];
  for (const spec of agent.manifest.skills) {
    if (spec.abstract) continue;
    let body = '';
    const file = spec.file;
    const pinned = file ? agent.files.find((f) => f.path === file)?.sha256 : undefined;
    const kept = file ? agent.fileBytes?.(file) : undefined;
    if (kept) {
      // The bytes the agent was loaded (and digested) with: from its directory or its container.
      body = stripFrontmatter(Buffer.from(kept).toString('utf8'));
    } else if (file && pinned && (agent.source.kind === 'directory' || agent.source.kind === 'file')) {
      try {
        const bytes = readFileSync(join(agent.source.root, file));
        if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` === pinned)
          body = stripFrontmatter(bytes.toString('utf8'));
        else notice(`skill ${spec.name}: ${file} changed since the agent was loaded; its instructions are left out`);
      } catch {
        notice(`skill ${spec.name}: ${file} cannot be read; its instructions are left out`);
      }
    } else notice(`skill ${spec.name}: its SKILL.md is not on disk here; its instructions are left out`);
    skills.push({
      name: spec.name,
      ...(spec.allowedTools.length > 0 ? { allowedTools: [...spec.allowedTools] } : {}),
      body,
    });
  }
  return skills;
}

function stripFrontmatter(text: string): string {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return text.trim();
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  return end < 0
    ? text.trim()
    : lines
        .slice(end + 1)
        .join('\n')
        .trim();
}

function approverOf(approval: HarnessApproval | undefined): { approve: Approver; close(): void } {
  if (approval?.policy)
    return { approve: createPolicyApprover(approval.policy === 'all' ? 'allow' : 'deny'), close: () => {} };
  if (approval?.jsonl) return createJsonlApprover(approval.jsonl.input, approval.jsonl.output);
  if (approval?.approve) return { approve: approval.approve, close: () => {} };
  if (approval?.terminal)
    return { approve: createTerminalApprover(approval.terminal.input, approval.terminal.output), close: () => {} };
  return {
    approve: ({ toolName }) => ({
      approved: false,
      reason: `${toolName} needs approval and nobody can give it here: run on a terminal, or pass --approve all`,
    }),
    close: () => {},
  };
}

/** The agent's `approval:` marks on its tools, http_tools and bash_tools entries (an AgentLang extension), by tool name. */
function declaredApprovals(manifest: AgentManifest | undefined): Record<string, ToolPermission> {
  const marks: Record<string, ToolPermission> = {};
  for (const t of [...(manifest?.tools ?? []), ...(manifest?.httpTools ?? []), ...(manifest?.bashTools ?? [])])
    if (t.approval) marks[t.name] = t.approval;
  return marks;
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60) || 'tool';

/**
 * Runs the agent with @agentlang/harness's loop in this process: the model client and the API key
 * stay in the host; http and network built-ins run host-side under the egress rule, bash tools and
 * MCP servers in the run's sandbox. Everything the manifest declares is wired here: its tools,
 * skills, permissions (at call time), `context:` block and limits, and approvals.
 */
export async function runHarness(input: {
  plan: ResolvedPlan;
  manifest?: AgentManifest;
  /** The loaded agent: its skills' SKILL.md files and its sandbox for MCP servers. */
  agent?: LoadedAgent;
  systemPrompt: string;
  prompt: string;
  env: Record<string, string | undefined>;
  backend: IsolationBackend;
  policy: IsolationPolicy;
  timeoutMs: number;
  signal: AbortSignal;
  /** The project root: built-in tools keep state under `<cwd>/.agentlang/`. */
  cwd: string;
  /** This run's id: artifacts (and large tool results, checkpoints) go to `.agentlang/artifacts/<run id>/`. */
  runId: string;
  options?: HarnessRunOptions;
  /** Host variables the user allowed (`--allow-env`): what a sub-agent's MCP server env templates may read. */
  allowEnv?: readonly string[];
  onText: (text: string) => void;
  log: (line: string) => void;
}): Promise<HarnessRunSummary> {
  const manifest = input.manifest ?? input.agent?.manifest;
  const { client: providerClient, model } = harnessModelClient(input.plan, manifest, input.env);
  const client = harnessReplayClient(providerClient, input.env, input.cwd);
  const limits = harnessLimits(manifest, input.env, input.timeoutMs, input.options?.limits);
  const session = input.options?.session
    ? await openSession(input.options.session, input.cwd, `${input.plan.agent.name}@${input.plan.agent.version}`)
    : undefined;
  try {
    return await runHarnessIn(input, manifest, client, model, limits, session);
  } finally {
    session?.lease.release();
  }
}

async function openSession(spec: { id: string; store?: SessionStore }, cwd: string, agent: string) {
  const store = spec.store ?? createFileSessionStore(sessionsDirFor(cwd));
  const lease = await store.acquire(spec.id);
  try {
    const state = (await store.load(spec.id)) ?? newSession(spec.id, agent);
    return { store, lease, state };
  } catch (error) {
    lease.release();
    throw error;
  }
}

async function runHarnessIn(
  input: Parameters<typeof runHarness>[0],
  manifest: AgentManifest | undefined,
  client: ModelClient,
  model: string,
  limits: LoopLimits,
  session: Awaited<ReturnType<typeof openSession>> | undefined,
): Promise<HarnessRunSummary> {
  const notice = (line: string) => input.log(`harness: ${line}`);
  // The catalog's price for the declared model, keyed by the id the client sends (the loop's key).
  const price = input.plan.models?.[model]?.price;
  // A money cap the run cannot measure is refused rather than silently ignored.
  if (limits.maxCostUsd !== undefined && !price) {
    throw new RunnerError(
      'RUNNER_INPUT',
      `a cost budget is set (${limits.maxCostUsd} USD) but no price is known for ${model}; give it input_usd_per_mtok and output_usd_per_mtok in the host's model catalog (AGENTLANG_MODELS), or unset AGENTLANG_HARNESS_MAX_COST_USD`,
      {
        details: { model, variable: 'AGENTLANG_HARNESS_MAX_COST_USD' },
      },
    );
  }
  const pins = parseEgressResolve(input.env.AGENTLANG_EGRESS_RESOLVE);
  const builtinHost = {
    root: input.cwd,
    agent: input.plan.agent.name,
    runId: input.runId,
    // web_fetch: any public host, or only trust.hosts under AgentSpec `network: scoped`; loopback and
    // private ranges only under a name the host pinned (AGENTLANG_EGRESS_RESOLVE, as for the egress proxy).
    egress: {
      ...(input.plan.trust?.network === 'scoped' ? { allowHosts: [...(input.plan.trust.hosts ?? [])] } : {}),
      ...(Object.keys(pins).length > 0 ? { resolve: pins } : {}),
    },
  };
  const mcpServers =
    input.plan.mcpServers.length > 0
      ? mcpServerDeclarations(input.plan, manifest ?? { mcpServers: [] }, input.env)
      : [];
  const skills = harnessSkills(input.agent, notice);
  const declaringSkills = skills.filter((k) => k.allowedTools !== undefined);
  const skillsAllowDelegate =
    declaringSkills.length === 0 || declaringSkills.some((k) => k.allowedTools?.includes('delegate'));
  const toolHost = {
    env: input.env,
    sandbox: { backend: input.backend, policy: input.policy, onLabel: (l: string) => input.log(l) },
    builtin: builtinHost,
    grantedCapabilities: grantedCapabilities(input.plan, manifest),
  };
  const built = await buildAgentTools(
    {
      http: manifest?.httpTools ?? [],
      bash: manifest?.bashTools ?? [],
      tools: (manifest?.tools ?? []).map((t) => ({
        name: t.name,
        ...(t.config ? { config: t.config } : {}),
        ...(t.inputSchema ? { inputSchema: t.inputSchema } : {}),
        ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}),
      })),
      mcpServers,
      skills,
      uiComponents: manifest?.uiComponents ?? [],
    },
    {
      ...toolHost,
      ...(Object.keys(pins).length > 0 ? { egressResolve: pins } : {}),
      ...(manifest?.delegate && input.agent ? { provided: ['delegate'] } : {}),
      ...(mcpServers.length > 0
        ? {
            mcpLauncher: createSandboxMcpLauncher({
              agent: input.agent ? probeAgentOf(input.agent) : { name: input.plan.agent.name },
              env: input.env,
              backend: input.backend,
              log: input.log,
            }),
          }
        : {}),
      onNotice: notice,
    },
  );
  // Large tool results and checkpoints are saved like the agent's own artifacts: confined, atomic.
  const artifacts = createArtifactsTool({}, { ...builtinHost, env: input.env });
  let saved = 0;
  const save = async (name: string, content: string): Promise<string | undefined> => {
    const out = await artifacts.execute(
      { op: 'save', title: name, name, content },
      { callId: name, signal: input.signal },
    );
    if (!out.ok) {
      notice(`could not save ${name} as an artifact: ${out.message}`);
      return undefined;
    }
    return name;
  };
  const approval = approverOf(input.options?.approval);
  // With a session, a JSONL channel that closes while a call waits stops the run instead of denying
  // the call: the call stays pending in the session and the next run asks for it again.
  const stop = new AbortController();
  const channel = input.options?.approval?.policy ? undefined : input.options?.approval?.jsonl?.input;
  const approve: Approver =
    session && channel
      ? async (request) => {
          const decision = await approval.approve(request);
          if (!decision.approved && (channel.readableEnded || channel.destroyed)) stop.abort();
          return decision;
        }
      : approval.approve;
  const destructive = (manifest?.httpTools ?? []).filter((t) => t.method === 'DELETE').map((t) => t.name);
  const injected = manifest?.context?.inject ?? [];
  const values: Record<string, unknown> = { time: new Date().toISOString(), ...input.options?.inject };
  let system =
    injected.length > 0
      ? renderInject(
          input.systemPrompt,
          Object.fromEntries(injected.filter((k) => k in values).map((k) => [k, values[k]])),
        )
      : input.systemPrompt;
  if (built.systemAddendum !== '')
    system = system === '' ? built.systemAddendum : `${system}\n\n${built.systemAddendum}`;
  const labels = manifest?.ux?.tools ?? {};
  let result: LoopResult | undefined;
  let streamed = false;
  // The typed event stream and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, its spans (the SDK is loaded only then).
  const listeners = [...(input.options?.events ?? [])];
  const otel = await startOtelExport(input.env, {
    agent: input.plan.agent.name,
    provider: client.protocol,
    log: notice,
  });
  if (otel) listeners.push(otel.listener);
  const events = listeners.length > 0 ? createEventSink({ runId: input.runId, model, listeners }) : undefined;
  events?.emit({ type: 'run.start', agent: input.plan.agent.name, model, protocol: client.protocol });
  let delegation: Awaited<ReturnType<typeof runDelegation>>;
  let crewDenied = false;
  let rootTurn = 0;
  // What the root loop used so far: a run that ends in an error still reports its turns and tokens.
  const used = { inputTokens: 0, outputTokens: 0 };
  try {
    // Sub-agents (`delegate:` or a `delegate` tool): the harness orchestrates, each from its own manifest.
    if (manifest?.delegate && !input.agent)
      notice('the sub-agents are not run: the agent was not loaded (its sub-agent files are not at hand)');
    delegation =
      manifest?.delegate && input.agent
        ? await runDelegation({
            agent: input.agent,
            rootModel: client,
            env: input.env,
            toolHost,
            timeoutMs: input.timeoutMs,
            approve: approval.approve,
            log: input.log,
            ...(input.allowEnv ? { allowEnv: input.allowEnv } : {}),
            // Each delegation's start and end join the run's event stream (and its trace: the
            // sub-agent's span is a child of the delegating call's), at the root's current turn.
            ...(events ? { onEvent: (e: { type: string }) => delegationEvent(e, rootTurn, events) } : {}),
          })
        : undefined;
    if (delegation?.crew) {
      // A sequential or parallel crew runs in place of the agent's own loop: its usage is its members'.
      const crew = await delegation.crew(input.prompt, input.signal);
      crewDenied = crew.outcome === 'denied';
      result = {
        outcome: crew.outcome === 'denied' ? 'completed' : crew.outcome,
        answer: crew.answer,
        messages: [],
        usage: { inputTokens: 0, outputTokens: 0 },
        turns: 0,
        toolCalls: {},
      };
    } else result = await loopOnce(delegation?.tools ?? []);
  } catch (error) {
    events?.emit({
      type: 'run.end',
      outcome: 'error',
      turns: rootTurn,
      input_tokens: used.inputTokens,
      output_tokens: used.outputTokens,
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    approval.close();
    await built.close();
    if (result) {
      const r = result;
      events?.emit({
        type: 'run.end',
        outcome: r.outcome,
        turns: r.turns,
        input_tokens: r.usage.inputTokens,
        output_tokens: r.usage.outputTokens,
        ...(r.costUsd !== undefined ? { cost_usd: r.costUsd } : {}),
      });
    }
    await otel?.shutdown();
  }
  const sessionSummary = session
    ? { id: session.state.meta.id, turns: session.state.meta.turns, messages: session.state.messages.length }
    : undefined;
  return finish(result, streamed, crewDenied, delegation?.delegation, model, input.onText, sessionSummary);

  async function loopOnce(delegateTools: HarnessTool[]): Promise<LoopResult> {
    const context = harnessContext(manifest, input.plan, (messages) =>
      save(`checkpoint-${++saved}.json`, JSON.stringify(messages, null, 2)).then((n) => n ?? 'nowhere (saving failed)'),
    );
    return runLoop({
      model: client,
      system,
      prompt: input.prompt,
      ...(session ? { history: session.state.messages, onStep: recordSessionSteps(session.store, session.state) } : {}),
      // Skills that name their tools offer `delegate` only when one of them lists it; a call is then answered `denied`.
      tools: [...built.tools, ...delegateTools.filter(() => skillsAllowDelegate)],
      callable: [...built.callable, ...(skillsAllowDelegate ? delegateTools : delegateTools.map(deniedBySkills))],
      limits,
      ...(price ? { prices: { [client.model]: price } } : {}),
      signal: session && channel ? AbortSignal.any([input.signal, stop.signal]) : input.signal,
      ...(context ? { context } : {}),
      approval: {
        approve,
        permissions: { ...declaredApprovals(manifest), ...input.options?.approval?.permissions },
        destructive,
      },
      onLargeResult: (large) => save(`tool-result-${++saved}-${safeName(large.toolName)}.txt`, large.content),
      ...(input.options?.uiActions ? { uiActions: input.options.uiActions } : {}),
      onEvent: (e) => {
        if (e.type === 'turn.start') rootTurn = e.turn;
        else if (e.type === 'model.response') {
          used.inputTokens += e.usage.inputTokens;
          used.outputTokens += e.usage.outputTokens;
        }
        events?.loopEvent(e);
        if (e.type === 'text.delta') {
          streamed = true;
          input.onText(e.text);
        } else if (e.type === 'tool.call') {
          const running = labels[e.name]?.labels?.running;
          input.log(`tool: ${e.name}${running ? ` (${running})` : ''}`);
        } else if (e.type === 'tool.result')
          input.log(`tool: ${e.name} ${e.ok ? 'done' : `failed (${e.kind ?? 'error'})`}`);
        else if (e.type === 'context.compacted')
          input.log(
            `context: compacted ${e.droppedMessages} messages (${e.strategy}, ${e.beforeTokens} → ${e.afterTokens} tokens)`,
          );
        else if (e.type === 'approval.decision') input.log(`approval: ${e.name} ${e.approved ? 'approved' : 'denied'}`);
      },
    });
  }
}

/** A delegation's start or end (from `createDelegation`) as the loop event the event sink knows. */
function delegationEvent(e: { type: string }, turn: number, events: { loopEvent(event: LoopEvent): void }): void {
  const d = e as Partial<DelegationEvent>;
  if (d.type !== 'delegation.start' && d.type !== 'delegation.end') return;
  if (d.id === undefined || d.agent === undefined || d.depth === undefined) return;
  if (d.type === 'delegation.start')
    events.loopEvent({ type: 'delegation.start', turn, id: d.id, agent: d.agent, depth: d.depth });
  else
    events.loopEvent({
      type: 'delegation.end',
      turn,
      id: d.id,
      agent: d.agent,
      depth: d.depth,
      outcome: (d as { outcome?: string }).outcome ?? 'completed',
    });
}

/** A tool the agent's skills leave out: answered `denied`, as `applySkills` answers the others. */
function deniedBySkills(tool: HarnessTool): HarnessTool {
  return {
    spec: tool.spec,
    execute: async () => ({
      ok: false,
      kind: 'denied',
      message: `${tool.spec.name} is not among the tools the active skills allow`,
    }),
  };
}

/** The run's summary; prints the answer unless it streamed. */
function finish(
  result: LoopResult,
  streamed: boolean,
  crewDenied: boolean,
  delegation: Delegation | undefined,
  model: string,
  onText: (text: string) => void,
  session: HarnessRunSummary['session'],
): HarnessRunSummary {
  // A streamed answer was printed as it came; an unstreamed one (or the last turn only) once here.
  if (!streamed && result.answer !== '') onText(result.answer);
  if (result.answer !== '' && !result.answer.endsWith('\n')) onText('\n');
  const usage: HarnessRunSummary['usage'] = {};
  const add = (id: string, input: number, output: number) => {
    const u = (usage[id] ??= { input_tokens: 0, output_tokens: 0 });
    u.input_tokens += input;
    u.output_tokens += output;
  };
  // A static crew's own usage is its members'; otherwise the agent's own, then each sub-agent's.
  if (!delegation || result.turns > 0) add(model, result.usage.inputTokens, result.usage.outputTokens);
  for (const r of delegation?.runs ?? []) add(r.model, r.usage.inputTokens, r.usage.outputTokens);
  return {
    outcome: crewDenied ? 'denied' : result.outcome,
    answer: result.answer,
    usage,
    ...(delegation ? { subAgents: subAgentSummaries(delegation.runs) } : {}),
    toolCalls: { ...result.toolCalls },
    turns: result.turns,
    ...(result.costUsd !== undefined ? { costUsd: result.costUsd } : {}),
    ...(session ? { session } : {}),
  };
}

/**
 * Exit status of a harness run (the "agent's own" code `agentlang run` passes through): 0 completed;
 * 3 a limit ended it (max_turns, budget, repeated_call, max_tokens, context_too_long) or a crew member's
 * delegation was refused (denied); 124 timeout; 130 aborted.
 */
export const HARNESS_EXIT_CODES: Readonly<Record<HarnessRunSummary['outcome'], number>> = Object.freeze({
  completed: 0,
  denied: 3,
  max_turns: 3,
  budget: 3,
  repeated_call: 3,
  max_tokens: 3,
  context_too_long: 3,
  timeout: 124,
  aborted: 130,
});

/** Exit status when the model could not be reached or refused (HTTP error, bad credentials, bad response). */
export const HARNESS_MODEL_ERROR_EXIT = 4;
