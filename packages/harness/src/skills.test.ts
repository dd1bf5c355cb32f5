import { describe, expect, it } from 'vitest';
import { runLoop, type HarnessTool } from './loop.js';
import { withSchemas } from './schemas.js';
import { applySkills, gateByCapabilities } from './skills.js';
import type { ModelClient, ModelRequest, ModelResponse, ToolCall } from './types.js';

const ctx = () => ({ callId: 'c1', signal: new AbortController().signal });

function tool(name: string, result: unknown = { ok: true }, calls: unknown[] = []): HarnessTool {
  return {
    spec: {
      name,
      description: name,
      inputSchema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
    },
    execute: async (args) => {
      calls.push(args);
      return { ok: true, content: typeof result === 'string' ? result : JSON.stringify(result) };
    },
  };
}

/** An in-memory model that plays a script and records what it was offered. */
function scripted(
  steps: Array<{ text?: string; toolCalls?: Array<Omit<ToolCall, 'id'>> }>,
): ModelClient & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  let i = 0;
  return {
    protocol: 'openai',
    model: 'scripted',
    requests,
    async complete(request): Promise<ModelResponse> {
      requests.push(structuredClone(request));
      const step = steps[i++] ?? { text: 'done' };
      const toolCalls = (step.toolCalls ?? []).map((c, j) => ({ ...c, id: `call_${i}_${j}` }));
      return {
        text: step.text ?? '',
        toolCalls,
        stopReason: toolCalls.length > 0 ? 'tool_calls' : 'end',
        usage: { inputTokens: 1, outputTokens: 1 },
      };
    },
  };
}

describe('withSchemas', () => {
  it('refuses bad input before the call, summarising ajv errors', async () => {
    const calls: unknown[] = [];
    const t = withSchemas(tool('t', {}, calls));
    const out = await t.execute({ n: 'x' }, ctx());
    expect(out).toMatchObject({ ok: false, kind: 'validation' });
    expect((out as { message: string }).message).toMatch(/\/n: must be integer/);
    expect(await t.execute({}, ctx())).toMatchObject({ ok: false, kind: 'validation' });
    expect(calls).toEqual([]);
  });

  it('refuses output that is not JSON or does not match the output schema', async () => {
    const outputSchema = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };
    expect(await withSchemas(tool('a', { id: 'x' }), { outputSchema }).execute({ n: 1 }, ctx())).toMatchObject({
      ok: true,
    });
    const bad = await withSchemas(tool('b', { id: 3 }), { outputSchema }).execute({ n: 1 }, ctx());
    expect(bad).toMatchObject({ ok: false, kind: 'validation' });
    expect((bad as { message: string }).message).toMatch(/\/id: must be string/);
    expect(await withSchemas(tool('c', 'not json'), { outputSchema }).execute({ n: 1 }, ctx())).toMatchObject({
      ok: false,
      kind: 'validation',
    });
  });
});

describe('applySkills', () => {
  const tools = () => [tool('web_search'), tool('web_fetch'), tool('bash')];

  it('offers everything and only adds bodies when no skill restricts tools', () => {
    const r = applySkills(tools(), [{ name: 'style', body: 'Write tersely.' }]);
    expect(r.tools.map((t) => t.spec.name)).toEqual(['web_search', 'web_fetch', 'bash']);
    expect(r.systemAddendum).toContain('Write tersely.');
    expect(r.allowed).toBeUndefined();
  });

  it('offers only the union of allowed tools and refuses calls to the rest', async () => {
    const r = applySkills(tools(), [
      { name: 'research', allowedTools: ['web_search'], body: 'Search first.' },
      { name: 'read', allowedTools: ['web_fetch'], body: 'Then read.' },
      { name: 'plain', body: 'Be kind.' },
    ]);
    expect(r.tools.map((t) => t.spec.name)).toEqual(['web_search', 'web_fetch']);
    expect(r.systemAddendum).toMatch(/Search first\.[\s\S]*Then read\.[\s\S]*Be kind\./);
    const bash = r.callable.find((t) => t.spec.name === 'bash') as HarnessTool;
    expect(await bash.execute({ n: 1 }, ctx())).toMatchObject({ ok: false, kind: 'denied' });
    const search = r.callable.find((t) => t.spec.name === 'web_search') as HarnessTool;
    expect(await search.execute({ n: 1 }, ctx())).toMatchObject({ ok: true });
  });

  it('through runLoop: the model is offered only allowed tools and a call to another is refused', async () => {
    const bashCalls: unknown[] = [];
    const r = applySkills(
      [tool('web_search'), tool('bash', {}, bashCalls)],
      [{ name: 'research', allowedTools: ['web_search'], body: 'Search first.' }],
    );
    const model = scripted([
      { toolCalls: [{ name: 'bash', arguments: { n: 1 } }] },
      { toolCalls: [{ name: 'web_search', arguments: { n: 2 } }] },
      { text: 'done' },
    ]);
    const events: Array<{ type: string; name?: string; ok?: boolean; kind?: string }> = [];
    const result = await runLoop({
      model,
      system: `base\n\n${r.systemAddendum}`,
      prompt: 'go',
      tools: r.tools,
      onEvent: (e) => events.push(e as never),
    });
    expect(result.outcome).toBe('completed');
    expect(model.requests[0]?.tools?.map((t) => t.name)).toEqual(['web_search']);
    expect(model.requests[0]?.system).toContain('Search first.');
    expect(bashCalls).toEqual([]);
    const results = events.filter((e) => e.type === 'tool.result');
    // The loop itself refuses a tool it does not offer (unknown_tool); `callable` answers `denied`
    // for runners that dispatch by name.
    expect(results.map((e) => [e.name, e.ok, e.kind])).toEqual([
      ['bash', false, 'unknown_tool'],
      ['web_search', true, undefined],
    ]);
  });
});

describe('gateByCapabilities', () => {
  it('denies at call time a tool whose capability was not granted', async () => {
    const calls: unknown[] = [];
    const gated = gateByCapabilities(
      [tool('bash', {}, calls), tool('web_fetch'), tool('storage')],
      new Map([
        ['bash', 'exec'],
        ['web_fetch', 'network'],
      ]),
      new Set(['network']),
    );
    expect(gated.map((t) => t.spec.name)).toEqual(['bash', 'web_fetch', 'storage']);
    const [bash, fetch, storage] = gated as [HarnessTool, HarnessTool, HarnessTool];
    const out = await bash.execute({ n: 1 }, ctx());
    expect(out).toMatchObject({ ok: false, kind: 'denied' });
    expect((out as { message: string }).message).toMatch(/"exec"/);
    expect(calls).toEqual([]);
    expect(await fetch.execute({ n: 1 }, ctx())).toMatchObject({ ok: true });
    expect(await storage.execute({ n: 1 }, ctx())).toMatchObject({ ok: true });
  });
});
