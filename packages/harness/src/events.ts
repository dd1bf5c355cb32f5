import type { Writable } from 'node:stream';
import type { LoopEvent, LoopResult, RunLoopOptions } from './loop.js';
import { runLoop } from './loop.js';
import type { UiActionSpec } from './ui.js';

/** The version of the event schema: `v` of every event; a change that is not additive bumps it. */
export const AGENT_EVENT_VERSION = 1;

/** Fields every event carries. */
export interface AgentEventEnvelope {
  /** {@link AGENT_EVENT_VERSION}. */
  v: 1;
  run_id: string;
  /** 1, 2, 3, … within the run, in emission order. */
  seq: number;
  /** ISO 8601 time of emission. */
  ts: string;
}

type Action = { name: string; kind: 'sync' | 'agent'; tool?: string; params?: Record<string, unknown> };

/**
 * One event of the typed stream (`agentlang run --events`), snake_case like the CLI's `--json`.
 * Events carry counts, names, ids and outcomes; `text.delta` carries the answer's text and
 * `ui.render` the props the model chose (both are the point of the stream); tool arguments, tool
 * results (other than a UI sync action's, which the UI asked for), prompts and keys never appear.
 */
export type AgentEventBody =
  | { type: 'run.start'; agent?: string; model: string; protocol: string }
  | {
      type: 'run.end';
      outcome: string;
      turns: number;
      input_tokens: number;
      output_tokens: number;
      cost_usd?: number;
      error?: string;
    }
  | { type: 'turn.start'; turn: number }
  | { type: 'model.request'; turn: number; model: string; messages: number; tools: number }
  | { type: 'text.delta'; turn: number; text: string }
  | { type: 'model.response'; turn: number; tool_calls: number }
  | { type: 'usage'; turn: number; input_tokens: number; output_tokens: number }
  | { type: 'tool.call'; turn: number; call_id: string; name: string }
  | { type: 'tool.result'; turn: number; call_id: string; name: string; ok: boolean; kind?: string; truncated: boolean }
  | { type: 'approval.request'; turn: number; call_id: string; name: string }
  | {
      type: 'approval.decision';
      turn: number;
      call_id: string;
      name: string;
      approved: boolean;
      asked: boolean;
      reason?: string;
    }
  | {
      type: 'context.compacted';
      turn: number;
      reason: string;
      strategy: string;
      before_tokens: number;
      after_tokens: number;
      dropped_messages: number;
    }
  | { type: 'delegation.start'; turn: number; call_id: string; agent: string; depth: number }
  | { type: 'delegation.end'; turn: number; call_id: string; agent: string; depth: number; outcome: string }
  | {
      type: 'ui.render';
      turn: number;
      render_id: string;
      component: string;
      props: Record<string, unknown>;
      actions: Action[];
      source: { tool: string; status?: string };
    }
  | {
      type: 'ui.action';
      turn: number;
      render_id: string;
      action: string;
      kind: 'sync' | 'agent';
      ok: boolean;
      tool?: string;
      result?: string;
      error?: string;
    };

/** An event of the stream: the envelope and one body. */
export type AgentEvent = AgentEventEnvelope & AgentEventBody;

/** The `type` of every event, in the order of {@link AgentEventBody}. */
export const AGENT_EVENT_TYPES = [
  'run.start',
  'run.end',
  'turn.start',
  'model.request',
  'text.delta',
  'model.response',
  'usage',
  'tool.call',
  'tool.result',
  'approval.request',
  'approval.decision',
  'context.compacted',
  'delegation.start',
  'delegation.end',
  'ui.render',
  'ui.action',
] as const satisfies ReadonlyArray<AgentEventBody['type']>;

const actions = (a: UiActionSpec[]): Action[] =>
  a.map((x) => ({
    name: x.name,
    kind: x.kind,
    ...(x.tool ? { tool: x.tool } : {}),
    ...(x.params ? { params: x.params } : {}),
  }));

/** The stream events of one loop event (`model.response` also yields `usage`); `model` names the run's model. */
export function toAgentEvents(event: LoopEvent, model: string): AgentEventBody[] {
  switch (event.type) {
    case 'turn.start':
      return [{ type: 'turn.start', turn: event.turn }];
    case 'model.request':
      return [{ type: 'model.request', turn: event.turn, model, messages: event.messages, tools: event.tools }];
    case 'text.delta':
      return [{ type: 'text.delta', turn: event.turn, text: event.text }];
    case 'model.response':
      return [
        { type: 'model.response', turn: event.turn, tool_calls: event.toolCalls },
        {
          type: 'usage',
          turn: event.turn,
          input_tokens: event.usage.inputTokens,
          output_tokens: event.usage.outputTokens,
        },
      ];
    case 'tool.call':
      return [{ type: 'tool.call', turn: event.turn, call_id: event.id, name: event.name }];
    case 'tool.result':
      return [
        {
          type: 'tool.result',
          turn: event.turn,
          call_id: event.id,
          name: event.name,
          ok: event.ok,
          ...(event.kind ? { kind: event.kind } : {}),
          truncated: event.truncated,
        },
      ];
    case 'approval.request':
      return [{ type: 'approval.request', turn: event.turn, call_id: event.id, name: event.name }];
    case 'approval.decision':
      return [
        {
          type: 'approval.decision',
          turn: event.turn,
          call_id: event.id,
          name: event.name,
          approved: event.approved,
          asked: event.asked,
          ...(event.reason ? { reason: event.reason } : {}),
        },
      ];
    case 'context.compacted':
      return [
        {
          type: 'context.compacted',
          turn: event.turn,
          reason: event.reason,
          strategy: event.strategy,
          before_tokens: event.beforeTokens,
          after_tokens: event.afterTokens,
          dropped_messages: event.droppedMessages,
        },
      ];
    case 'delegation.start':
      return [
        { type: 'delegation.start', turn: event.turn, call_id: event.id, agent: event.agent, depth: event.depth },
      ];
    case 'delegation.end':
      return [
        {
          type: 'delegation.end',
          turn: event.turn,
          call_id: event.id,
          agent: event.agent,
          depth: event.depth,
          outcome: event.outcome,
        },
      ];
    case 'ui.render':
      return [
        {
          type: 'ui.render',
          turn: event.turn,
          render_id: event.id,
          component: event.component,
          props: event.props,
          actions: actions(event.actions),
          source: event.source,
        },
      ];
    case 'ui.action':
      return [
        {
          type: 'ui.action',
          turn: event.turn,
          render_id: event.renderId,
          action: event.action,
          kind: event.kind,
          ok: event.ok,
          ...(event.tool ? { tool: event.tool } : {}),
          ...(event.result !== undefined ? { result: event.result } : {}),
          ...(event.error ? { error: event.error } : {}),
        },
      ];
    default:
      // A kind this version does not know (added by a newer loop) is left out, never guessed at.
      return [];
  }
}

/** Stamps events of one run with the envelope and hands them to listeners. */
export interface EventSink {
  readonly runId: string;
  /** Stamps and delivers one event; returns it. */
  emit(body: AgentEventBody): AgentEvent;
  /** Delivers the stream events of a loop event (pass as `runLoop`'s `onEvent` through a closure). */
  loopEvent(event: LoopEvent): void;
}

/** Creates an {@link EventSink} for `runId`; `model` is named in `model.request` events. */
export function createEventSink(options: {
  runId: string;
  model: string;
  listeners: Array<(event: AgentEvent) => void>;
  now?: () => Date;
}): EventSink {
  let seq = 0;
  const now = options.now ?? (() => new Date());
  const sink: EventSink = {
    runId: options.runId,
    emit(body) {
      const event = {
        v: AGENT_EVENT_VERSION,
        run_id: options.runId,
        seq: ++seq,
        ts: now().toISOString(),
        ...body,
      } as AgentEvent;
      for (const l of options.listeners) l(event);
      return event;
    },
    loopEvent(event) {
      for (const body of toAgentEvents(event, options.model)) sink.emit(body);
    },
  };
  return sink;
}

/** A listener writing each event as one JSON line to `out` (a file stream, or stdout for `--events -`). */
export function jsonlEventWriter(out: Writable): (event: AgentEvent) => void {
  return (event) => {
    out.write(`${JSON.stringify(event)}\n`);
  };
}

/** What {@link streamLoop} returns: the events as an async iterator, and the run's result. */
export interface LoopStream {
  events: AsyncIterable<AgentEvent>;
  result: Promise<LoopResult>;
}

/**
 * Runs {@link runLoop} and yields its typed events (`run.start` … `run.end`) as an async iterator.
 * Events are buffered, so a slow consumer never slows the run; iteration ends after `run.end`. A
 * run that throws ends with `run.end` outcome `error` and rejects `result`.
 */
export function streamLoop(options: RunLoopOptions & { runId: string; agent?: string }): LoopStream {
  const buffer: AgentEvent[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const sink = createEventSink({
    runId: options.runId,
    model: options.model.model,
    listeners: [
      (e) => {
        buffer.push(e);
        wake?.();
      },
    ],
  });
  const { runId: _runId, agent, ...loopOptions } = options;
  sink.emit({
    type: 'run.start',
    ...(agent ? { agent } : {}),
    model: options.model.model,
    protocol: options.model.protocol,
  });
  const result = runLoop({
    ...loopOptions,
    onEvent: (e) => {
      sink.loopEvent(e);
      options.onEvent?.(e);
    },
  }).then(
    (r) => {
      sink.emit({
        type: 'run.end',
        outcome: r.outcome,
        turns: r.turns,
        input_tokens: r.usage.inputTokens,
        output_tokens: r.usage.outputTokens,
        ...(r.costUsd !== undefined ? { cost_usd: r.costUsd } : {}),
      });
      done = true;
      wake?.();
      return r;
    },
    (error: unknown) => {
      sink.emit({
        type: 'run.end',
        outcome: 'error',
        turns: 0,
        input_tokens: 0,
        output_tokens: 0,
        error: error instanceof Error ? error.message : String(error),
      });
      done = true;
      wake?.();
      throw error;
    },
  );
  // The caller may only iterate; its rejection still reaches whoever awaits `result`.
  result.catch(() => {});
  const events: AsyncIterable<AgentEvent> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = buffer.shift();
        if (next) {
          yield next;
          continue;
        }
        if (done) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
  return { events, result };
}
