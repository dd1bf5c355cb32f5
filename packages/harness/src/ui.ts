import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { HarnessTool, ToolOutcome } from './loop.js';

/** One action a rendered component offers: `sync` runs `tool` without a model turn, `agent` goes to the model. */
export interface UiActionSpec {
  name: string;
  kind: 'sync' | 'agent';
  /** The tool a sync action runs. */
  tool?: string;
  /** Its parameters; `{{name}}` takes a prop of the component or a value the action was sent with. */
  params?: Record<string, unknown>;
}

/** A component the run rendered (`ui.render`): what a client draws, and the actions it may send back. */
export interface UiRender {
  /** Names this render in actions sent back (the id of the tool call that rendered it). */
  id: string;
  component: string;
  props: Record<string, unknown>;
  actions: UiActionSpec[];
  /** What rendered it: a `render_<component>` tool, or an http tool's `ui_component` for `status`. */
  source: { tool: string; status?: string };
}

/** An action a client sends back for a rendered component. */
export interface UiAction {
  renderId: string;
  action: string;
  /** Values the client adds (a selected item, a typed reply); they fill `{{name}}` in the action's params. */
  values?: Record<string, unknown>;
}

/** Where a run takes UI actions from; `next` resolves `undefined` when no more will come. */
export interface UiActionSource {
  next(signal: AbortSignal): Promise<UiAction | undefined>;
}

/** A UI action source an embedder pushes into. */
export interface UiActionQueue extends UiActionSource {
  push(action: UiAction): void;
  /** No more actions: a waiting run ends. */
  close(): void;
}

/** A `ui_components.<name>` entry as the manifest normalises it (structurally `UiComponentSpec`). */
export interface UiComponentDeclaration {
  name: string;
  actions: Record<string, { tool?: string; params?: Record<string, unknown> }>;
}

/** An http tool's `ui_component.<status>` rule as the manifest normalises it (structurally `ToolUiRule`). */
export interface UiRuleDeclaration {
  component: string;
  props?: Record<string, unknown>;
  actions?: {
    syncActions?: Record<string, { tool: string; params?: Record<string, unknown> }>;
    agentActions?: string[];
  };
}

/** Creates a {@link UiActionQueue}: actions pushed before a run waits are kept in order. */
export function createUiActionQueue(): UiActionQueue {
  const pending: UiAction[] = [];
  const waiters: Array<(a: UiAction | undefined) => void> = [];
  let closed = false;
  return {
    push(action) {
      if (closed) return;
      const waiter = waiters.shift();
      if (waiter) waiter(action);
      else pending.push(action);
    },
    close() {
      closed = true;
      for (const w of waiters.splice(0)) w(undefined);
    },
    next(signal) {
      const queued = pending.shift();
      if (queued) return Promise.resolve(queued);
      if (closed || signal.aborted) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const done = (a: UiAction | undefined) => {
          signal.removeEventListener('abort', onAbort);
          resolve(a);
        };
        const onAbort = () => {
          const i = waiters.indexOf(done);
          if (i >= 0) waiters.splice(i, 1);
          done(undefined);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.push(done);
      });
    },
  };
}

function actionsOf(declared: UiComponentDeclaration['actions']): UiActionSpec[] {
  return Object.entries(declared).map(([name, a]) => ({
    name,
    kind: a.tool ? 'sync' : 'agent',
    ...(a.tool ? { tool: a.tool } : {}),
    ...(a.params ? { params: a.params } : {}),
  }));
}

/**
 * A `render_<component>` tool per `ui_components` entry: the model calls it with the component's
 * props, the call emits `ui.render` (id = the call id) and the model is told it was shown.
 */
export function createRenderTools(components: UiComponentDeclaration[]): HarnessTool[] {
  return components.map((c) => {
    const actions = actionsOf(c.actions);
    const name = `render_${c.name}`;
    const described = actions.length > 0 ? ` The user can act on it: ${actions.map((a) => a.name).join(', ')}.` : '';
    return {
      spec: {
        name,
        description: `Shows the user a ${c.name} component with these props.${described}`,
        inputSchema: { type: 'object', additionalProperties: true },
      },
      async execute(args, context): Promise<ToolOutcome> {
        if (typeof args !== 'object' || args === null || Array.isArray(args))
          return { ok: false, kind: 'validation', message: 'the props must be a JSON object' };
        context.emit?.({
          type: 'ui.render',
          turn: context.turn ?? 0,
          id: context.callId,
          component: c.name,
          props: args as Record<string, unknown>,
          actions,
          source: { tool: name },
        });
        return { ok: true, content: JSON.stringify({ rendered: c.name, id: context.callId }) };
      },
    };
  });
}

function lookup(root: unknown, path: string): unknown {
  let v = root;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Fills `{{path}}` placeholders: a value that is one placeholder keeps its type, one inside text becomes text. */
export function fillTemplate(value: unknown, scope: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([^{}\s]+)\s*\}\}$/.exec(value);
    if (whole) return lookup(scope, whole[1] as string);
    return value.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_m, p: string) => {
      const v = lookup(scope, p);
      return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => fillTemplate(v, scope));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplate(v, scope)]));
  return value;
}

/**
 * Wraps an http tool with its `ui_component` rules: after each call the rule for its status
 * (`completed`, else `failed`) renders, its props filled from `json.…` (the response body),
 * `result` (its text), `error`, `status` and the call's parameters.
 */
export function withUiComponent(tool: HarnessTool, rules: Record<string, UiRuleDeclaration>): HarnessTool {
  return {
    spec: tool.spec,
    async execute(args, context) {
      const outcome = await tool.execute(args, context);
      const status = outcome.ok ? 'completed' : 'failed';
      const rule = rules[status];
      if (rule && context.emit) {
        let json: unknown;
        if (outcome.ok) {
          try {
            json = JSON.parse(outcome.content);
          } catch {
            json = undefined;
          }
        }
        const scope = {
          ...(args as Record<string, unknown>),
          json,
          status,
          ...(outcome.ok ? { result: outcome.content } : { error: outcome.message }),
        };
        const actions: UiActionSpec[] = [
          ...Object.entries(rule.actions?.syncActions ?? {}).map(([name, a]) => ({
            name,
            kind: 'sync' as const,
            tool: a.tool,
            ...(a.params ? { params: a.params } : {}),
          })),
          ...(rule.actions?.agentActions ?? []).map((name) => ({ name, kind: 'agent' as const })),
        ];
        const props = fillTemplate(rule.props ?? {}, scope) as Record<string, unknown>;
        context.emit({
          type: 'ui.render',
          turn: context.turn ?? 0,
          id: context.callId,
          component: rule.component,
          props,
          actions,
          source: { tool: tool.spec.name, status },
        });
      }
      return outcome;
    },
  };
}

/** The arguments of a sync action's tool call: its params filled from the render's props and the action's values. */
export function uiActionParams(
  spec: UiActionSpec,
  props: Record<string, unknown>,
  values: Record<string, unknown> = {},
): Record<string, unknown> {
  return fillTemplate(spec.params ?? {}, { ...props, ...values }) as Record<string, unknown>;
}

/** The user message an agent action becomes. */
export function uiActionMessage(render: UiRender, spec: UiActionSpec, values: Record<string, unknown> = {}): string {
  const params = uiActionParams(spec, render.props, values);
  const data = { ...params, ...values };
  return `[ui action] ${spec.name} on ${render.component} (render ${render.id})${Object.keys(data).length > 0 ? `: ${JSON.stringify(data)}` : ''}`;
}

/**
 * UI actions from a JSONL control channel (`agentlang run --ui-actions -`): one
 * `{"type":"ui_action","render_id":"…","action":"…","values":{…}}` per line, `render_id` from a
 * `ui.render` event. Other lines are ignored (`onInvalid` hears of them); the end of `input`
 * closes the source, so a run waiting for an action ends.
 */
export function createJsonlUiActions(
  input: Readable,
  onInvalid?: (line: string, reason: string) => void,
): UiActionQueue & { stop(): void } {
  const queue = createUiActionQueue();
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(line) as Record<string, unknown>;
    } catch {
      onInvalid?.(line, 'not JSON');
      return;
    }
    if (m?.type !== 'ui_action' || typeof m.render_id !== 'string' || typeof m.action !== 'string') {
      onInvalid?.(line, 'expected {"type":"ui_action","render_id":"…","action":"…"}');
      return;
    }
    const values =
      m.values && typeof m.values === 'object' && !Array.isArray(m.values)
        ? (m.values as Record<string, unknown>)
        : undefined;
    queue.push({ renderId: m.render_id, action: m.action, ...(values ? { values } : {}) });
  });
  lines.on('close', () => queue.close());
  return {
    ...queue,
    stop() {
      lines.close();
      queue.close();
    },
  };
}
