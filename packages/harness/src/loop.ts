import { HarnessError } from './errors.js';
import type { Message, ModelClient, ToolCall, ToolSpec, Usage } from './types.js';

/** Why a tool call produced no result: each kind reaches the model as a structured error it can act on. */
export type ToolFailureKind = 'validation' | 'execution' | 'timeout' | 'denied' | 'unknown_tool' | 'repeated';

/** What a tool call produced. */
export type ToolOutcome = { ok: true; content: string } | { ok: false; kind: ToolFailureKind; message: string };

/** A tool the loop can offer and call. */
export interface HarnessTool {
  spec: ToolSpec;
  /** Runs one call. Throwing is reported to the model as an `execution` failure; the run goes on. */
  execute(args: unknown, context: { callId: string; signal: AbortSignal }): Promise<ToolOutcome>;
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
}

/** Events of a run, in order; embedders render progress from them. */
export type LoopEvent =
  | { type: 'turn.start'; turn: number }
  | { type: 'text.delta'; turn: number; text: string }
  | { type: 'model.response'; turn: number; usage: Usage; toolCalls: number }
  | { type: 'tool.call'; turn: number; id: string; name: string }
  | { type: 'tool.result'; turn: number; id: string; name: string; ok: boolean; kind?: ToolFailureKind; truncated: boolean };

/** How a run ended. */
export type LoopOutcome = 'completed' | 'max_turns' | 'budget' | 'timeout' | 'repeated_call' | 'aborted' | 'max_tokens';

/** Options of {@link runLoop}. */
export interface RunLoopOptions {
  model: ModelClient;
  system: string;
  /** The user's task for this run. */
  prompt: string;
  /** Earlier turns (a resumed session); the run appends to a copy. */
  history?: Message[];
  tools?: HarnessTool[];
  limits?: LoopLimits;
  signal?: AbortSignal;
  onEvent?: (event: LoopEvent) => void;
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
}

/** Keeps the head and tail of a long tool result, saying how much was left out. */
export function capToolResult(content: string, max: number): { content: string; truncated: boolean } {
  if (content.length <= max) return { content, truncated: false };
  const head = Math.floor(max * 0.6);
  const tail = max - head;
  const omitted = content.length - head - tail;
  return { content: `${content.slice(0, head)}\n[… ${omitted} characters omitted …]\n${content.slice(content.length - tail)}`, truncated: true };
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
  const tools = new Map((options.tools ?? []).map((t) => [t.spec.name, t]));
  const specs = (options.tools ?? []).map((t) => t.spec);
  const messages: Message[] = [...(options.history ?? []), { role: 'user', content: options.prompt }];
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const toolCalls: Record<string, number> = {};
  const seen = new Map<string, number>();
  const emit = options.onEvent;
  const deadline = limits.timeoutMs === undefined ? undefined : AbortSignal.timeout(limits.timeoutMs);
  const signals = [options.signal, deadline].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length === 0 ? new AbortController().signal : signals.length === 1 ? (signals[0] as AbortSignal) : AbortSignal.any(signals);
  let answer = '';
  let turns = 0;
  const end = (outcome: LoopOutcome): LoopResult => ({ outcome, answer, messages, usage, turns, toolCalls });
  const stopped = (): LoopOutcome | undefined => (deadline?.aborted ? 'timeout' : signal.aborted ? 'aborted' : undefined);

  for (;;) {
    const halt = stopped();
    if (halt) return end(halt);
    if (turns >= maxTurns) return end('max_turns');
    if (limits.maxTokens !== undefined && usage.inputTokens + usage.outputTokens >= limits.maxTokens) return end('budget');
    turns++;
    emit?.({ type: 'turn.start', turn: turns });
    let response: Awaited<ReturnType<ModelClient['complete']>>;
    try {
      const turn = turns;
      response = await options.model.complete(
        { system: options.system, messages, tools: specs },
        { signal, onText: emit ? (text) => emit({ type: 'text.delta', turn, text }) : undefined },
      );
    } catch (error) {
      const halt = stopped();
      if (halt && (error as HarnessError).code === 'HARNESS_ABORTED') return end(halt);
      if (halt && error instanceof Error && error.name === 'AbortError') return end(halt);
      throw error;
    }
    usage.inputTokens += response.usage.inputTokens;
    usage.outputTokens += response.usage.outputTokens;
    emit?.({ type: 'model.response', turn: turns, usage: response.usage, toolCalls: response.toolCalls.length });
    answer = response.text;
    messages.push(response.toolCalls.length > 0 ? { role: 'assistant', content: response.text, toolCalls: response.toolCalls } : { role: 'assistant', content: response.text });
    if (response.toolCalls.length === 0) return end(response.stopReason === 'max_tokens' ? 'max_tokens' : 'completed');

    let repeatedTooOften = false;
    for (const call of response.toolCalls) {
      toolCalls[call.name] = (toolCalls[call.name] ?? 0) + 1;
      emit?.({ type: 'tool.call', turn: turns, id: call.id, name: call.name });
      const key = `${call.name}\u0000${JSON.stringify(call.arguments)}`;
      const count = (seen.get(key) ?? 0) + 1;
      seen.set(key, count);
      let outcome: ToolOutcome;
      if (count > maxRepeats) {
        repeatedTooOften = true;
        outcome = { ok: false, kind: 'repeated', message: `${call.name} was called with the same arguments ${count} times; the run stops.` };
      } else if (count === maxRepeats) {
        outcome = {
          ok: false,
          kind: 'repeated',
          message: `${call.name} was already called with these exact arguments ${count - 1} times and its result is above. Use it, try different arguments, or answer.`,
        };
      } else outcome = await callTool(tools, call, signal);
      const content = outcome.ok ? outcome.content : failureText(outcome.kind, outcome.message);
      const capped = capToolResult(content, maxChars);
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: capped.content, ...(outcome.ok ? {} : { isError: true }) });
      emit?.({ type: 'tool.result', turn: turns, id: call.id, name: call.name, ok: outcome.ok, ...(outcome.ok ? {} : { kind: outcome.kind }), truncated: capped.truncated });
    }
    if (repeatedTooOften) return end('repeated_call');
  }
}

async function callTool(tools: Map<string, HarnessTool>, call: ToolCall, signal: AbortSignal): Promise<ToolOutcome> {
  const tool = tools.get(call.name);
  if (!tool) {
    const offered = [...tools.keys()].join(', ') || 'none';
    return { ok: false, kind: 'unknown_tool', message: `no tool named ${JSON.stringify(call.name)} is offered to this agent (offered: ${offered})` };
  }
  const args = call.arguments as Record<string, unknown> | null;
  if (args && typeof args === 'object' && '__unparsed' in args) {
    return { ok: false, kind: 'validation', message: `the arguments are not valid JSON: ${String(args.__unparsed).slice(0, 200)}` };
  }
  try {
    return await tool.execute(call.arguments, { callId: call.id, signal });
  } catch (error) {
    if (error instanceof HarnessError && error.code === 'HARNESS_EGRESS_DENIED') return { ok: false, kind: 'denied', message: error.message };
    if (error instanceof HarnessError && error.code === 'HARNESS_TIMEOUT') return { ok: false, kind: 'timeout', message: error.message };
    return { ok: false, kind: 'execution', message: error instanceof Error ? error.message : String(error) };
  }
}
