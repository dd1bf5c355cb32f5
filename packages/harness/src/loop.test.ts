import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../test/scripted-server.js';
import { createAnthropicClient } from './anthropic.js';
import { capToolResult, type HarnessTool, type LoopEvent, runLoop } from './loop.js';
import { createOpenAIClient } from './openai.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function echoTool(calls: unknown[] = []): HarnessTool {
  return {
    spec: {
      name: 'echo',
      description: 'Echoes',
      inputSchema: { type: 'object', properties: { say: { type: 'string' } } },
    },
    async execute(args) {
      calls.push(args);
      return { ok: true, content: `echo: ${(args as { say?: string }).say ?? ''}` };
    },
  };
}

describe.each(['openai', 'anthropic'] as const)('runLoop over %s', (protocol) => {
  async function model(script: ScriptStep[]) {
    server = await startScriptedServer(script);
    return protocol === 'openai'
      ? createOpenAIClient({ model: 'm', baseUrl: `${server.origin}/v1`, retry: { baseDelayMs: 1 } })
      : createAnthropicClient({ model: 'm', baseUrl: server.origin, retry: { baseDelayMs: 1 } });
  }

  it('thinks, acts, observes: runs the tool call, hands the result back and ends with the answer', async () => {
    const calls: unknown[] = [];
    const events: LoopEvent[] = [];
    const m = await model([
      { toolCalls: [{ name: 'echo', arguments: { say: 'hi' } }], usage: { input: 5, output: 2 } },
      { text: 'It said hi.', usage: { input: 9, output: 3 } },
    ]);
    const r = await runLoop({
      model: m,
      system: 'sys',
      prompt: 'Say hi',
      tools: [echoTool(calls)],
      onEvent: (e) => events.push(e),
    });
    expect(r.outcome).toBe('completed');
    expect(r.answer).toBe('It said hi.');
    expect(calls).toEqual([{ say: 'hi' }]);
    expect(r.usage).toEqual({ inputTokens: 14, outputTokens: 5 });
    expect(r.turns).toBe(2);
    expect(r.toolCalls).toEqual({ echo: 1 });
    expect(r.messages.map((x) => x.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(events.map((e) => e.type)).toEqual([
      'turn.start',
      'model.request',
      'model.response',
      'tool.call',
      'tool.result',
      'turn.start',
      'model.request',
      'text.delta',
      'text.delta',
      'model.response',
    ]);
    // The second request carried the tool result bound to the call's id.
    expect(JSON.stringify(server?.requests[1]?.body)).toContain('echo: hi');
  });

  it('reports an undeclared tool and malformed arguments to the model, and the run goes on', async () => {
    const m = await model([{ toolCalls: [{ name: 'rm_rf', arguments: {} }] }, { text: 'ok' }]);
    const r = await runLoop({ model: m, system: '', prompt: 'x', tools: [echoTool()] });
    expect(r.outcome).toBe('completed');
    const result = r.messages[2];
    expect(result).toMatchObject({ role: 'tool', isError: true });
    expect(JSON.parse((result as { content: string }).content)).toEqual({
      error: { kind: 'unknown_tool', message: expect.stringContaining('offered: echo') },
    });
  });

  it('turns a throwing tool into an execution error for the model', async () => {
    const failing: HarnessTool = {
      spec: { name: 'echo', description: '', inputSchema: { type: 'object' } },
      execute: async () => Promise.reject(new Error('disk full')),
    };
    const m = await model([{ toolCalls: [{ name: 'echo', arguments: {} }] }, { text: 'sorry' }]);
    const r = await runLoop({ model: m, system: '', prompt: 'x', tools: [failing] });
    expect(JSON.parse((r.messages[2] as { content: string }).content).error).toEqual({
      kind: 'execution',
      message: 'disk full',
    });
    expect(r.answer).toBe('sorry');
  });

  it('nudges on a repeated identical call, then stops the run', async () => {
    const same = { toolCalls: [{ name: 'echo', arguments: { say: 'again' } }] };
    const calls: unknown[] = [];
    const m = await model([same, same, same, same, { text: 'never reached' }]);
    const r = await runLoop({ model: m, system: '', prompt: 'x', tools: [echoTool(calls)], limits: { maxRepeats: 3 } });
    expect(r.outcome).toBe('repeated_call');
    expect(calls).toHaveLength(2); // the third is the nudge, the fourth ends the run
    const kinds = r.messages
      .filter((x) => x.role === 'tool')
      .map((x) => (x.isError ? JSON.parse(x.content).error.kind : 'ok'));
    expect(kinds).toEqual(['ok', 'ok', 'repeated', 'repeated']);
    expect(server?.remaining()).toBe(1);
  });

  it('stops at maxTurns and at the token budget before asking the model again', async () => {
    const step = (say: string) => ({
      toolCalls: [{ name: 'echo', arguments: { say } }],
      usage: { input: 60, output: 10 },
    });
    const m = await model([step('a'), step('b'), step('c'), step('d')]);
    const r = await runLoop({ model: m, system: '', prompt: 'x', tools: [echoTool()], limits: { maxTurns: 2 } });
    expect(r.outcome).toBe('max_turns');
    expect(server?.requests).toHaveLength(2);
    const r2 = await runLoop({ model: m, system: '', prompt: 'x', tools: [echoTool()], limits: { maxTokens: 100 } });
    expect(r2.outcome).toBe('budget');
    expect(r2.turns).toBe(2); // 70 tokens after one turn is under 100, 140 after two is not
  });

  it('keeps earlier turns (a resumed conversation) in what it sends', async () => {
    const m = await model([{ text: 'second answer' }]);
    const r = await runLoop({
      model: m,
      system: '',
      prompt: 'and now?',
      history: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
      ],
    });
    expect(r.messages).toHaveLength(4);
    expect(JSON.stringify(server?.requests[0]?.body)).toContain('first answer');
  });

  it('ends with outcome aborted when the caller aborts', async () => {
    const controller = new AbortController();
    const slow: HarnessTool = {
      spec: { name: 'echo', description: '', inputSchema: { type: 'object' } },
      execute: async () => {
        controller.abort();
        return { ok: true, content: 'x' };
      },
    };
    const m = await model([{ toolCalls: [{ name: 'echo', arguments: {} }] }, { text: 'never' }]);
    const r = await runLoop({ model: m, system: '', prompt: 'x', tools: [slow], signal: controller.signal });
    expect(r.outcome).toBe('aborted');
    expect(server?.requests).toHaveLength(1);
  });

  it("hands tools the run's signal: the caller's own, or (without one) a signal that never aborts, the same on every call", async () => {
    const seen: AbortSignal[] = [];
    const probe: HarnessTool = {
      spec: { name: 'echo', description: '', inputSchema: { type: 'object' } },
      execute: async (_args, context) => {
        seen.push(context.signal);
        return { ok: true, content: 'x' };
      },
    };
    const script = () => [
      { toolCalls: [{ name: 'echo', arguments: { n: 1 } }] },
      { toolCalls: [{ name: 'echo', arguments: { n: 2 } }] },
      { text: 'done' },
    ];
    const r = await runLoop({ model: await model(script()), system: '', prompt: 'x', tools: [probe] });
    expect(r.outcome).toBe('completed');
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeInstanceOf(AbortSignal);
    expect(seen[0]?.aborted).toBe(false);
    expect(seen[1]).toBe(seen[0]);
    await server?.close();
    const controller = new AbortController();
    await runLoop({ model: await model(script()), system: '', prompt: 'x', tools: [probe], signal: controller.signal });
    expect(seen.slice(2)).toEqual([controller.signal, controller.signal]);
  });
});

describe('capToolResult', () => {
  it('keeps head and tail and says how much was left out', () => {
    const long = `HEAD${'x'.repeat(10_000)}TAIL`;
    const r = capToolResult(long, 1000);
    expect(r.truncated).toBe(true);
    expect(r.content.startsWith('HEAD')).toBe(true);
    expect(r.content.endsWith('TAIL')).toBe(true);
    expect(r.content).toContain('characters omitted');
    expect(r.content.length).toBeLessThan(1100);
    expect(capToolResult('short', 1000)).toEqual({ content: 'short', truncated: false });
  });
});
