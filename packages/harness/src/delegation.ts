import type { Approver, ToolPermission } from './approval.js';
import type { ContextManager } from './context.js';
import { HarnessError } from './errors.js';
import {
  type HarnessTool,
  type LoopEvent,
  type LoopLimits,
  type LoopOutcome,
  type LoopResult,
  runLoop,
} from './loop.js';
import type { ModelClient, Usage } from './types.js';

/** Depth allowed when an agent delegates without `max_depth` (the spec's example value; the resolver's default too). */
export const DEFAULT_MAX_DELEGATION_DEPTH = 3;

/** Parallel crew members running at once when the caller sets no cap. */
export const DEFAULT_CREW_CONCURRENCY = 4;

/** An agent one can delegate to: its name, what it is for (shown to a delegating model), and the caller's handle for it. */
export interface DelegationAgent {
  name: string;
  description?: string;
  /** Opaque to the harness: handed back to {@link PrepareAgent} (e.g. where the sub-agent's manifest is). */
  ref?: unknown;
}

/** One sub-agent, ready to run: what {@link PrepareAgent} builds from its manifest. */
export interface PreparedAgent {
  model: ModelClient;
  system: string;
  tools?: HarnessTool[];
  callable?: HarnessTool[];
  limits?: LoopLimits;
  context?: ContextManager;
  /** Agents this one may delegate to in turn (its own dynamic `delegate` tool); nothing more is offered without it. */
  delegates?: DelegationAgent[];
  /** Its own `delegate.permissions`, for the agents in `delegates`. */
  permissions?: Record<string, ToolPermission>;
  /** Releases what the agent's tools hold; called once after its run. */
  close?(): Promise<void>;
}

/** Builds one sub-agent (its own model, system prompt, tools and skills) from its manifest; the runtime author's part of delegation. */
export type PrepareAgent = (
  agent: DelegationAgent,
  context: { depth: number; parent: string; signal: AbortSignal },
) => Promise<PreparedAgent>;

/** What one sub-agent's run used, reported on its own (never its prompt, task or answer). */
export interface SubAgentUsage {
  agent: string;
  /** The agent that delegated (the root agent's name at depth 1). */
  parent: string;
  /** 1 for a direct sub-agent. */
  depth: number;
  model: string;
  outcome: LoopOutcome;
  turns: number;
  usage: Usage;
  toolCalls: Record<string, number>;
}

/** Events of delegation, emitted through {@link DelegationOptions.onEvent} next to the sub-agents' own loop events. */
export type DelegationEvent =
  | { type: 'delegation.start'; id: string; agent: string; parent: string; depth: number }
  | {
      type: 'delegation.end';
      id: string;
      agent: string;
      parent: string;
      depth: number;
      outcome: LoopOutcome;
      usage: Usage;
    }
  | { type: 'delegation.refused'; agent: string; parent: string; depth: number; reason: string };

/** Options of {@link createDelegation}. */
export interface DelegationOptions {
  prepare: PrepareAgent;
  /** Deepest delegation allowed (a direct sub-agent is depth 1; default {@link DEFAULT_MAX_DELEGATION_DEPTH}). */
  maxDepth?: number;
  /** The root's `delegate.permissions` per agent name: absent is `always`, `session` asks once per delegation session, `always_ask` every time. */
  permissions?: Record<string, ToolPermission>;
  /** Decides the delegations that ask; asked with tool name `delegate` and arguments `{ agent, task }`. Without it, an asking delegation is refused. */
  approve?: Approver;
  /** Receives delegation events and every sub-agent's loop events (`agent` and `depth` say whose). */
  onEvent?: (event: DelegationEvent | (LoopEvent & { agent: string; depth: number })) => void;
}

/** How a sub-agent run ended, as the delegating side sees it. */
export type DelegationResult =
  | { ok: true; answer: string; outcome: LoopOutcome }
  | { ok: false; reason: string; kind: 'denied' | 'unknown_agent' | 'depth' };

/** A static crew: `delegate.mode: static`. */
export interface CrewSpec {
  process: 'sequential' | 'parallel' | 'hierarchical';
  members: Array<DelegationAgent & { task?: string; dependsOn?: string[] }>;
  /** Parallel members running at once (default {@link DEFAULT_CREW_CONCURRENCY}). */
  concurrency?: number;
}

/** What a crew produced. `outcome` is the first member's that did not complete (or `denied`), else `completed`. */
export interface CrewResult {
  outcome: LoopOutcome | 'denied';
  /** The last member's answer (sequential), the answers no member depends on (parallel), or the manager's (hierarchical). */
  answer: string;
  /** Every member's answer by name (members that ran). */
  answers: Record<string, string>;
  /** The manager's own run (hierarchical). */
  manager?: LoopResult;
}

/** The delegation session of one run: permissions asked once per session, every sub-agent's usage, and the ways to delegate. */
export interface Delegation {
  /** Runs `agent` on `task` at `depth` on behalf of `parent`, after the depth and permission checks. */
  delegate(
    agent: DelegationAgent,
    task: string,
    at: {
      depth: number;
      parent: string;
      signal: AbortSignal;
      callId?: string;
      permissions?: Record<string, ToolPermission>;
    },
  ): Promise<DelegationResult>;
  /** The `delegate` tool of an agent at `depth` offering `agents` (input `{ agent, task }`): an unknown name or a refusal reaches the model as an error. */
  createDelegateTool(
    agents: DelegationAgent[],
    at: { depth: number; parent: string; permissions?: Record<string, ToolPermission> },
  ): HarnessTool;
  /** Runs a static crew for `prompt` on behalf of `root`; hierarchical runs `manager` with a `delegate` tool over the members. */
  runCrew(
    crew: CrewSpec,
    input: { prompt: string; root: string; signal: AbortSignal; manager?: (tool: HarnessTool) => Promise<LoopResult> },
  ): Promise<CrewResult>;
  /** Every sub-agent run so far, in the order they ended. */
  readonly runs: SubAgentUsage[];
  /** Tokens of every sub-agent run so far. */
  total(): Usage;
}

const DELEGATE_SCHEMA = (names: string[]) => ({
  type: 'object',
  properties: {
    agent: { type: 'string', enum: names, description: 'The specialist to hand the task to' },
    task: { type: 'string', description: 'What the specialist should do, with everything it needs to know' },
  },
  required: ['agent', 'task'],
  additionalProperties: false,
});

/**
 * Creates the delegation session of one run. The harness owns the orchestration — depth, permissions
 * (once per session for `session`), the `delegate` tool, crews and usage — and calls `prepare` to
 * build each sub-agent from its own manifest, so a runtime author can embed it with any loader.
 */
export function createDelegation(options: DelegationOptions): Delegation {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DELEGATION_DEPTH;
  const runs: SubAgentUsage[] = [];
  const sessionApproved = new Set<string>();
  const emit = options.onEvent;
  let calls = 0;

  const refuse = (
    agent: string,
    parent: string,
    depth: number,
    kind: 'denied' | 'unknown_agent' | 'depth',
    reason: string,
  ): DelegationResult => {
    emit?.({ type: 'delegation.refused', agent, parent, depth, reason });
    return { ok: false, kind, reason };
  };

  const permit = async (
    agent: string,
    task: string,
    permission: ToolPermission,
    callId: string,
  ): Promise<{ approved: boolean; reason?: string }> => {
    if (permission === 'always') return { approved: true };
    if (permission === 'session' && sessionApproved.has(agent)) return { approved: true };
    if (!options.approve)
      return { approved: false, reason: `delegating to ${agent} needs approval and nobody can give it here` };
    let decision: Awaited<ReturnType<Approver>>;
    try {
      decision = await options.approve({ callId, toolName: 'delegate', arguments: { agent, task } });
    } catch (error) {
      return {
        approved: false,
        reason: `the approver failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (decision.approved !== true)
      return { approved: false, reason: decision.reason ?? `delegating to ${agent} was not approved` };
    if (permission === 'session') sessionApproved.add(agent);
    return { approved: true };
  };

  const delegate: Delegation['delegate'] = async (agent, task, at) => {
    const { depth, parent, signal } = at;
    if (depth > maxDepth)
      return refuse(
        agent.name,
        parent,
        depth,
        'depth',
        `delegating to ${agent.name} would reach depth ${depth}, deeper than max_depth ${maxDepth}`,
      );
    const permission = (at.permissions ?? options.permissions)?.[agent.name] ?? 'always';
    // The delegate tool's call id (a crew member: one of its own), which the start and end events carry.
    const id = at.callId ?? `delegate-${++calls}`;
    const decision = await permit(agent.name, task, permission, id);
    if (!decision.approved)
      return refuse(
        agent.name,
        parent,
        depth,
        'denied',
        decision.reason ?? `delegating to ${agent.name} was not approved`,
      );
    emit?.({ type: 'delegation.start', id, agent: agent.name, parent, depth });
    const prepared = await options.prepare(agent, { depth, parent, signal });
    let result: LoopResult;
    try {
      const nested =
        prepared.delegates && prepared.delegates.length > 0
          ? [
              createDelegateTool(prepared.delegates, {
                depth: depth + 1,
                parent: agent.name,
                ...(prepared.permissions ? { permissions: prepared.permissions } : {}),
              }),
            ]
          : [];
      result = await runLoop({
        model: prepared.model,
        system: prepared.system,
        prompt: task,
        tools: [...(prepared.tools ?? []), ...nested],
        ...(prepared.callable ? { callable: [...prepared.callable, ...nested] } : {}),
        ...(prepared.limits ? { limits: prepared.limits } : {}),
        ...(prepared.context ? { context: prepared.context } : {}),
        signal,
        ...(emit ? { onEvent: (e: LoopEvent) => emit({ ...e, agent: agent.name, depth }) } : {}),
      });
    } finally {
      await prepared.close?.();
    }
    runs.push({
      agent: agent.name,
      parent,
      depth,
      model: prepared.model.model,
      outcome: result.outcome,
      turns: result.turns,
      usage: { ...result.usage },
      toolCalls: { ...result.toolCalls },
    });
    emit?.({
      type: 'delegation.end',
      id,
      agent: agent.name,
      parent,
      depth,
      outcome: result.outcome,
      usage: { ...result.usage },
    });
    return { ok: true, answer: result.answer, outcome: result.outcome };
  };

  function createDelegateTool(
    agents: DelegationAgent[],
    at: { depth: number; parent: string; permissions?: Record<string, ToolPermission> },
  ): HarnessTool {
    const byName = new Map(agents.map((a) => [a.name, a]));
    const names = [...byName.keys()];
    const listing = agents
      .map((a) => `- ${a.name}: ${(a.description ?? '').trim().replace(/\s+/g, ' ') || '(no description)'}`)
      .join('\n');
    return {
      spec: {
        name: 'delegate',
        description: `Hand a task to a specialist agent; its answer comes back as the result. Specialists:\n${listing}`,
        inputSchema: DELEGATE_SCHEMA(names),
      },
      async execute(args, { callId, signal }) {
        const a = (args ?? {}) as { agent?: unknown; task?: unknown };
        if (typeof a.agent !== 'string' || typeof a.task !== 'string' || a.task.trim() === '') {
          return { ok: false, kind: 'validation', message: 'delegate takes { "agent": "<name>", "task": "<text>" }' };
        }
        const target = byName.get(a.agent);
        if (!target) {
          const reason = `no specialist named ${JSON.stringify(a.agent)}; choose one of: ${names.join(', ') || 'none'}`;
          emit?.({ type: 'delegation.refused', agent: a.agent, parent: at.parent, depth: at.depth, reason });
          return { ok: false, kind: 'validation', message: reason };
        }
        const r = await delegate(target, a.task, { ...at, signal, callId });
        if (!r.ok) return { ok: false, kind: 'denied', message: r.reason };
        if (r.outcome !== 'completed')
          return { ok: true, content: `[${target.name} stopped early: ${r.outcome}]\n${r.answer}` };
        return { ok: true, content: r.answer };
      },
    };
  }

  const runCrew: Delegation['runCrew'] = async (crew, input) => {
    const answers: Record<string, string> = {};
    if (crew.process === 'hierarchical') {
      if (!input.manager)
        throw new HarnessError('HARNESS_DELEGATION', 'a hierarchical crew needs a manager to run', {
          details: { process: crew.process },
        });
      const described = crew.members.map((m) => ({
        ...m,
        description: [m.description?.trim(), m.task ? `Task: ${m.task}` : undefined].filter(Boolean).join(' — '),
      }));
      const manager = await input.manager(createDelegateTool(described, { depth: 1, parent: input.root }));
      return { outcome: manager.outcome, answer: manager.answer, answers, manager };
    }
    const order = crewOrder(crew.members);
    const byName = new Map(crew.members.map((m) => [m.name, m]));
    let failed: CrewResult['outcome'] | undefined;
    const runMember = async (name: string): Promise<void> => {
      const m = byName.get(name) as CrewSpec['members'][number];
      const inputs = (m.dependsOn ?? []).map((d) => `## Result of ${d}\n\n${answers[d] ?? ''}`);
      const task = [`## Request\n\n${input.prompt}`, ...(m.task ? [`## Your task\n\n${m.task}`] : []), ...inputs].join(
        '\n\n',
      );
      const r = await delegate(m, task, { depth: 1, parent: input.root, signal: input.signal });
      if (!r.ok) failed ??= 'denied';
      else {
        answers[name] = r.answer;
        if (r.outcome !== 'completed') failed ??= r.outcome;
      }
    };
    if (crew.process === 'sequential') {
      for (const name of order) {
        if (failed) break;
        await runMember(name);
      }
    } else {
      await runDag(
        order,
        byName,
        Math.max(1, crew.concurrency ?? DEFAULT_CREW_CONCURRENCY),
        runMember,
        () => failed !== undefined,
      );
    }
    const last = order[order.length - 1];
    let answer = '';
    if (crew.process === 'sequential') answer = last ? (answers[last] ?? '') : '';
    else {
      const needed = new Set(crew.members.flatMap((m) => m.dependsOn ?? []));
      const sinks = crew.members.filter((m) => !needed.has(m.name) && m.name in answers);
      answer =
        sinks.length === 1
          ? (answers[sinks[0]?.name as string] ?? '')
          : sinks.map((m) => `## ${m.name}\n\n${answers[m.name]}`).join('\n\n');
    }
    return { outcome: failed ?? 'completed', answer, answers };
  };

  return {
    delegate,
    createDelegateTool,
    runCrew,
    runs,
    total: () =>
      runs.reduce<Usage>(
        (t, r) => ({
          inputTokens: t.inputTokens + r.usage.inputTokens,
          outputTokens: t.outputTokens + r.usage.outputTokens,
        }),
        { inputTokens: 0, outputTokens: 0 },
      ),
  };
}

/** Members in an order that runs every dependency first (listed order otherwise); an unknown dependency or a cycle throws. */
function crewOrder(members: CrewSpec['members']): string[] {
  const names = new Set(members.map((m) => m.name));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const byName = new Map(members.map((m) => [m.name, m]));
  const visit = (name: string, chain: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting')
      throw new HarnessError(
        'HARNESS_DELEGATION',
        `the crew's depends_on has a cycle: ${[...chain, name].join(' → ')}`,
        { details: { chain: [...chain, name] } },
      );
    state.set(name, 'visiting');
    for (const d of byName.get(name)?.dependsOn ?? []) {
      if (!names.has(d))
        throw new HarnessError(
          'HARNESS_DELEGATION',
          `crew member ${name} depends on ${d}, which is not in the crew (members: ${[...names].join(', ')})`,
          { details: { agent: name, dependsOn: d } },
        );
      visit(d, [...chain, name]);
    }
    state.set(name, 'done');
    order.push(name);
  };
  for (const m of members) visit(m.name, []);
  return order;
}

/** Runs members as soon as their dependencies are done, at most `cap` at once; stops starting new ones once `stop()` says so. */
async function runDag(
  order: string[],
  byName: Map<string, CrewSpec['members'][number]>,
  cap: number,
  run: (name: string) => Promise<void>,
  stop: () => boolean,
): Promise<void> {
  const done = new Set<string>();
  const started = new Set<string>();
  const running = new Set<Promise<void>>();
  for (;;) {
    if (!stop()) {
      for (const name of order) {
        if (running.size >= cap) break;
        if (started.has(name) || !(byName.get(name)?.dependsOn ?? []).every((d) => done.has(d))) continue;
        started.add(name);
        const p: Promise<void> = run(name).then(() => {
          done.add(name);
          running.delete(p);
        });
        running.add(p);
      }
    }
    if (running.size === 0) return;
    await Promise.race(running);
  }
}
