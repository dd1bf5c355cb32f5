import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { makeTempDir } from '@agentlang/test-helpers';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../test/scripted-server.js';
import { ApprovalGate, createJsonlApprover, createPolicyApprover } from './approval.js';
import { createContextManager, estimateTokens, groupTurns, renderInject } from './context.js';
import { HarnessError } from './errors.js';
import { type HarnessTool, type LoopEvent, runLoop } from './loop.js';
import { createOpenAIClient } from './openai.js';
import { createAnthropicClient } from './anthropic.js';
import type { Message, ModelClient, ModelRequest, ModelResponse } from './types.js';

/** An in-memory model: answers from a script and records every request. */
function memoryModel(script: Array<Partial<ModelResponse> | Error | ((r: ModelRequest) => Partial<ModelResponse>)>) {
  const requests: ModelRequest[] = [];
  const client: ModelClient & { requests: ModelRequest[] } = {
    protocol: 'openai',
    model: 'mem',
    requests,
    async complete(request) {
      requests.push({ ...request, messages: structuredClone(request.messages) });
      const step = script.shift();
      if (step === undefined) throw new Error('script exhausted');
      if (step instanceof Error) throw step;
      const r = typeof step === 'function' ? step(request) : step;
      return {
        text: r.text ?? '',
        toolCalls: r.toolCalls ?? [],
        stopReason: r.stopReason ?? 'end',
        usage: r.usage ?? { inputTokens: 0, outputTokens: 0 },
      };
    },
  };
  return client;
}

const call = (id: string, say: string) => ({ toolCalls: [{ id, name: 'echo', arguments: { say } }] });

function echoTool(runs: unknown[] = [], big = 0): HarnessTool {
  return {
    spec: { name: 'echo', description: 'Echoes', inputSchema: { type: 'object' } },
    async execute(args) {
      runs.push(args);
      return { ok: true, content: `echo: ${(args as { say?: string }).say ?? ''}${'x'.repeat(big)}` };
    },
  };
}

/** Every tool message directly follows its assistant call (or a sibling result of the same call). */
function pairedOk(messages: Message[]): boolean {
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Message;
    if (m.role !== 'tool') continue;
    let j = i - 1;
    while (j >= 0 && messages[j]?.role === 'tool') j--;
    const owner = messages[j];
    if (owner?.role !== 'assistant' || !owner.toolCalls?.some((c) => c.id === m.toolCallId)) return false;
  }
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Message;
    if (m.role !== 'assistant' || !m.toolCalls) continue;
    const results = new Set<string>();
    for (let j = i + 1; j < messages.length && messages[j]?.role === 'tool'; j++)
      results.add((messages[j] as { toolCallId: string }).toolCallId);
    if (!m.toolCalls.every((c) => results.has(c.id))) return false;
  }
  return true;
}

describe('context', () => {
  it('estimates chars/4 and calibrates from the reported input tokens', () => {
    const msgs: Message[] = [{ role: 'user', content: 'x'.repeat(392) }];
    expect(estimateTokens('', msgs)).toBe(100);
    const ctx = createContextManager({ maxTokens: 1000 });
    ctx.observe('', msgs, 200);
    expect(ctx.estimate('', msgs)).toBe(200);
  });

  it('drop_oldest keeps the task and the last turns, compacts before the request that passes the trigger', async () => {
    const events: LoopEvent[] = [];
    const model = memoryModel([
      call('c1', 'a'.repeat(400)),
      call('c2', 'b'.repeat(400)),
      call('c3', 'c'.repeat(400)),
      { text: 'done' },
    ]);
    const context = createContextManager({ maxTokens: 600, trigger: 0.5, strategy: 'drop_oldest', keepRecent: 1 });
    const r = await runLoop({
      model,
      system: 's',
      prompt: 'THE TASK',
      tools: [echoTool()],
      context,
      onEvent: (e) => events.push(e),
    });
    expect(r.outcome).toBe('completed');
    const compactions = events.filter((e) => e.type === 'context.compacted');
    expect(compactions.length).toBeGreaterThan(0);
    for (const req of model.requests) {
      expect(req.messages[0]?.role).toBe('user');
      expect(req.messages[0]?.content.startsWith('THE TASK')).toBe(true);
      expect(pairedOk(req.messages)).toBe(true);
    }
    const last = model.requests.at(-1) as ModelRequest;
    expect(JSON.stringify(last.messages)).not.toContain('a'.repeat(400));
    expect(JSON.stringify(last.messages)).toContain('c'.repeat(400));
  });

  it('summarize makes one extra model call and keeps its summary; preserve keeps user messages and tool results verbatim', async () => {
    const model = memoryModel([
      call('c1', 'one'),
      call('c2', 'two'),
      { text: 'SUMMARY OF OLD', usage: { inputTokens: 7, outputTokens: 3 } },
      { text: 'done' },
    ]);
    const context = createContextManager({
      maxTokens: 100,
      trigger: 1,
      strategy: 'summarize',
      keepRecent: 1,
      preserve: ['tool_results'],
    });
    // trigger 1 → 100 tokens: the third request passes it.
    const big = 'y'.repeat(300);
    const r = await runLoop({ model, system: '', prompt: `task ${big}`, history: [], tools: [echoTool()], context });
    expect(r.outcome).toBe('completed');
    const summaryRequest = model.requests.find((q) => q.tools.length === 0);
    expect(summaryRequest?.messages[0]?.content).toContain('echo: one');
    const last = model.requests.at(-1) as ModelRequest;
    expect(last.messages[0]?.content).toContain('SUMMARY OF OLD');
    expect(last.messages[0]?.content).toContain('tool echo (c1): echo: one');
    expect(pairedOk(last.messages)).toBe(true);
    expect(r.usage).toEqual({ inputTokens: 7, outputTokens: 3 }); // the summary call counts
  });

  it('checkpoint saves the full conversation and shows the pointer', async () => {
    const dir = makeTempDir('harness-ctx-');
    const model = memoryModel([call('c1', 'one'), call('c2', 'two'), { text: 'SUM' }, { text: 'done' }]);
    const context = createContextManager({
      maxTokens: 100,
      strategy: 'checkpoint',
      keepRecent: 1,
      onCheckpoint: (messages) => {
        const file = join(dir, 'checkpoint-1.json');
        writeFileSync(file, JSON.stringify(messages));
        return 'checkpoint-1.json';
      },
    });
    const r = await runLoop({ model, system: '', prompt: `task ${'y'.repeat(300)}`, tools: [echoTool()], context });
    expect(r.outcome).toBe('completed');
    const saved = JSON.parse(readFileSync(join(dir, 'checkpoint-1.json'), 'utf8')) as Message[];
    expect(saved.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool']);
    expect((model.requests.at(-1) as ModelRequest).messages[0]?.content).toContain('saved as checkpoint-1.json');
  });

  it('never splits a tool call from its results (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        async (shape, keep) => {
          const messages: Message[] = [{ role: 'user', content: 'task' }];
          shape.forEach((n, i) => {
            const calls = Array.from({ length: n }, (_, k) => ({ id: `c${i}_${k}`, name: 'echo', arguments: { k } }));
            messages.push({ role: 'assistant', content: '', toolCalls: calls });
            for (const c of calls)
              messages.push({ role: 'tool', toolCallId: c.id, name: 'echo', content: 'r'.repeat(40) });
          });
          const ctx = createContextManager({ maxTokens: 10, keepRecent: keep });
          const out = await ctx.compact('', messages, 'trigger', { model: memoryModel([]) });
          const result = out?.messages ?? messages;
          expect(pairedOk(result)).toBe(true);
          expect(result[0]?.content.startsWith('task')).toBe(true);
          expect(groupTurns(result).length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('on context-too-long compacts and retries once, then ends with context_too_long', async () => {
    const tooLong = () => new HarnessError('HARNESS_CONTEXT_TOO_LONG', 'too long');
    const ok = memoryModel([call('c1', 'a'), call('c2', 'b'), call('c3', 'c'), tooLong(), { text: 'done' }]);
    const events: LoopEvent[] = [];
    const context = createContextManager({ maxTokens: 1_000_000, keepRecent: 1 });
    const r = await runLoop({
      model: ok,
      system: '',
      prompt: 't',
      tools: [echoTool()],
      context,
      onEvent: (e) => events.push(e),
    });
    expect(r.outcome).toBe('completed');
    expect(events.find((e) => e.type === 'context.compacted')).toMatchObject({ reason: 'context_too_long' });

    const bad = memoryModel([
      call('c1', 'a'),
      call('c2', 'b'),
      call('c3', 'c'),
      tooLong(),
      tooLong(),
      { text: 'never' },
    ]);
    const r2 = await runLoop({
      model: bad,
      system: '',
      prompt: 't',
      tools: [echoTool()],
      context: createContextManager({ maxTokens: 1_000_000, keepRecent: 1 }),
    });
    expect(r2.outcome).toBe('context_too_long');
    expect(bad.requests).toHaveLength(5);
  });

  it('renders inject values into the system prompt', () => {
    expect(
      renderInject('Now {{ time }} for {{user_profile.name}}; {{unknown}}', {
        time: 'T',
        user_profile: { name: 'Ada' },
      }),
    ).toBe('Now T for Ada; {{unknown}}');
  });
});

describe.each(['openai', 'anthropic'] as const)('context over the scripted %s server', (protocol) => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("the provider's real context-too-long 400 is compacted and retried once, a second one ends the run", async () => {
    const err =
      protocol === 'openai'
        ? {
            status: 400,
            body: '{"error":{"code":"context_length_exceeded","message":"maximum context length is 10 tokens"}}',
          }
        : {
            status: 400,
            body: '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 300000 tokens > 200000 maximum"}}',
          };
    server = await startScriptedServer([
      { toolCalls: [{ name: 'echo', arguments: { say: 'a' } }] },
      { toolCalls: [{ name: 'echo', arguments: { say: 'b' } }] },
      err,
      { text: 'done' },
    ]);
    const client = (origin: string) =>
      protocol === 'openai'
        ? createOpenAIClient({ model: 'm', baseUrl: `${origin}/v1`, retry: { baseDelayMs: 1 } })
        : createAnthropicClient({ model: 'm', baseUrl: origin, retry: { baseDelayMs: 1 } });
    const r = await runLoop({
      model: client(server.origin),
      system: '',
      prompt: 't',
      tools: [echoTool()],
      context: createContextManager({ maxTokens: 1_000_000, keepRecent: 1 }),
    });
    expect(r.outcome).toBe('completed');
    expect(server.requests).toHaveLength(4);
    await server.close();

    server = await startScriptedServer([
      { toolCalls: [{ name: 'echo', arguments: { say: 'a' } }] },
      { toolCalls: [{ name: 'echo', arguments: { say: 'b' } }] },
      err,
      err,
      { text: 'never' },
    ]);
    const r2 = await runLoop({
      model: client(server.origin),
      system: '',
      prompt: 't',
      tools: [echoTool()],
      context: createContextManager({ maxTokens: 1_000_000, keepRecent: 1 }),
    });
    expect(r2.outcome).toBe('context_too_long');
    expect(server.remaining()).toBe(1);
  });
});

describe('large results and budget', () => {
  it('hands a result over the cap to onLargeResult and shows the artifact name', async () => {
    const handed: string[] = [];
    const model = memoryModel([call('c1', 'a'), { text: 'done' }]);
    const r = await runLoop({
      model,
      system: '',
      prompt: 't',
      tools: [echoTool([], 5000)],
      limits: { maxToolResultChars: 100 },
      onLargeResult: ({ content, callId }) => {
        handed.push(content);
        return `tool-output-${callId}.txt`;
      },
    });
    expect(handed[0]).toHaveLength('echo: a'.length + 5000);
    const tool = r.messages[2] as { content: string };
    expect(tool.content).toContain('artifact tool-output-c1.txt');
    expect(tool.content.length).toBeLessThan(300);
  });

  it('stops on the cost budget before the next request', async () => {
    const model = memoryModel([
      { ...call('c1', 'a'), usage: { inputTokens: 1_000_000, outputTokens: 0 } },
      { ...call('c2', 'b'), usage: { inputTokens: 1_000_000, outputTokens: 0 } },
      { text: 'never' },
    ]);
    const r = await runLoop({
      model,
      system: '',
      prompt: 't',
      tools: [echoTool()],
      limits: { maxCostUsd: 1.5 },
      prices: { mem: { inputPerMTok: 1, outputPerMTok: 2 } },
    });
    expect(r.outcome).toBe('budget');
    expect(r.costUsd).toBe(2);
    expect(model.requests).toHaveLength(2);
  });
});

describe('approvals', () => {
  it('policy approver: allow, deny and a list; a denial reaches the model and the run goes on', async () => {
    for (const [policy, ran] of [
      ['allow', 1],
      ['deny', 0],
      [['echo'], 1],
      [['other'], 0],
    ] as const) {
      const runs: unknown[] = [];
      const events: LoopEvent[] = [];
      const model = memoryModel([call('c1', 'a'), { text: 'done' }]);
      const r = await runLoop({
        model,
        system: '',
        prompt: 't',
        tools: [echoTool(runs)],
        approval: { approve: createPolicyApprover(policy), permissions: { echo: 'always_ask' } },
        onEvent: (e) => events.push(e),
      });
      expect(r.outcome).toBe('completed');
      expect(runs).toHaveLength(ran);
      expect(events.some((e) => e.type === 'approval.decision')).toBe(true);
      if (ran === 0) expect(JSON.parse((r.messages[2] as { content: string }).content).error.kind).toBe('denied');
    }
  });

  it('asks always_ask every time, session once per tool, destructive tools like always_ask, always never', async () => {
    const asked: string[] = [];
    const approve = (req: { callId: string }) => {
      asked.push(req.callId);
      return { approved: true };
    };
    const run = async (approval: object) => {
      asked.length = 0;
      await runLoop({
        model: memoryModel([call('c1', 'a'), call('c2', 'b'), { text: 'd' }]),
        system: '',
        prompt: 't',
        tools: [echoTool()],
        approval: { approve, ...approval },
      });
      return [...asked];
    };
    expect(await run({ permissions: { echo: 'always_ask' } })).toEqual(['c1', 'c2']);
    expect(await run({ permissions: { echo: 'session' } })).toEqual(['c1']);
    expect(await run({ destructive: ['echo'] })).toEqual(['c1', 'c2']);
    expect(await run({ permissions: { echo: 'always' } })).toEqual([]);
  });

  it('binds a decision to its call id and arguments: replayed for other arguments it is refused', async () => {
    let n = 0;
    const gate = new ApprovalGate({
      approve: () => {
        n++;
        return { approved: true };
      },
      permissions: { echo: 'always_ask' },
    });
    expect(await gate.check({ callId: 'c1', toolName: 'echo', arguments: { a: 1, b: 2 } })).toMatchObject({
      approved: true,
      asked: true,
    });
    expect(await gate.check({ callId: 'c1', toolName: 'echo', arguments: { b: 2, a: 1 } })).toMatchObject({
      approved: true,
      asked: false,
    });
    expect(await gate.check({ callId: 'c1', toolName: 'echo', arguments: { a: 'rm -rf /' } })).toMatchObject({
      approved: false,
    });
    expect(n).toBe(1);
  });

  it('JSONL control channel over real streams: requests out, decisions in, bound to call id and arguments', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const lines: Array<Record<string, unknown>> = [];
    let buffer = '';
    output.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const msg = JSON.parse(buffer.slice(0, nl));
        lines.push(msg);
        buffer = buffer.slice(nl + 1);
        // The embedder approves c1, denies c2 and approves c3 only for other arguments.
        if (msg.call_id === 'c1')
          input.write(`${JSON.stringify({ type: 'approval', call_id: 'c1', approved: true })}\n`);
        if (msg.call_id === 'c2')
          input.write(
            `not json\n${JSON.stringify({ type: 'approval', call_id: 'c2', approved: false, reason: 'no' })}\n`,
          );
        if (msg.call_id === 'c3')
          input.write(
            `${JSON.stringify({ type: 'approval', call_id: 'c3', approved: true, arguments: { say: 'other' } })}\n`,
          );
        nl = buffer.indexOf('\n');
      }
    });
    const approver = createJsonlApprover(input, output);
    const runs: unknown[] = [];
    const model = memoryModel([call('c1', 'a'), call('c2', 'b'), call('c3', 'c'), { text: 'done' }]);
    const r = await runLoop({
      model,
      system: '',
      prompt: 't',
      tools: [echoTool(runs)],
      approval: { approve: approver.approve, permissions: { echo: 'always_ask' } },
    });
    approver.close();
    input.end();
    expect(r.outcome).toBe('completed');
    expect(runs).toEqual([{ say: 'a' }]);
    expect(lines.map((l) => [l.type, l.call_id, l.tool])).toEqual([
      ['approval_request', 'c1', 'echo'],
      ['approval_request', 'c2', 'echo'],
      ['approval_request', 'c3', 'echo'],
    ]);
    const tools = r.messages
      .filter((m) => m.role === 'tool')
      .map((m) => (m.isError ? JSON.parse(m.content).error.kind : 'ok'));
    expect(tools).toEqual(['ok', 'denied', 'denied']);
  });

  it('denies pending requests when the channel closes', async () => {
    const input = new PassThrough();
    const approver = createJsonlApprover(input, new PassThrough());
    const pending = approver.approve({ callId: 'x', toolName: 't', arguments: {} });
    input.end();
    expect(await pending).toMatchObject({ approved: false });
  });
});
