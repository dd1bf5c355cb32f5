import { rejectedWith } from '@agentlang/test-helpers';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../test/scripted-server.js';
import { createAnthropicClient } from './anthropic.js';
import { HarnessError } from './errors.js';
import { retryAfterMs } from './http-request.js';
import { createOpenAIClient } from './openai.js';
import type { ModelClient } from './types.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const FAST = { baseDelayMs: 1, maxDelayMs: 50 };

function client(protocol: 'openai' | 'anthropic', stream: boolean, origin: string, retry = FAST): ModelClient {
  return protocol === 'openai'
    ? createOpenAIClient({
        model: 'gpt-test',
        baseUrl: `${origin}/v1`,
        apiKey: 'sk-test',
        stream,
        retry,
        options: { temperature: 0.2 },
      })
    : createAnthropicClient({
        model: 'claude-test',
        baseUrl: origin,
        apiKey: 'ak-test',
        stream,
        retry,
        options: { temperature: 0.2, max_tokens: 512 },
      });
}

async function start(script: ScriptStep[]) {
  server = await startScriptedServer(script);
  return server;
}

const tool = {
  name: 'lookup',
  description: 'Looks a thing up',
  inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
};

describe.each([
  ['openai', true],
  ['openai', false],
  ['anthropic', true],
  ['anthropic', false],
] as const)('%s (stream %s)', (protocol, stream) => {
  it('returns text, usage and the stop reason, streaming text deltas in order', async () => {
    const s = await start([{ text: 'The answer is forty-two, said the model.', usage: { input: 21, output: 9 } }]);
    const deltas: string[] = [];
    const r = await client(protocol, stream, s.origin).complete(
      { system: 'Be brief.', messages: [{ role: 'user', content: 'Q?' }], tools: [] },
      { onText: (t) => deltas.push(t) },
    );
    expect(r.text).toBe('The answer is forty-two, said the model.');
    expect(r.stopReason).toBe('end');
    expect(r.usage).toEqual({ inputTokens: 21, outputTokens: 9 });
    if (stream) expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(stream ? r.text : '');
    const req = s.requests[0];
    if (protocol === 'openai') {
      expect(req?.path).toBe('/v1/chat/completions');
      expect(req?.headers.authorization).toBe('Bearer sk-test');
      expect(req?.body.messages).toEqual([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Q?' },
      ]);
    } else {
      expect(req?.path).toBe('/v1/messages');
      expect(req?.headers['x-api-key']).toBe('ak-test');
      expect(req?.headers['anthropic-version']).toBe('2023-06-01');
      expect(req?.body.system).toBe('Be brief.');
      expect(req?.body.max_tokens).toBe(512);
    }
    expect(req?.body.temperature).toBe(0.2);
    expect(req?.body.stream === true).toBe(stream);
  });

  it('assembles tool calls (arguments split across chunks) and sends tool results back in the protocol form', async () => {
    const s = await start([
      {
        text: 'Looking.',
        toolCalls: [
          { id: 'c1', name: 'lookup', arguments: { q: 'a "quoted" thing' } },
          { id: 'c2', name: 'lookup', arguments: { q: 'b' } },
        ],
      },
      { text: 'done' },
    ]);
    const c = client(protocol, stream, s.origin);
    const first = await c.complete({ system: '', messages: [{ role: 'user', content: 'go' }], tools: [tool] });
    expect(first.stopReason).toBe('tool_calls');
    expect(first.toolCalls).toEqual([
      { id: 'c1', name: 'lookup', arguments: { q: 'a "quoted" thing' } },
      { id: 'c2', name: 'lookup', arguments: { q: 'b' } },
    ]);
    await c.complete({
      system: '',
      tools: [tool],
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: first.text, toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: 'c1', name: 'lookup', content: 'A' },
        { role: 'tool', toolCallId: 'c2', name: 'lookup', content: 'boom', isError: true },
      ],
    });
    const body = s.requests[1]?.body as Record<string, unknown>;
    if (protocol === 'openai') {
      expect(body.tools).toEqual([
        {
          type: 'function',
          function: { name: 'lookup', description: 'Looks a thing up', parameters: tool.inputSchema },
        },
      ]);
      const messages = body.messages as Array<Record<string, unknown>>;
      expect(messages[1]).toMatchObject({
        role: 'assistant',
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup' } }, { id: 'c2' }],
      });
      expect(messages.slice(2)).toEqual([
        { role: 'tool', tool_call_id: 'c1', content: 'A' },
        { role: 'tool', tool_call_id: 'c2', content: 'boom' },
      ]);
    } else {
      expect(body.tools).toEqual([{ name: 'lookup', description: 'Looks a thing up', input_schema: tool.inputSchema }]);
      // Both results share one user turn: the API wants roles to alternate.
      expect(body.messages).toEqual([
        { role: 'user', content: [{ type: 'text', text: 'go' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking.' },
            { type: 'tool_use', id: 'c1', name: 'lookup', input: { q: 'a "quoted" thing' } },
            { type: 'tool_use', id: 'c2', name: 'lookup', input: { q: 'b' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'c1', content: 'A' },
            { type: 'tool_result', tool_use_id: 'c2', content: 'boom', is_error: true },
          ],
        },
      ]);
    }
  });

  it('retries 429 and 5xx, honouring retry-after, then succeeds', async () => {
    const s = await start([{ status: 429, headers: { 'retry-after': '0' } }, { status: 503 }, { text: 'ok' }]);
    const r = await client(protocol, stream, s.origin).complete({
      system: '',
      messages: [{ role: 'user', content: 'x' }],
      tools: [],
    });
    expect(r.text).toBe('ok');
    expect(s.requests).toHaveLength(3);
  });

  it('gives up after maxRetries with HARNESS_MODEL_HTTP and does not retry a 400', async () => {
    const s = await start([{ status: 500 }, { status: 500 }, { status: 500 }, { text: 'never' }]);
    const e = await rejectedWith(
      HarnessError,
      client(protocol, stream, s.origin, { ...FAST }).complete({
        system: '',
        messages: [{ role: 'user', content: 'x' }],
        tools: [],
      }),
    );
    expect(e.code).toBe('HARNESS_MODEL_HTTP');
    expect(s.requests).toHaveLength(3);
    const s2 = await startScriptedServer([
      { status: 400, body: '{"error":{"message":"bad field"}}' },
      { text: 'never' },
    ]);
    try {
      const e2 = await rejectedWith(
        HarnessError,
        client(protocol, stream, s2.origin).complete({
          system: '',
          messages: [{ role: 'user', content: 'x' }],
          tools: [],
        }),
      );
      expect(e2.code).toBe('HARNESS_MODEL_HTTP');
      expect(e2.message).toContain('bad field');
      expect(s2.requests).toHaveLength(1);
    } finally {
      await s2.close();
    }
  });

  it('recognises the provider telling it the context is too long', async () => {
    const body =
      protocol === 'openai'
        ? '{"error":{"code":"context_length_exceeded","message":"maximum context length is 8192 tokens"}}'
        : '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}';
    const s = await start([{ status: 400, body }]);
    const e = await rejectedWith(
      HarnessError,
      client(protocol, stream, s.origin).complete({
        system: '',
        messages: [{ role: 'user', content: 'x' }],
        tools: [],
      }),
    );
    expect(e.code).toBe('HARNESS_CONTEXT_TOO_LONG');
  });

  it('stops at once when aborted, even while waiting out a retry-after', async () => {
    const s = await start([{ status: 429, headers: { 'retry-after': '30' } }, { text: 'late' }]);
    const controller = new AbortController();
    const pending = client(protocol, stream, s.origin, { baseDelayMs: 1, maxDelayMs: 60_000 }).complete(
      { system: '', messages: [{ role: 'user', content: 'x' }], tools: [] },
      { signal: controller.signal },
    );
    while (s.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const e = await rejectedWith(HarnessError, pending);
    expect(e.code).toBe('HARNESS_ABORTED');
    expect(s.requests).toHaveLength(1);
  });
});

describe.each(['openai', 'anthropic'] as const)('%s: a stream that stops mid-answer', (protocol) => {
  // A server that sends the stream's headers and a first event, then nothing: the attempt's timer
  // keeps guarding the body after the headers, and the caller's abort still reaches it.
  async function stalling(): Promise<{ origin: string; close: () => Promise<void> }> {
    const events =
      protocol === 'openai'
        ? [{ choices: [{ index: 0, delta: { content: 'Hel' } }] }]
        : [
            { type: 'message_start', message: { usage: { input_tokens: 1, output_tokens: 0 } } },
            { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
            { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
          ];
    const srv: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const e of events) res.write(`${'type' in e ? `event: ${e.type}\n` : ''}data: ${JSON.stringify(e)}\n\n`);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return {
      origin: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((r) => {
          srv.closeAllConnections();
          srv.close(() => r());
        }),
    };
  }

  it('times out a later attempt with a shorter limit first, and one abort stops every attempt on its signal', async () => {
    // One timer watches every attempt in flight and one listener serves each signal: a short limit
    // started after a long one must still fire on its own time, and aborting a signal shared by two
    // requests must stop both.
    const s = await stalling();
    try {
      const request = { system: '', messages: [{ role: 'user' as const, content: 'x' }], tools: [] };
      const settled: string[] = [];
      const controller = new AbortController();
      const long = client(protocol, true, s.origin, { ...FAST, maxRetries: 0, timeoutMs: 60_000 } as typeof FAST)
        .complete(request, { signal: controller.signal })
        .catch((e: HarnessError) => {
          settled.push(`long ${e.code}`);
        });
      const other = client(protocol, true, s.origin, { ...FAST, maxRetries: 0, timeoutMs: 60_000 } as typeof FAST)
        .complete(request, { signal: controller.signal })
        .catch((e: HarnessError) => {
          settled.push(`other ${e.code}`);
        });
      const short = await rejectedWith(
        HarnessError,
        client(protocol, true, s.origin, { ...FAST, maxRetries: 0, timeoutMs: 150 } as typeof FAST).complete(request),
      );
      expect(short.code).toBe('HARNESS_TIMEOUT');
      expect(settled).toEqual([]);
      controller.abort();
      await Promise.all([long, other]);
      expect(settled.sort()).toEqual(['long HARNESS_ABORTED', 'other HARNESS_ABORTED']);
      // A later request on the aborted signal is refused before it is sent.
      const again = await rejectedWith(
        HarnessError,
        client(protocol, true, s.origin).complete(request, { signal: controller.signal }),
      );
      expect(again.code).toBe('HARNESS_ABORTED');
    } finally {
      await s.close();
    }
  });

  it('fails with HARNESS_TIMEOUT when the body stalls past the time limit', async () => {
    const s = await stalling();
    try {
      const e = await rejectedWith(
        HarnessError,
        client(protocol, true, s.origin, { ...FAST, timeoutMs: 150 } as typeof FAST).complete({
          system: '',
          messages: [{ role: 'user', content: 'x' }],
          tools: [],
        }),
      );
      expect(e.code).toBe('HARNESS_TIMEOUT');
    } finally {
      await s.close();
    }
  });

  it('fails with HARNESS_TIMEOUT, and HARNESS_ABORTED on abort, when a whole (unstreamed) body stops halfway', async () => {
    // Headers and half a JSON body, then nothing: the timer and the caller's abort reach the body read.
    const srv: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
      res.write('{"id":"x","choices":[');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const timedOut = await rejectedWith(
        HarnessError,
        client(protocol, false, origin, { ...FAST, timeoutMs: 150 } as typeof FAST).complete({
          system: '',
          messages: [{ role: 'user', content: 'x' }],
          tools: [],
        }),
      );
      expect(timedOut.code).toBe('HARNESS_TIMEOUT');
      const controller = new AbortController();
      const pending = client(protocol, false, origin).complete(
        { system: '', messages: [{ role: 'user', content: 'x' }], tools: [] },
        { signal: controller.signal },
      );
      setTimeout(() => controller.abort(), 100);
      const aborted = await rejectedWith(HarnessError, pending);
      expect(aborted.code).toBe('HARNESS_ABORTED');
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('fails with HARNESS_ABORTED when the caller aborts while the body streams', async () => {
    const s = await stalling();
    try {
      const controller = new AbortController();
      const pending = client(protocol, true, s.origin).complete(
        { system: '', messages: [{ role: 'user', content: 'x' }], tools: [] },
        { signal: controller.signal, onText: () => controller.abort() },
      );
      const e = await rejectedWith(HarnessError, pending);
      expect(e.code).toBe('HARNESS_ABORTED');
    } finally {
      await s.close();
    }
  });
});

describe.each(['openai', 'anthropic'] as const)('%s: a stream that goes wrong midway', (protocol) => {
  // A stream whose second event is the provider's error event, or not JSON at all: the request fails
  // with the matching code (not a half answer), and the next request on the same client still works.
  async function serve(second: string): Promise<{ origin: string; close: () => Promise<void> }> {
    let n = 0;
    const first =
      protocol === 'openai'
        ? 'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n'
        : 'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":1,"output_tokens":0}}}\n\n';
    const fine =
      protocol === 'openai'
        ? 'data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
        : 'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":"ok"}}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"}}\n\n';
    const srv: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(n++ === 0 ? first + second : first + fine);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return {
      origin: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((r) => {
          srv.closeAllConnections();
          srv.close(() => r());
        }),
    };
  }
  const ask = { system: '', messages: [{ role: 'user' as const, content: 'x' }], tools: [] };

  it('fails with HARNESS_MODEL_HTTP on the provider’s error event', async () => {
    const s = await serve(
      protocol === 'openai'
        ? 'data: {"error":{"message":"overloaded"}}\n\n'
        : 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"overloaded"}}\n\n',
    );
    try {
      const c = client(protocol, true, s.origin);
      const e = await rejectedWith(HarnessError, c.complete(ask, { onText: () => {} }));
      expect(e.code).toBe('HARNESS_MODEL_HTTP');
      expect(e.message).toContain('overloaded');
      expect((await c.complete(ask, { onText: () => {} })).text).toContain('ok');
    } finally {
      await s.close();
    }
  });

  it('fails with HARNESS_MODEL_PROTOCOL when an event is not JSON', async () => {
    const s = await serve('data: {not json\n\n');
    try {
      const e = await rejectedWith(HarnessError, client(protocol, true, s.origin).complete(ask, { onText: () => {} }));
      expect(e.code).toBe('HARNESS_MODEL_PROTOCOL');
    } finally {
      await s.close();
    }
  });
});

describe('retryAfterMs', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(6000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});

describe.each(['openai', 'anthropic'] as const)('%s: a stream sent a byte at a time', (protocol) => {
  it('keeps characters whose UTF-8 bytes are split across chunks (é, 漢, 🦀) and CRLF line ends', async () => {
    const text = 'Voilà: 漢字 and 🦀, déjà vu.';
    const events =
      protocol === 'openai'
        ? [
            { choices: [{ index: 0, delta: { content: text.slice(0, 9) } }] },
            { choices: [{ index: 0, delta: { content: text.slice(9) }, finish_reason: 'stop' }] },
            { choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } },
          ]
        : [
            { type: 'message_start', message: { usage: { input_tokens: 3, output_tokens: 0 } } },
            { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
            { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: text.slice(0, 9) } },
            { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: text.slice(9) } },
            { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4 } },
            { type: 'message_stop' },
          ];
    const wire = Buffer.from(
      `${events.map((e) => `${'type' in e ? `event: ${e.type}\r\n` : ''}data: ${JSON.stringify(e)}\r\n\r\n`).join('')}${protocol === 'openai' ? 'data: [DONE]\r\n\r\n' : ''}`,
    );
    const srv: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const next = () => {
        if (i >= wire.length) {
          res.end();
          return;
        }
        res.write(wire.subarray(i, i + 1), () => setImmediate(next));
        i++;
      };
      next();
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const origin = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      const deltas: string[] = [];
      const r = await client(protocol, true, origin).complete(
        { system: '', messages: [{ role: 'user', content: 'x' }], tools: [] },
        { onText: (d) => deltas.push(d) },
      );
      expect(r.text).toBe(text);
      expect(deltas.join('')).toBe(text);
      expect(r.usage).toEqual({ inputTokens: 3, outputTokens: 4 });
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});
