import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../test/scripted-server.js';
import { createAnthropicClient } from './anthropic.js';
import { AGENT_EVENT_TYPES, type AgentEvent, createEventSink, jsonlEventWriter, streamLoop } from './events.js';
import type { HarnessTool } from './loop.js';
import { createOpenAIClient } from './openai.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const echo: HarnessTool = {
  spec: { name: 'echo', description: 'Echoes', inputSchema: { type: 'object' } },
  execute: async (args) => ({ ok: true, content: `secret-result ${JSON.stringify(args)}` }),
};

describe.each([
  ['openai', true],
  ['openai', false],
  ['anthropic', true],
  ['anthropic', false],
] as const)('streamLoop over %s (stream %s)', (protocol, stream) => {
  async function model(script: ScriptStep[]) {
    server = await startScriptedServer(script);
    return protocol === 'openai'
      ? createOpenAIClient({
          model: 'm1',
          baseUrl: `${server.origin}/v1`,
          apiKey: 'sk-test-KEY',
          stream,
          retry: { baseDelayMs: 1 },
        })
      : createAnthropicClient({
          model: 'm1',
          baseUrl: server.origin,
          apiKey: 'sk-test-KEY',
          stream,
          retry: { baseDelayMs: 1 },
        });
  }

  it('yields the typed events of the run in order, stamped with run id, sequence and time, as an async iterator', async () => {
    const m = await model([
      { toolCalls: [{ id: 'c1', name: 'echo', arguments: { say: 'tool-arg-value' } }], usage: { input: 5, output: 2 } },
      { text: 'The answer is 42.', usage: { input: 9, output: 3 } },
    ]);
    const run = streamLoop({ runId: 'R1', agent: 'demo', model: m, system: 's', prompt: 'p', tools: [echo] });
    const events: AgentEvent[] = [];
    for await (const e of run.events) events.push(e);
    const result = await run.result;
    expect(result.outcome).toBe('completed');

    const types = events.map((e) => e.type).filter((t) => t !== 'text.delta');
    expect(types).toEqual([
      'run.start',
      'turn.start',
      'model.request',
      'model.response',
      'usage',
      'tool.call',
      'tool.result',
      'turn.start',
      'model.request',
      'model.response',
      'usage',
      'run.end',
    ]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const e of events) {
      expect(e).toMatchObject({ v: 1, run_id: 'R1' });
      expect(Number.isNaN(Date.parse(e.ts))).toBe(false);
      expect(AGENT_EVENT_TYPES).toContain(e.type);
    }
    expect(events[0]).toMatchObject({ type: 'run.start', agent: 'demo', model: 'm1', protocol });
    expect(events.find((e) => e.type === 'tool.call')).toMatchObject({ turn: 1, call_id: 'c1', name: 'echo' });
    expect(events.find((e) => e.type === 'tool.result')).toMatchObject({ call_id: 'c1', ok: true, truncated: false });
    expect(
      events.filter((e) => e.type === 'usage').map((e) => e.type === 'usage' && [e.input_tokens, e.output_tokens]),
    ).toEqual([
      [5, 2],
      [9, 3],
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'run.end',
      outcome: 'completed',
      turns: 2,
      input_tokens: 14,
      output_tokens: 5,
    });
    // The answer text streams as deltas (a client that does not stream has none); keys, tool arguments and results never appear.
    const deltas = events.flatMap((e) => (e.type === 'text.delta' ? [e.text] : []));
    expect(deltas.join('')).toBe(stream ? 'The answer is 42.' : '');
    if (stream) expect(deltas.length).toBeGreaterThan(1);
    const text = JSON.stringify(events);
    expect(text).not.toContain('sk-test-KEY');
    expect(text).not.toContain('tool-arg-value');
    expect(text).not.toContain('secret-result');
  });

  it('ends the stream with run.end outcome error and rejects the result when the model fails', async () => {
    const m = await model([{ status: 400, body: '{"error":{"message":"bad request"}}' }]);
    const run = streamLoop({ runId: 'R2', model: m, system: '', prompt: 'p' });
    const events: AgentEvent[] = [];
    for await (const e of run.events) events.push(e);
    await expect(run.result).rejects.toMatchObject({ code: 'HARNESS_MODEL_HTTP' });
    expect(events.at(-1)).toMatchObject({ type: 'run.end', outcome: 'error' });
  });
});

describe('jsonlEventWriter', () => {
  it('writes one snake_case JSON document per line', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const sink = createEventSink({
      runId: 'R',
      model: 'm',
      listeners: [jsonlEventWriter(out)],
      now: () => new Date(0),
    });
    sink.loopEvent({ type: 'tool.result', turn: 1, id: 'c', name: 't', ok: false, kind: 'denied', truncated: false });
    sink.loopEvent({
      type: 'context.compacted',
      turn: 2,
      strategy: 'drop_oldest',
      reason: 'trigger',
      beforeTokens: 9,
      afterTokens: 3,
      droppedMessages: 4,
    });
    const lines = chunks.join('').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l))).toEqual([
      {
        v: 1,
        run_id: 'R',
        seq: 1,
        ts: '1970-01-01T00:00:00.000Z',
        type: 'tool.result',
        turn: 1,
        call_id: 'c',
        name: 't',
        ok: false,
        kind: 'denied',
        truncated: false,
      },
      {
        v: 1,
        run_id: 'R',
        seq: 2,
        ts: '1970-01-01T00:00:00.000Z',
        type: 'context.compacted',
        turn: 2,
        reason: 'trigger',
        strategy: 'drop_oldest',
        before_tokens: 9,
        after_tokens: 3,
        dropped_messages: 4,
      },
    ]);
  });

  it('maps delegation events (emitted by a delegate tool through its call context)', () => {
    const got: AgentEvent[] = [];
    const sink = createEventSink({ runId: 'R', model: 'm', listeners: [(e) => got.push(e)] });
    sink.loopEvent({ type: 'delegation.start', turn: 1, id: 'c', agent: 'researcher', depth: 1 });
    sink.loopEvent({ type: 'delegation.end', turn: 1, id: 'c', agent: 'researcher', depth: 1, outcome: 'completed' });
    expect(got.map((e) => [e.type, e.seq])).toEqual([
      ['delegation.start', 1],
      ['delegation.end', 2],
    ]);
    expect(got[0]).toMatchObject({ call_id: 'c', agent: 'researcher', depth: 1 });
  });
});
