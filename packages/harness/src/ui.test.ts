import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../test/scripted-server.js';
import { buildAgentTools } from './agent-tools.js';
import { createAnthropicClient } from './anthropic.js';
import { type HarnessTool, type LoopEvent, runLoop } from './loop.js';
import { createOpenAIClient } from './openai.js';
import { createJsonlUiActions, createRenderTools, createUiActionQueue, fillTemplate, type UiRender } from './ui.js';

let server: ScriptedServer | undefined;
let api: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await new Promise((r) => (api ? api.close(r) : r(undefined)));
  api = undefined;
});

const EMAIL_CARD = {
  name: 'email_card',
  actions: {
    archive: { tool: 'modify_labels', params: { id: '{{messageId}}', remove: 'INBOX' } },
    reply: { params: { messageId: '{{messageId}}' } },
  },
};

function labelsTool(calls: unknown[]): HarnessTool {
  return {
    spec: { name: 'modify_labels', description: 'Changes labels', inputSchema: { type: 'object' } },
    execute: async (args) => {
      calls.push(args);
      return { ok: true, content: 'archived' };
    },
  };
}

const renderType = (e: LoopEvent): e is Extract<LoopEvent, { type: 'ui.render' }> => e.type === 'ui.render';

describe.each(['openai', 'anthropic'] as const)('generative UI over %s', (protocol) => {
  async function model(script: ScriptStep[]) {
    server = await startScriptedServer(script);
    return protocol === 'openai'
      ? createOpenAIClient({ model: 'm', baseUrl: `${server.origin}/v1`, retry: { baseDelayMs: 1 } })
      : createAnthropicClient({ model: 'm', baseUrl: server.origin, retry: { baseDelayMs: 1 } });
  }
  const props = { messageId: 'msg_123', subject: 'Project update' };

  it('render_<component> emits ui.render with the props and the declared actions, and tells the model', async () => {
    const m = await model([
      { toolCalls: [{ id: 'r1', name: 'render_email_card', arguments: props }] },
      { text: 'Shown.' },
    ]);
    const events: LoopEvent[] = [];
    const r = await runLoop({
      model: m,
      system: '',
      prompt: 'show mail',
      tools: [...createRenderTools([EMAIL_CARD, { name: 'metric_card', actions: {} }])],
      onEvent: (e) => events.push(e),
    });
    expect(r.outcome).toBe('completed');
    // Both components are offered as tools.
    const offered = JSON.stringify(server?.requests[0]?.body);
    expect(offered).toContain('render_email_card');
    expect(offered).toContain('render_metric_card');
    expect(events.filter(renderType)).toEqual([
      {
        type: 'ui.render',
        turn: 1,
        id: 'r1',
        component: 'email_card',
        props,
        actions: [
          { name: 'archive', kind: 'sync', tool: 'modify_labels', params: { id: '{{messageId}}', remove: 'INBOX' } },
          { name: 'reply', kind: 'agent', params: { messageId: '{{messageId}}' } },
        ],
        source: { tool: 'render_email_card' },
      },
    ]);
    expect(JSON.stringify(server?.requests[1]?.body)).toContain('rendered');
  });

  it('a sync action runs its tool without a model turn; an agent action goes to the model as a user message', async () => {
    const m = await model([
      { toolCalls: [{ id: 'r1', name: 'render_email_card', arguments: props }] },
      { text: 'Here is your mail.' },
      { text: 'Drafting a reply to msg_123.' },
    ]);
    const calls: unknown[] = [];
    const events: LoopEvent[] = [];
    const queue = createUiActionQueue();
    const run = runLoop({
      model: m,
      system: '',
      prompt: 'show mail',
      tools: [...createRenderTools([EMAIL_CARD]), labelsTool(calls)],
      uiActions: queue,
      onEvent: (e) => {
        events.push(e);
        // The client acts once the model has answered and the run waits.
        if (e.type === 'model.response' && e.turn === 2) {
          queue.push({ renderId: 'r1', action: 'archive' });
          queue.push({ renderId: 'r1', action: 'nope' });
          queue.push({ renderId: 'r1', action: 'reply', values: { text: 'Thanks!' } });
        }
        if (e.type === 'model.response' && e.turn === 3) queue.close();
      },
    });
    const r = await run;
    expect(r.outcome).toBe('completed');
    expect(r.answer).toBe('Drafting a reply to msg_123.');
    // archive: the tool ran with the params filled from the props, and no model request was made for it.
    expect(calls).toEqual([{ id: 'msg_123', remove: 'INBOX' }]);
    expect(server?.requests).toHaveLength(3);
    const actions = events.filter((e) => e.type === 'ui.action');
    expect(actions).toEqual([
      {
        type: 'ui.action',
        turn: 2,
        renderId: 'r1',
        action: 'archive',
        kind: 'sync',
        tool: 'modify_labels',
        ok: true,
        result: 'archived',
      },
      {
        type: 'ui.action',
        turn: 2,
        renderId: 'r1',
        action: 'nope',
        kind: 'agent',
        ok: false,
        error: 'component email_card has no action nope',
      },
      { type: 'ui.action', turn: 2, renderId: 'r1', action: 'reply', kind: 'agent', ok: true },
    ]);
    // reply: the third request carries the action as the user's message.
    const last = r.messages.at(-2);
    expect(last).toEqual({
      role: 'user',
      content: '[ui action] reply on email_card (render r1): {"messageId":"msg_123","text":"Thanks!"}',
    });
    expect(JSON.stringify(server?.requests[2]?.body)).toContain('[ui action] reply on email_card');
  });

  it('does not wait for actions when nothing rendered has any, or when the run is aborted', async () => {
    const m = await model([
      { toolCalls: [{ id: 'r1', name: 'render_metric_card', arguments: { value: 3 } }] },
      { text: 'done' },
    ]);
    const r = await runLoop({
      model: m,
      system: '',
      prompt: 'x',
      tools: createRenderTools([{ name: 'metric_card', actions: {} }]),
      uiActions: createUiActionQueue(),
    });
    expect(r.outcome).toBe('completed');
    await server?.close();
    const m2 = await model([
      { toolCalls: [{ id: 'r1', name: 'render_email_card', arguments: props }] },
      { text: 'done' },
    ]);
    const abort = new AbortController();
    const r2 = await runLoop({
      model: m2,
      system: '',
      prompt: 'x',
      tools: createRenderTools([EMAIL_CARD]),
      uiActions: createUiActionQueue(),
      signal: abort.signal,
      onEvent: (e) => e.type === 'model.response' && e.turn === 2 && abort.abort(),
    });
    expect(r2.outcome).toBe('aborted');
  });

  it("an http tool's ui_component renders per status, props filled from the response", async () => {
    api = createServer((req, res) => {
      if (req.url?.startsWith('/v1/fail')) {
        res.writeHead(500).end('boom');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ messages: [{ images: ['a.png', 'b.png'] }], usage: { cost_usd: 0.02 } }));
    });
    await new Promise<void>((r) => api?.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}/v1`;
    const rule = {
      completed: {
        component: 'headshot_gallery',
        props: {
          images: '{{json.messages[0].images}}',
          cost: '{{json.usage.cost_usd}}',
          caption: 'for {{input_image}}',
        },
        actions: {
          syncActions: { download: { tool: 'system://download_file', params: { url: '{{selectedImage}}' } } },
          agentActions: ['regenerate'],
        },
      },
      failed: { component: 'error_card', props: { message: '{{error}}' } },
    };
    const built = await buildAgentTools(
      {
        http: [
          {
            name: 'generate_headshot',
            endpoint: '/generate',
            method: 'POST',
            params: { input_image: { type: 'string', required: true } },
            uiComponent: rule,
          },
          { name: 'failing', endpoint: '/fail', method: 'POST', params: {}, uiComponent: rule },
        ],
      },
      { env: { AGENTLANG_HTTP_BASE_URL: base } },
    );
    const m = await model([
      {
        toolCalls: [
          { id: 'h1', name: 'generate_headshot', arguments: { input_image: 'me.jpg' } },
          { id: 'h2', name: 'failing', arguments: {} },
        ],
      },
      { text: 'ok' },
    ]);
    const events: LoopEvent[] = [];
    await runLoop({ model: m, system: '', prompt: 'x', tools: built.tools, onEvent: (e) => events.push(e) });
    await built.close();
    const renders = events.filter(renderType) as UiRender[];
    expect(renders[0]).toMatchObject({
      id: 'h1',
      component: 'headshot_gallery',
      props: { images: ['a.png', 'b.png'], cost: 0.02, caption: 'for me.jpg' },
      actions: [
        { name: 'download', kind: 'sync', tool: 'system://download_file' },
        { name: 'regenerate', kind: 'agent' },
      ],
      source: { tool: 'generate_headshot', status: 'completed' },
    });
    expect(renders[1]).toMatchObject({
      id: 'h2',
      component: 'error_card',
      source: { tool: 'failing', status: 'failed' },
    });
    expect(String(renders[1]?.props.message)).toContain('answered 500');
  });
});

describe('fillTemplate', () => {
  it('keeps the type of a whole placeholder and stringifies one inside text', () => {
    expect(fillTemplate({ a: '{{x.y}}', b: 'n={{x.y}}', c: ['{{z}}'], d: 5 }, { x: { y: [1, 2] }, z: 'q' })).toEqual({
      a: [1, 2],
      b: 'n=[1,2]',
      c: ['q'],
      d: 5,
    });
  });
});

describe('createJsonlUiActions', () => {
  it('reads ui_action lines in order, reports others, and closes at the end of input', async () => {
    const { PassThrough } = await import('node:stream');
    const input = new PassThrough();
    const invalid: string[] = [];
    const source = createJsonlUiActions(input, (_line, reason) => invalid.push(reason));
    input.write('{"type":"ui_action","render_id":"r1","action":"archive"}\nnot json\n{"type":"approval"}\n');
    input.end('{"type":"ui_action","render_id":"r1","action":"reply","values":{"text":"hi"}}\n');
    const signal = new AbortController().signal;
    expect(await source.next(signal)).toEqual({ renderId: 'r1', action: 'archive' });
    expect(await source.next(signal)).toEqual({ renderId: 'r1', action: 'reply', values: { text: 'hi' } });
    expect(await source.next(signal)).toBeUndefined();
    expect(invalid).toEqual(['not JSON', expect.stringContaining('ui_action')]);
  });
});
