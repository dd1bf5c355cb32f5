import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../test/scripted-server.js';
import { createAnthropicClient } from './anthropic.js';
import { createDelegation, type DelegationAgent, type DelegationOptions, type PreparedAgent } from './delegation.js';
import { runLoop } from './loop.js';
import { createOpenAIClient } from './openai.js';
import type { ModelClient } from './types.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const text = (body: unknown) => JSON.stringify(body);

describe.each(['openai', 'anthropic'] as const)('delegation over %s', (protocol) => {
  async function start(script: ScriptStep[]) {
    server = await startScriptedServer(script);
  }
  function client(model: string): ModelClient {
    const origin = server?.origin as string;
    return protocol === 'openai'
      ? createOpenAIClient({ model, baseUrl: `${origin}/v1`, retry: { baseDelayMs: 1 } })
      : createAnthropicClient({ model, baseUrl: origin, retry: { baseDelayMs: 1 } });
  }
  /** Each sub-agent gets its own model id and system prompt, so requests say whose they are. */
  const prepared: string[] = [];
  const closed: string[] = [];
  function options(
    extra: Partial<DelegationOptions> = {},
    nested: Record<string, DelegationAgent[]> = {},
  ): DelegationOptions {
    prepared.length = 0;
    closed.length = 0;
    return {
      prepare: async (agent) => {
        prepared.push(agent.name);
        const p: PreparedAgent = {
          model: client(`model-${agent.name}`),
          system: `You are ${agent.name}.`,
          close: async () => void closed.push(agent.name),
        };
        const more = nested[agent.name];
        return more ? { ...p, delegates: more } : p;
      },
      ...extra,
    };
  }
  const signal = new AbortController().signal;

  it('sequential: depends_on orders the crew and hands each member the results it depends on; the answer is the last member’s', async () => {
    await start([
      { text: 'FINDINGS: tides follow the moon', usage: { input: 11, output: 7 } },
      { text: 'REPORT: the moon moves the tides', usage: { input: 13, output: 5 } },
    ]);
    const d = createDelegation(options());
    // Listed writer-first: depends_on, not the listing, decides who runs first.
    const crew = await d.runCrew(
      {
        process: 'sequential',
        members: [
          { name: 'writer', task: 'Write a report based on research', dependsOn: ['researcher'] },
          { name: 'researcher', task: 'Research the topic thoroughly' },
        ],
      },
      { prompt: 'Why are there tides?', root: 'crew', signal },
    );
    expect(crew).toMatchObject({ outcome: 'completed', answer: 'REPORT: the moon moves the tides' });
    const [first, second] = server?.requests ?? [];
    expect(first?.body.model).toBe('model-researcher');
    expect(text(first?.body)).toContain('Research the topic thoroughly');
    expect(text(first?.body)).toContain('Why are there tides?');
    expect(second?.body.model).toBe('model-writer');
    expect(text(second?.body)).toContain('FINDINGS: tides follow the moon');
    expect(text(second?.body)).toContain('Write a report based on research');
    // Usage on its own per member, and rolled up; every prepared agent was closed.
    expect(d.runs.map((r) => [r.agent, r.parent, r.depth, r.model, r.usage])).toEqual([
      ['researcher', 'crew', 1, 'model-researcher', { inputTokens: 11, outputTokens: 7 }],
      ['writer', 'crew', 1, 'model-writer', { inputTokens: 13, outputTokens: 5 }],
    ]);
    expect(d.total()).toEqual({ inputTokens: 24, outputTokens: 12 });
    expect(closed).toEqual(['researcher', 'writer']);
  });

  it('parallel: members run concurrently, never more than the cap at once; members a member depends on finish first', async () => {
    await start(Array.from({ length: 5 }, (_, i) => ({ text: `part ${i}`, delayMs: 40 })));
    const d = createDelegation(options());
    const crew = await d.runCrew(
      {
        process: 'parallel',
        concurrency: 2,
        members: [
          { name: 'a' },
          { name: 'b' },
          { name: 'c' },
          { name: 'd' },
          { name: 'join', dependsOn: ['a', 'b', 'c', 'd'] },
        ],
      },
      { prompt: 'go', root: 'crew', signal },
    );
    expect(crew.outcome).toBe('completed');
    expect(server?.maxInFlight()).toBe(2);
    expect(d.runs.map((r) => r.agent).at(-1)).toBe('join');
    const joinRequest = server?.requests.find((r) => r.body.model === 'model-join');
    for (const name of ['a', 'b', 'c', 'd']) expect(text(joinRequest?.body)).toContain(`Result of ${name}`);
    // The answer is the member nobody depends on.
    expect(crew.answer).toBe(crew.answers.join);
  });

  it('hierarchical: the manager delegates to a member and gets its answer back as the tool result', async () => {
    await start([
      { toolCalls: [{ id: 'd1', name: 'delegate', arguments: { agent: 'writer', task: 'Draft the summary' } }] },
      { text: 'DRAFT ready' },
      { text: 'Manager: done, see DRAFT' },
    ]);
    const d = createDelegation(options());
    const crew = await d.runCrew(
      {
        process: 'hierarchical',
        members: [
          { name: 'writer', description: 'Writes', task: 'Write the report' },
          { name: 'researcher', description: 'Researches' },
        ],
      },
      {
        prompt: 'Summarise',
        root: 'boss',
        signal,
        manager: (tool) =>
          runLoop({ model: client('manager'), system: 'You manage.', prompt: 'Summarise', tools: [tool] }),
      },
    );
    expect(crew).toMatchObject({ outcome: 'completed', answer: 'Manager: done, see DRAFT' });
    expect(text(server?.requests[0]?.body)).toContain('writer: Writes — Task: Write the report');
    expect(server?.requests[1]?.body.model).toBe('model-writer');
    expect(text(server?.requests[2]?.body)).toContain('DRAFT ready');
    expect(d.runs).toHaveLength(1);
  });

  it('dynamic: the delegate tool offers the specialists, returns the answer as the tool result, and refuses an unknown name to the model', async () => {
    await start([
      { toolCalls: [{ id: 'x1', name: 'delegate', arguments: { agent: 'nobody', task: 't' } }] },
      { toolCalls: [{ id: 'x2', name: 'delegate', arguments: { agent: 'analyst', task: 'Size the market' } }] },
      { text: 'MARKET: 4 billion' },
      { text: 'The market is 4 billion.' },
    ]);
    const d = createDelegation(options());
    const tool = d.createDelegateTool([{ name: 'analyst', description: 'Market analyst' }], {
      depth: 1,
      parent: 'root',
    });
    const r = await runLoop({ model: client('root'), system: '', prompt: 'How big?', tools: [tool] });
    expect(r.answer).toBe('The market is 4 billion.');
    const results = r.messages.filter((m) => m.role === 'tool');
    expect(results[0]).toMatchObject({ isError: true });
    expect(results[0]?.content).toContain('no specialist named \\"nobody\\"; choose one of: analyst');
    expect(results[1]).toMatchObject({ content: 'MARKET: 4 billion' });
    expect(text(server?.requests[0]?.body)).toContain('analyst: Market analyst');
    expect(prepared).toEqual(['analyst']);
  });

  it('max_depth: a delegation deeper than max_depth is refused and the sub-agent goes on', async () => {
    await start([
      { toolCalls: [{ id: 'y1', name: 'delegate', arguments: { agent: 'analyst', task: 'Go deeper' } }] },
      { toolCalls: [{ id: 'y2', name: 'delegate', arguments: { agent: 'intern', task: 'Even deeper' } }] },
      { text: 'analyst alone' },
      { text: 'root done' },
    ]);
    const events: string[] = [];
    const d = createDelegation(
      options(
        {
          maxDepth: 1,
          onEvent: (e) =>
            e.type.startsWith('delegation.') && events.push(`${e.type}:${(e as { agent: string }).agent}`),
        },
        { analyst: [{ name: 'intern' }] },
      ),
    );
    const r = await runLoop({
      model: client('root'),
      system: '',
      prompt: 'x',
      tools: [d.createDelegateTool([{ name: 'analyst' }], { depth: 1, parent: 'root' })],
    });
    expect(r.answer).toBe('root done');
    expect(text(server?.requests[2]?.body)).toContain('would reach depth 2, deeper than max_depth 1');
    expect(prepared).toEqual(['analyst']);
    expect(events).toEqual(['delegation.start:analyst', 'delegation.refused:intern', 'delegation.end:analyst']);
  });

  it('permissions: always_ask under a denying policy never runs the agent; session asks once per session; always never asks', async () => {
    await start([{ text: 'one' }, { text: 'two' }, { text: 'three' }]);
    const asked: unknown[] = [];
    const d = createDelegation(
      options({
        permissions: { executor: 'always_ask', analyst: 'session' },
        approve: (req) => {
          asked.push(req.arguments);
          return (req.arguments as { agent: string }).agent === 'analyst'
            ? { approved: true }
            : { approved: false, reason: 'the approval policy denies every call' };
        },
      }),
    );
    const at = { depth: 1, parent: 'root', signal };
    expect(await d.delegate({ name: 'executor' }, 'rm -rf', at)).toEqual({
      ok: false,
      kind: 'denied',
      reason: 'the approval policy denies every call',
    });
    expect(await d.delegate({ name: 'analyst' }, 'a', at)).toMatchObject({ ok: true, answer: 'one' });
    expect(await d.delegate({ name: 'analyst' }, 'b', at)).toMatchObject({ ok: true, answer: 'two' });
    expect(await d.delegate({ name: 'researcher' }, 'c', at)).toMatchObject({ ok: true, answer: 'three' });
    expect(asked).toEqual([
      { agent: 'executor', task: 'rm -rf' },
      { agent: 'analyst', task: 'a' },
    ]);
    expect(prepared).toEqual(['analyst', 'analyst', 'researcher']);
    // Without an approver an asking delegation is refused.
    const none = createDelegation(options({ permissions: { executor: 'session' } }));
    expect(await none.delegate({ name: 'executor' }, 'x', at)).toMatchObject({ ok: false, kind: 'denied' });
  });
});
