import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../test/scripted-server.js';
import { createAnthropicClient } from './anthropic.js';
import { streamLoop } from './events.js';
import type { HarnessTool } from './loop.js';
import { createOpenAIClient } from './openai.js';
import { otlpTracesEndpoint, startOtelExport } from './otel.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  status?: { code?: number };
}

let model: ScriptedServer | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  receiver = undefined;
});

/** A real OTLP/HTTP receiver on 127.0.0.1: collects the spans of every POST /v1/traces (JSON encoding). */
async function startReceiver(): Promise<{ endpoint: string; spans: OtlpSpan[]; paths: string[]; headers: string[] }> {
  const spans: OtlpSpan[] = [];
  const paths: string[] = [];
  const headers: string[] = [];
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(req.url ?? '');
      headers.push(String(req.headers['x-tenant'] ?? ''));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r));
  return { endpoint: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, spans, paths, headers };
}

const attr = (s: OtlpSpan | undefined, key: string) => {
  const v = s?.attributes.find((a) => a.key === key)?.value;
  return v ? (v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue)) : undefined;
};

describe('otlpTracesEndpoint', () => {
  it('is undefined when unset, and appends /v1/traces to the base endpoint', () => {
    expect(otlpTracesEndpoint({})).toBeUndefined();
    expect(otlpTracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4318/' })).toBe('http://h:4318/v1/traces');
    expect(
      otlpTracesEndpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t/x',
      }),
    ).toBe('http://t/x');
  });

  it('exports nothing and loads nothing when unset', async () => {
    expect(await startOtelExport({}, { agent: 'a', provider: 'openai' })).toBeUndefined();
  });
});

describe.each(['openai', 'anthropic'] as const)('OpenTelemetry export over %s', (protocol) => {
  it('sends invoke_agent, chat and execute_tool spans with GenAI attributes, and a sub-agent as a child span', async () => {
    const otlp = await startReceiver();
    model = await startScriptedServer([
      {
        toolCalls: [
          { id: 'c1', name: 'lookup', arguments: { q: 'x' } },
          { id: 'c2', name: 'delegate', arguments: { agent: 'researcher' } },
        ],
        usage: { input: 7, output: 3 },
      },
      { text: 'done', usage: { input: 11, output: 2 } },
    ]);
    const client =
      protocol === 'openai'
        ? createOpenAIClient({
            model: 'm1',
            baseUrl: `${model.origin}/v1`,
            apiKey: 'sk-OTEL-KEY',
            retry: { baseDelayMs: 1 },
          })
        : createAnthropicClient({
            model: 'm1',
            baseUrl: model.origin,
            apiKey: 'sk-OTEL-KEY',
            retry: { baseDelayMs: 1 },
          });
    const otel = await startOtelExport(
      { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=t1' },
      { agent: 'demo', provider: protocol },
    );
    if (!otel) throw new Error('no export');
    const tools: HarnessTool[] = [
      {
        spec: { name: 'lookup', description: '', inputSchema: { type: 'object' } },
        execute: async () => ({ ok: false, kind: 'execution', message: 'not found' }),
      },
      {
        // A delegating tool (h/delegate) reports its sub-agent run through its call context.
        spec: { name: 'delegate', description: '', inputSchema: { type: 'object' } },
        execute: async (_args, ctx) => {
          ctx.emit?.({ type: 'delegation.start', turn: ctx.turn ?? 0, id: ctx.callId, agent: 'researcher', depth: 1 });
          ctx.emit?.({
            type: 'delegation.end',
            turn: ctx.turn ?? 0,
            id: ctx.callId,
            agent: 'researcher',
            depth: 1,
            outcome: 'completed',
          });
          return { ok: true, content: 'found' };
        },
      },
    ];
    const run = streamLoop({ runId: 'R1', model: client, system: '', prompt: 'p', tools });
    for await (const e of run.events) otel.listener(e);
    await otel.shutdown();

    const byName = new Map(otlp.spans.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual([
      'chat m1',
      'execute_tool delegate',
      'execute_tool lookup',
      'invoke_agent demo',
      'invoke_agent researcher',
    ]);
    expect(otlp.paths.every((p) => p === '/v1/traces')).toBe(true);
    expect(otlp.headers[0]).toBe('t1');
    const root = byName.get('invoke_agent demo');
    expect(root?.parentSpanId ?? '').toBe('');
    expect(attr(root, 'gen_ai.operation.name')).toBe('invoke_agent');
    expect(attr(root, 'gen_ai.provider.name')).toBe(protocol);
    expect(attr(root, 'gen_ai.request.model')).toBe('m1');
    expect(attr(root, 'gen_ai.usage.input_tokens')).toBe(18);
    const chats = otlp.spans.filter((s) => s.name === 'chat m1');
    expect(chats).toHaveLength(2);
    expect(
      chats.map((s) => [
        attr(s, 'gen_ai.operation.name'),
        attr(s, 'gen_ai.usage.input_tokens'),
        attr(s, 'gen_ai.usage.output_tokens'),
      ]),
    ).toEqual([
      ['chat', 7, 3],
      ['chat', 11, 2],
    ]);
    for (const s of otlp.spans) expect(s.traceId).toBe(root?.traceId);
    for (const s of [...chats, byName.get('execute_tool lookup'), byName.get('execute_tool delegate')])
      expect(s?.parentSpanId).toBe(root?.spanId);
    const lookup = byName.get('execute_tool lookup');
    expect(attr(lookup, 'gen_ai.tool.name')).toBe('lookup');
    expect(attr(lookup, 'gen_ai.tool.call.id')).toBe('c1');
    expect(attr(lookup, 'error.type')).toBe('execution');
    expect(lookup?.status?.code).toBe(2);
    // The sub-agent's span is a child of the tool call that delegated.
    expect(byName.get('invoke_agent researcher')?.parentSpanId).toBe(byName.get('execute_tool delegate')?.spanId);
    expect(JSON.stringify(otlp.spans)).not.toContain('sk-OTEL-KEY');
  });
});

describe('a sub-agent run under a parent span', () => {
  it('joins the parent trace as its child', async () => {
    const otlp = await startReceiver();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint };
    const parent = await startOtelExport(env, { agent: 'orchestrator', provider: 'openai' });
    const base = { v: 1 as const, seq: 1, ts: new Date().toISOString() };
    parent?.listener({ ...base, run_id: 'P', type: 'run.start', model: 'm', protocol: 'openai' });
    const child = await startOtelExport(env, {
      agent: 'researcher',
      provider: 'openai',
      ...(parent?.spanOf() ? { parent: parent.spanOf() } : {}),
    });
    child?.listener({ ...base, run_id: 'C', type: 'run.start', model: 'm', protocol: 'openai' });
    child?.listener({
      ...base,
      run_id: 'C',
      type: 'run.end',
      outcome: 'max_turns',
      turns: 1,
      input_tokens: 1,
      output_tokens: 1,
    });
    parent?.listener({
      ...base,
      run_id: 'P',
      type: 'run.end',
      outcome: 'completed',
      turns: 1,
      input_tokens: 1,
      output_tokens: 1,
    });
    await child?.shutdown();
    await parent?.shutdown();
    const p = otlp.spans.find((s) => s.name === 'invoke_agent orchestrator');
    const c = otlp.spans.find((s) => s.name === 'invoke_agent researcher');
    expect(c?.traceId).toBe(p?.traceId);
    expect(c?.parentSpanId).toBe(p?.spanId);
    expect(attr(c, 'error.type')).toBe('max_turns');
  });
});
