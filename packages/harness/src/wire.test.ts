import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../test/scripted-server.js';
import { anthropicRequestJson, createAnthropicClient, toAnthropicMessages } from './anthropic.js';
import { createContextManager } from './context.js';
import { runLoop } from './loop.js';
import { createOpenAIClient, openAIRequestJson, toOpenAIMessages } from './openai.js';
import type { Message, ModelClient, ModelRequest, ToolSpec } from './types.js';
import { RawJson, requestJson } from './wire.js';

// The clients serialise each message once and join the cached strings into the body. The body
// must stay byte-for-byte what JSON.stringify of a freshly built body gives, whatever the
// conversation, however it grew, and after a compaction rewrote its head.

type Settings = { model: string; options?: Record<string, unknown>; stream?: boolean };

/** The body the clients sent before the cache, built fresh: the reference. */
function freshJson(protocol: 'openai' | 'anthropic', settings: Settings, request: ModelRequest): string {
  const stream = settings.stream ?? true;
  if (protocol === 'openai') {
    const body: Record<string, unknown> = {
      ...settings.options,
      model: settings.model,
      messages: toOpenAIMessages(request.system, request.messages),
    };
    if (request.tools.length > 0)
      body.tools = request.tools.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.inputSchema },
      }));
    if (stream) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
    return JSON.stringify(body);
  }
  const body: Record<string, unknown> = {
    max_tokens: 4096,
    ...settings.options,
    model: settings.model,
    messages: toAnthropicMessages(request.messages),
  };
  if (request.system) body.system = request.system;
  if (request.tools.length > 0)
    body.tools = request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema }));
  if (stream) body.stream = true;
  return JSON.stringify(body);
}

const cachedJsonOf = (protocol: 'openai' | 'anthropic') => {
  const caches = { messages: new WeakMap<Message, string>(), tools: new WeakMap<ToolSpec, string>() };
  return (settings: Settings, request: ModelRequest) =>
    protocol === 'openai'
      ? openAIRequestJson(settings, request, caches)
      : anthropicRequestJson(settings, request, caches);
};

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const args = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ role: fc.constant('user' as const), content: text }),
  fc.record(
    {
      role: fc.constant('assistant' as const),
      content: text,
      toolCalls: fc.array(
        fc.record({ id: fc.string({ maxLength: 6 }), name: fc.string({ maxLength: 6 }), arguments: args }),
        {
          maxLength: 3,
        },
      ),
    },
    { requiredKeys: ['role', 'content'] },
  ),
  fc.record(
    {
      role: fc.constant('tool' as const),
      toolCallId: fc.string({ maxLength: 6 }),
      name: fc.string({ maxLength: 6 }),
      content: text,
      isError: fc.boolean(),
    },
    { requiredKeys: ['role', 'toolCallId', 'name', 'content'] },
  ),
);
const settings: fc.Arbitrary<Settings> = fc.record(
  {
    model: fc.string({ maxLength: 8 }),
    options: fc.dictionary(
      fc.constantFrom('temperature', 'max_tokens', 'model', 'messages', 'stream', 'top_p', '0', 'x'),
      fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constant(undefined)),
      { maxKeys: 4 },
    ),
    stream: fc.boolean(),
  },
  { requiredKeys: ['model'] },
);
const tools = fc.array(
  fc.record({
    name: fc.string({ maxLength: 6 }),
    description: text,
    inputSchema: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  }),
  { maxLength: 3 },
);

describe.each(['openai', 'anthropic'] as const)('%s request body from cached message JSON', (protocol) => {
  it('equals JSON.stringify of the fresh body at every length of a growing conversation', () => {
    fc.assert(
      fc.property(
        settings,
        fc.string({ maxLength: 10 }),
        fc.array(message, { maxLength: 12 }),
        tools,
        (s, system, messages, specs) => {
          // One cache across the turns, as a client keeps it over a run.
          const json = cachedJsonOf(protocol);
          for (let n = 0; n <= messages.length; n++) {
            const request = { system, messages: messages.slice(0, n), tools: specs };
            expect(json(s, request)).toBe(freshJson(protocol, s, request));
            // Another conversation on the same client in between (a compaction's summary request,
            // a message replaced by a new object): neither may reuse what does not match.
            const other = { system, messages: messages.slice(0, n).reverse(), tools: specs };
            expect(json(s, other)).toBe(freshJson(protocol, s, other));
            if (n > 0) {
              const replaced = [...messages.slice(0, n - 1), { ...(messages[n - 1] as Message) }];
              const r = { system, messages: replaced, tools: specs };
              expect(json(s, r)).toBe(freshJson(protocol, s, r));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('follows a compaction that rewrites the head of the conversation (same length, new objects)', async () => {
    const json = cachedJsonOf(protocol);
    const s = { model: 'm' };
    const messages: Message[] = [{ role: 'user', content: 'The task.' }];
    for (let i = 0; i < 8; i++)
      messages.push(
        { role: 'assistant', content: '', toolCalls: [{ id: `c${i}`, name: 'echo', arguments: { i } }] },
        { role: 'tool', toolCallId: `c${i}`, name: 'echo', content: `result ${i}` },
      );
    const request = (m: Message[]) => ({ system: 'sys', messages: m, tools: [] });
    expect(json(s, request(messages))).toBe(freshJson(protocol, s, request(messages)));
    const ctx = createContextManager({ maxTokens: 10, keepRecent: 2 });
    const model = createOpenAIClient({ model: 'unused' });
    const done = await ctx.compact('sys', messages, 'trigger', { model });
    expect(done).toBeDefined();
    const compacted = done?.messages as Message[];
    // The note joins the task message: its text changes while earlier objects stay cached.
    expect(compacted[0]?.content).not.toBe(messages[0]?.content);
    expect(json(s, request(compacted))).toBe(freshJson(protocol, s, request(compacted)));
    // A second compaction of the same length replaces the note in place of the first.
    const again = [...compacted, ...messages.slice(-2)];
    const twice = (await ctx.compact('sys', again, 'trigger', { model }))?.messages as Message[];
    expect(twice.length).toBe(compacted.length);
    expect(twice[0]?.content).not.toBe(compacted[0]?.content);
    expect(json(s, request(twice))).toBe(freshJson(protocol, s, request(twice)));
  });
});

describe('requestJson', () => {
  it('writes a RawJson value verbatim and leaves out what JSON.stringify leaves out', () => {
    const body = { b: 1, a: new RawJson('[1,2]'), u: undefined, f: () => 1, '1': 'x' };
    expect(requestJson(body)).toBe(JSON.stringify({ ...body, a: [1, 2] }));
  });
});

describe.each(['openai', 'anthropic'] as const)('%s bodies on the wire through a compacting run', (protocol) => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends, turn after turn and across compactions, the bytes a fresh JSON.stringify gives', async () => {
    const turns = 9;
    server = await startScriptedServer([
      ...Array.from({ length: turns - 1 }, (_, i) => ({
        toolCalls: [{ id: `call_${i}`, name: 'echo', arguments: { say: `word ${i} ${'x'.repeat(40)}` } }],
        // The reported input tokens calibrate the context manager's estimate: a compaction every few turns.
        usage: { input: 60 + 20 * i, output: 5 },
      })),
      { text: 'Done.' },
    ]);
    const settings = { model: 'm', stream: protocol === 'openai', options: { temperature: 0 } };
    const inner: ModelClient =
      protocol === 'openai'
        ? createOpenAIClient({ ...settings, baseUrl: `${server.origin}/v1` })
        : createAnthropicClient({ ...settings, baseUrl: server.origin });
    // What each request was built from, copied as it was at the time of the call.
    const sent: ModelRequest[] = [];
    const model: ModelClient = {
      protocol: inner.protocol,
      model: inner.model,
      complete: (request, options) => {
        sent.push({ ...request, messages: structuredClone(request.messages) });
        return inner.complete(request, options);
      },
    };
    const echo = {
      spec: { name: 'echo', description: 'echoes', inputSchema: { type: 'object' } },
      execute: async (a: unknown) => ({ ok: true as const, content: JSON.stringify(a) }),
    };
    const compactions: number[] = [];
    const result = await runLoop({
      model,
      system: 'sys',
      prompt: 'Go.',
      tools: [echo],
      context: createContextManager({ maxTokens: 120, trigger: 0.8, keepRecent: 2 }),
      onEvent: (e) => {
        if (e.type === 'context.compacted') compactions.push(e.turn);
      },
    });
    expect(result.outcome).toBe('completed');
    expect(compactions.length).toBeGreaterThanOrEqual(2);
    expect(server.requests).toHaveLength(sent.length);
    server.requests.forEach((r, i) => {
      expect(r.raw).toBe(freshJson(protocol, settings, sent[i] as ModelRequest));
    });
  });
});
