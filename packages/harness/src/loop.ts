import { ApprovalGate, type ApprovalOptions } from './approval.js';
import type { CompactionInfo, ContextManager } from './context.js';
import { HarnessError } from './errors.js';
import { pendingToolCalls } from './session.js';
import type { Message, ModelClient, ToolCall, ToolSpec, Usage } from './types.js';
import { type UiActionSource, type UiRender, uiActionMessage, uiActionParams } from './ui.js';

/** Why a tool call produced no result: each kind reaches the model as a structured error it can act on. */
export type ToolFailureKind = 'validation' | 'execution' | 'timeout' | 'denied' | 'unknown_tool' | 'repeated';

/** What a tool call produced. */
export type ToolOutcome = { ok: true; content: string } | { ok: false; kind: ToolFailureKind; message: string };

/** What a tool call gets besides its arguments. */
export interface ToolCallContext {
  callId: string;
  signal: AbortSignal;
  /** The run's event sink (absent outside a loop): a tool may emit `ui.render` or `delegation.*` events. */
  emit?: (event: LoopEvent) => void;
  /** The turn the call belongs to. */
  turn?: number;
}

/** A tool the loop can offer and call. */
export interface HarnessTool {
  spec: ToolSpec;
  /** Runs one call. Throwing is reported to the model as an `execution` failure; the run goes on. */
  execute(args: unknown, context: ToolCallContext): Promise<ToolOutcome>;
}

/** Limits of one run. Every limit ends the run with its own outcome, never with an exception. */
export interface LoopLimits {
  /** Model requests at most (default 50). */
  maxTurns?: number;
  /** Input + output tokens over the run; checked before each model request. */
  maxTokens?: number;
  /** Wall-clock limit of the whole run in ms. */
  timeoutMs?: number;
  /** The same call (name and arguments) made this many times is answered with a nudge; once more ends the run (default 3). */
  maxRepeats?: number;
  /** A tool result longer than this many characters keeps its head and tail (default 20 000). */
  maxToolResultChars?: number;
  /** Cost over the run in USD (needs `prices` for the model); checked before each model request. */
  maxCostUsd?: number;
}

/** Prices of a model in USD per million tokens. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** A tool result longer than the cap, handed over in full before the model sees its head and tail. */
export interface LargeResult {
  callId: string;
  toolName: string;
  content: string;
}

/** Events of a run, in order; embedders render progress from them. */
export type LoopEvent =
  | { type: 'turn.start'; turn: number }
  | { type: 'text.delta'; turn: number; text: string }
  | { type: 'model.response'; turn: number; usage: Usage; toolCalls: number }
  | { type: 'tool.call'; turn: number; id: string; name: string }
  | {
      type: 'tool.result';
      turn: number;
      id: string;
      name: string;
      ok: boolean;
      kind?: ToolFailureKind;
      truncated: boolean;
    }
  | ({ type: 'context.compacted'; turn: number } & CompactionInfo)
  | { type: 'approval.request'; turn: number; id: string; name: string }
  | {
      type: 'approval.decision';
      turn: number;
      id: string;
      name: string;
      approved: boolean;
      asked: boolean;
      reason?: string;
    }
  | { type: 'model.request'; turn: number; messages: number; tools: number }
  | ({ type: 'ui.render'; turn: number } & UiRender)
  | {
      type: 'ui.action';
      turn: number;
      renderId: string;
      action: string;
      kind: 'sync' | 'agent';
      ok: boolean;
      tool?: string;
      result?: string;
      error?: string;
    }
  | { type: 'delegation.start'; turn: number; id: string; agent: string; depth: number }
  | { type: 'delegation.end'; turn: number; id: string; agent: string; depth: number; outcome: string };

/** A change to the conversation, handed to {@link RunLoopOptions.onStep} once it is complete. */
export interface LoopStep {
  /** `prompt`: the user's message added; `response`: the model's message (its tool calls not yet run); `tool`: one tool result; `compaction`: the conversation compacted. */
  kind: 'prompt' | 'response' | 'tool' | 'compaction';
  turn: number;
  /** The whole conversation now (the loop keeps appending to it: copy what you keep past the call). */
  messages: Message[];
  /** Tokens over this run so far. */
  usage: Usage;
  /** What the compaction did (kind `compaction`). */
  compaction?: CompactionInfo;
}

/** How a run ended. */
export type LoopOutcome =
  | 'completed'
  | 'max_turns'
  | 'budget'
  | 'timeout'
  | 'repeated_call'
  | 'aborted'
  | 'max_tokens'
  | 'context_too_long';

/** Options of {@link runLoop}. */
export interface RunLoopOptions {
  model: ModelClient;
  system: string;
  /** The user's task for this run. */
  prompt: string;
  /** Earlier turns (a resumed session); the run appends to a copy. */
  history?: Message[];
  tools?: HarnessTool[];
  /**
   * Tools the loop answers calls to without offering them to the model: a call to one runs it
   * (e.g. `applySkills`'s `callable`, whose tools outside the skills answer `denied`) instead of
   * being refused as `unknown_tool`. A name in both lists is the offered tool.
   */
  callable?: HarnessTool[];
  limits?: LoopLimits;
  signal?: AbortSignal;
  onEvent?: (event: LoopEvent) => void;
  /** Context management (see createContextManager): compaction before a request passes the trigger, and once on a context-too-long error. */
  context?: ContextManager;
  /** Approval of tool calls (see ApprovalGate): `always_ask`, `session` and destructive tools ask `approve`; a denial reaches the model as `denied`. */
  approval?: ApprovalOptions;
  /** Receives a tool result over `maxToolResultChars` in full; the name it returns (an artifact) is shown to the model with the head and tail. */
  onLargeResult?: (result: LargeResult) => Promise<string | undefined> | string | undefined;
  /** Per model id, for `limits.maxCostUsd`. */
  prices?: Record<string, ModelPrice>;
  /**
   * Actions on rendered UI components (see createUiActionQueue). When the model has answered and a
   * rendered component has actions, the run waits for the next action: a sync action runs its tool
   * without a model turn, an agent action goes to the model as a user message; `undefined` (the
   * source closed) ends the run.
   */
  uiActions?: UiActionSource;
  /**
   * Awaited after every step that changes the conversation (see {@link LoopStep}): a session
   * checkpoints here, so a crash loses at most the step in flight. When `history` ends with tool
   * calls that have no result (a run stopped in flight or waiting for an approval), those calls run
   * first — each still bound to its id and arguments, approvals asked again — and the prompt (when
   * not empty) follows their results.
   */
  onStep?: (step: LoopStep) => Promise<void> | void;
}

/** What a run produced. */
export interface LoopResult {
  outcome: LoopOutcome;
  /** The model's last text: the answer when `outcome` is `completed`. */
  answer: string;
  /** The whole conversation, history included. */
  messages: Message[];
  usage: Usage;
  turns: number;
  /** Calls per tool name, failures included. */
  toolCalls: Record<string, number>;
  /** Cost in USD when `prices` names the model. */
  costUsd?: number;
}

/** Keeps the head and tail of a long tool result, saying how much was left out. */
export function capToolResult(content: string, max: number): { content: string; truncated: boolean } {
  if (content.length <= max) return { content, truncated: false };
  const head = Math.floor(max * 0.6);
  const tail = max - head;
  const omitted = content.length - head - tail;
  return {
    content: `${content.slice(0, head)}\n[… ${omitted} characters omitted …]\n${content.slice(content.length - tail)}`,
    truncated: true,
  };
}

function failureText(kind: ToolFailureKind, message: string): string {
  return JSON.stringify({ error: { kind, message } });
}

/**
 * The think → act → observe loop: asks the model, runs the tool calls it makes (in order, each
 * bound to its call id), hands the results back, and repeats until the model answers without a
 * tool call or a limit ends the run. Tool failures go back to the model; the run goes on.
 */
export async function runLoop(options: RunLoopOptions): Promise<LoopResult> {
  const limits = options.limits ?? {};
  const maxTurns = limits.maxTurns ?? 50;
  const maxRepeats = limits.maxRepeats ?? 3;
  const maxChars = limits.maxToolResultChars ?? 20_000;
  const tools = new Map([...(options.callable ?? []), ...(options.tools ?? [])].map((t) => [t.spec.name, t]));
  const specs = (options.tools ?? []).map((t) => t.spec);
  let resume = pendingToolCalls(options.history ?? []);
  const messages: Message[] = [
    ...(options.history ?? []),
    ...(resume.length > 0 ? [] : [{ role: 'user' as const, content: options.prompt }]),
  ];
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const toolCalls: Record<string, number> = {};
  const seen = new Map<string, number>();
  // ui.render events are remembered: UI actions name the render they act on.
  const renders = new Map<string, UiRender>();
  const onEvent = options.onEvent;
  const emit: RunLoopOptions['onEvent'] =
    onEvent || options.uiActions
      ? (event) => {
          if (event.type === 'ui.render') renders.set(event.id, event);
          onEvent?.(event);
        }
      : undefined;
  const deadline = limits.timeoutMs === undefined ? undefined : AbortSignal.timeout(limits.timeoutMs);
  const signals = [options.signal, deadline].filter((s): s is AbortSignal => s !== undefined);
  // A run with neither the caller's signal nor a time limit cannot be stopped: its model requests
  // get no signal (no abort bookkeeping per request), and the signal tools are handed (one per run,
  // never aborted) is made at the first tool call — an AbortController costs ~8 µs to create, more
  // than the loop's own work in a whole step (bench 700 at 2 steps). Not a getter on the call's
  // context: an accessor in that object literal cost ~5 µs per call (measured, 2-step runs).
  const external: AbortSignal | undefined =
    signals.length === 0 ? undefined : signals.length === 1 ? (signals[0] as AbortSignal) : AbortSignal.any(signals);
  let idle: AbortSignal | undefined;
  const signal = (): AbortSignal => external ?? (idle ??= new AbortController().signal);
  let answer = '';
  let turns = 0;
  let messages_ = messages;
  const price = options.prices?.[options.model.model];
  const cost = () =>
    price ? (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000 : undefined;
  const end = (outcome: LoopOutcome): LoopResult => {
    const c = cost();
    return {
      outcome,
      answer,
      messages: messages_,
      usage,
      turns,
      toolCalls,
      ...(c === undefined ? {} : { costUsd: c }),
    };
  };
  const gate = options.approval ? new ApprovalGate(options.approval) : undefined;
  const ctx = options.context;
  const compact = async (reason: CompactionInfo['reason']): Promise<boolean> => {
    if (!ctx) return false;
    const done = await ctx.compact(options.system, messages_, reason, { model: options.model, signal: external });
    if (!done) return false;
    messages_ = done.messages;
    if (done.info.usage) {
      usage.inputTokens += done.info.usage.inputTokens;
      usage.outputTokens += done.info.usage.outputTokens;
    }
    emit?.({ type: 'context.compacted', turn: turns, ...done.info });
    await options.onStep?.({ kind: 'compaction', turn: turns, messages: messages_, usage, compaction: done.info });
    return true;
  };
  const stopped = (): LoopOutcome | undefined =>
    deadline?.aborted ? 'timeout' : external?.aborted ? 'aborted' : undefined;

  if (resume.length === 0) await options.onStep?.({ kind: 'prompt', turn: 0, messages: messages_, usage });
  for (;;) {
    const halt = stopped();
    if (halt) return end(halt);
    // Tool calls a stopped run left without results are answered before the model is asked again.
    const resumed = resume;
    resume = [];
    if (resumed.length > 0) {
      const ended = await runCalls(resumed);
      if (ended) return end(ended);
      if (options.prompt !== '') {
        messages_.push({ role: 'user', content: options.prompt });
        await options.onStep?.({ kind: 'prompt', turn: turns, messages: messages_, usage });
      }
      continue;
    }
    if (turns >= maxTurns) return end('max_turns');
    if (limits.maxTokens !== undefined && usage.inputTokens + usage.outputTokens >= limits.maxTokens)
      return end('budget');
    if (limits.maxCostUsd !== undefined && (cost() ?? 0) >= limits.maxCostUsd) return end('budget');
    turns++;
    emit?.({ type: 'turn.start', turn: turns });
    if (ctx?.shouldCompact(options.system, messages_)) await compact('trigger');
    let response: Awaited<ReturnType<ModelClient['complete']>> | undefined;
    for (let attempt = 0; response === undefined; attempt++) {
      try {
        const turn = turns;
        const sent = messages_;
        emit?.({ type: 'model.request', turn, messages: sent.length, tools: specs.length });
        response = await options.model.complete(
          { system: options.system, messages: sent, tools: specs },
          { signal: external, onText: emit ? (text) => emit({ type: 'text.delta', turn, text }) : undefined },
        );
        ctx?.observe(options.system, sent, response.usage.inputTokens);
      } catch (error) {
        const halt = stopped();
        if (halt && (error as HarnessError).code === 'HARNESS_ABORTED') return end(halt);
        if (halt && error instanceof Error && error.name === 'AbortError') return end(halt);
        if (error instanceof HarnessError && error.code === 'HARNESS_CONTEXT_TOO_LONG') {
          // Compact and retry once; a second refusal (or nothing left to drop) ends the run.
          if (attempt === 0 && (await compact('context_too_long'))) continue;
          return end('context_too_long');
        }
        throw error;
      }
    }
    usage.inputTokens += response.usage.inputTokens;
    usage.outputTokens += response.usage.outputTokens;
    emit?.({ type: 'model.response', turn: turns, usage: response.usage, toolCalls: response.toolCalls.length });
    answer = response.text;
    messages_.push(
      response.toolCalls.length > 0
        ? { role: 'assistant', content: response.text, toolCalls: response.toolCalls }
        : { role: 'assistant', content: response.text },
    );
    await options.onStep?.({ kind: 'response', turn: turns, messages: messages_, usage });
    if (response.toolCalls.length === 0) {
      const next =
        options.uiActions && response.stopReason !== 'max_tokens'
          ? await awaitUiAction(options.uiActions, renders, tools, specs, turns, signal(), emit)
          : undefined;
      if (next === undefined) {
        const halt = stopped();
        if (halt) return end(halt);
        return end(response.stopReason === 'max_tokens' ? 'max_tokens' : 'completed');
      }
      messages_.push({ role: 'user', content: next });
      await options.onStep?.({ kind: 'prompt', turn: turns, messages: messages_, usage });
      continue;
    }
    const ended = await runCalls(response.toolCalls);
    if (ended) return end(ended);
  }

  /**
   * Runs the calls of one model response in order, each result bound to its call id; the outcome
   * that ends the run when a call repeated too often, or when the run was stopped while an approval
   * was asked (that call and the rest keep no result: a resumed session asks again).
   */
  async function runCalls(calls: ToolCall[]): Promise<LoopOutcome | undefined> {
    let repeatedTooOften = false;
    for (const call of calls) {
      toolCalls[call.name] = (toolCalls[call.name] ?? 0) + 1;
      emit?.({ type: 'tool.call', turn: turns, id: call.id, name: call.name });
      const key = `${call.name}\u0000${JSON.stringify(call.arguments)}`;
      const count = (seen.get(key) ?? 0) + 1;
      seen.set(key, count);
      let outcome: ToolOutcome;
      if (count > maxRepeats) {
        repeatedTooOften = true;
        outcome = {
          ok: false,
          kind: 'repeated',
          message: `${call.name} was called with the same arguments ${count} times; the run stops.`,
        };
      } else if (count === maxRepeats) {
        outcome = {
          ok: false,
          kind: 'repeated',
          message: `${call.name} was already called with these exact arguments ${count - 1} times and its result is above. Use it, try different arguments, or answer.`,
        };
      } else {
        const decision = gate && tools.has(call.name) ? await approve(gate, call, turns, emit) : undefined;
        const halt = decision && !decision.approved ? stopped() : undefined;
        if (halt) return halt;
        outcome =
          decision && !decision.approved
            ? { ok: false, kind: 'denied', message: decision.reason ?? `the call to ${call.name} was not approved` }
            : await callTool(tools, specs, call, signal(), emit, turns);
      }
      const content = outcome.ok ? outcome.content : failureText(outcome.kind, outcome.message);
      let capped = capToolResult(content, maxChars);
      if (capped.truncated && options.onLargeResult) {
        const artifact = await options.onLargeResult({ callId: call.id, toolName: call.name, content });
        if (artifact)
          capped = {
            content: `[full output (${content.length} characters) saved as artifact ${artifact}]\n${capped.content}`,
            truncated: true,
          };
      }
      messages_.push({
        role: 'tool',
        toolCallId: call.id,
        name: call.name,
        content: capped.content,
        ...(outcome.ok ? {} : { isError: true }),
      });
      emit?.({
        type: 'tool.result',
        turn: turns,
        id: call.id,
        name: call.name,
        ok: outcome.ok,
        ...(outcome.ok ? {} : { kind: outcome.kind }),
        truncated: capped.truncated,
      });
      await options.onStep?.({ kind: 'tool', turn: turns, messages: messages_, usage });
    }
    return repeatedTooOften ? 'repeated_call' : undefined;
  }
}

async function approve(gate: ApprovalGate, call: ToolCall, turn: number, emit: RunLoopOptions['onEvent']) {
  if (gate.permission(call.name) !== 'always') emit?.({ type: 'approval.request', turn, id: call.id, name: call.name });
  let decision: Awaited<ReturnType<ApprovalGate['check']>>;
  try {
    decision = await gate.check({ callId: call.id, toolName: call.name, arguments: call.arguments });
  } catch (error) {
    decision = {
      approved: false,
      asked: true,
      reason: `the approver failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (gate.permission(call.name) !== 'always') {
    emit?.({
      type: 'approval.decision',
      turn,
      id: call.id,
      name: call.name,
      approved: decision.approved,
      asked: decision.asked,
      ...(decision.reason ? { reason: decision.reason } : {}),
    });
  }
  return decision;
}

/**
 * Waits for UI actions while a rendered component offers some: runs sync actions (no model turn)
 * and returns the user message of the first agent action, or undefined when the source closes.
 */
async function awaitUiAction(
  source: UiActionSource,
  renders: Map<string, UiRender>,
  tools: Map<string, HarnessTool>,
  specs: ToolSpec[],
  turn: number,
  signal: AbortSignal,
  emit: RunLoopOptions['onEvent'],
): Promise<string | undefined> {
  for (;;) {
    if (![...renders.values()].some((r) => r.actions.length > 0) || signal.aborted) return undefined;
    const action = await source.next(signal);
    if (action === undefined) return undefined;
    const render = renders.get(action.renderId);
    const spec = render?.actions.find((a) => a.name === action.action);
    if (!render || !spec) {
      const error = render
        ? `component ${render.component} has no action ${action.action}`
        : `no rendered component has id ${action.renderId}`;
      emit?.({
        type: 'ui.action',
        turn,
        renderId: action.renderId,
        action: action.action,
        kind: 'agent',
        ok: false,
        error,
      });
      continue;
    }
    if (spec.kind === 'agent') {
      emit?.({ type: 'ui.action', turn, renderId: render.id, action: spec.name, kind: 'agent', ok: true });
      return uiActionMessage(render, spec, action.values);
    }
    const tool = spec.tool as string;
    const call: ToolCall = {
      id: `ui_${render.id}_${spec.name}`,
      name: tool,
      arguments: uiActionParams(spec, render.props, action.values),
    };
    const outcome = await callTool(tools, specs, call, signal, emit, turn);
    emit?.({
      type: 'ui.action',
      turn,
      renderId: render.id,
      action: spec.name,
      kind: 'sync',
      tool,
      ok: outcome.ok,
      ...(outcome.ok ? { result: outcome.content } : { error: outcome.message }),
    });
  }
}

async function callTool(
  tools: Map<string, HarnessTool>,
  specs: ToolSpec[],
  call: ToolCall,
  signal: AbortSignal,
  emit?: RunLoopOptions['onEvent'],
  turn?: number,
): Promise<ToolOutcome> {
  const tool = tools.get(call.name);
  if (!tool) {
    const offered = specs.map((s) => s.name).join(', ') || 'none';
    return {
      ok: false,
      kind: 'unknown_tool',
      message: `no tool named ${JSON.stringify(call.name)} is offered to this agent (offered: ${offered})`,
    };
  }
  const args = call.arguments as Record<string, unknown> | null;
  if (args && typeof args === 'object' && '__unparsed' in args) {
    return {
      ok: false,
      kind: 'validation',
      message: `the arguments are not valid JSON: ${String(args.__unparsed).slice(0, 200)}`,
    };
  }
  try {
    return await tool.execute(call.arguments, {
      callId: call.id,
      signal,
      ...(emit ? { emit } : {}),
      ...(turn !== undefined ? { turn } : {}),
    });
  } catch (error) {
    if (error instanceof HarnessError && error.code === 'HARNESS_EGRESS_DENIED')
      return { ok: false, kind: 'denied', message: error.message };
    if (error instanceof HarnessError && error.code === 'HARNESS_TIMEOUT')
      return { ok: false, kind: 'timeout', message: error.message };
    return { ok: false, kind: 'execution', message: error instanceof Error ? error.message : String(error) };
  }
}
