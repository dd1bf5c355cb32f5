import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { makeTempDir, rejectedWith } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { HarnessError } from './errors.js';
import { buildAgentTools, httpBaseIsPrivate } from './agent-tools.js';
import { createTerminalApprover } from './approval.js';
import { runLoop } from './loop.js';
import type { ModelClient, ModelResponse, ToolCall } from './types.js';

const ctx = () => ({ callId: 'c1', signal: new AbortController().signal });

/** An in-memory model that plays a script and records the tool names it was offered. */
function scripted(
  steps: Array<{ text?: string; toolCalls?: Array<Omit<ToolCall, 'id'>> }>,
): ModelClient & { offered: string[][]; results: string[] } {
  const offered: string[][] = [];
  const results: string[] = [];
  let i = 0;
  return {
    protocol: 'openai',
    model: 'scripted',
    offered,
    results,
    async complete(request): Promise<ModelResponse> {
      offered.push(request.tools.map((t) => t.name));
      const last = request.messages[request.messages.length - 1];
      if (last?.role === 'tool') results.push(last.content);
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

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('buildAgentTools', () => {
  it('builds http tools against AGENTLANG_HTTP_BASE_URL with the bearer token; a loopback base allows private ranges', async () => {
    const auth: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      auth.push(req.headers.authorization);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ hits: ['a'] }));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const built = await buildAgentTools(
      {
        http: [
          {
            name: 'search',
            endpoint: '/search',
            method: 'GET',
            auth: 'bearer',
            params: { q: { type: 'string', required: true } },
          },
        ],
      },
      { env: { AGENTLANG_HTTP_BASE_URL: base, AGENTLANG_HTTP_TOKEN: 'tok' } },
    );
    expect(built.tools.map((t) => t.spec.name)).toEqual(['search']);
    const out = await built.tools[0]!.execute({ q: 'x' }, { callId: 'c1', signal: new AbortController().signal });
    expect(out.ok).toBe(true);
    expect(auth).toEqual(['Bearer tok']);
    await built.close();
    await built.close();
  });

  it('refuses http tools without a base URL, bash tools without a sandbox, and duplicate names', async () => {
    const http = [{ name: 't', endpoint: '/x', method: 'GET', params: {} }];
    expect((await rejectedWith(HarnessError, buildAgentTools({ http }, { env: {} }))).message).toContain(
      'AGENTLANG_HTTP_BASE_URL',
    );
    expect(
      (await rejectedWith(HarnessError, buildAgentTools({ bash: [{ name: 'b', command: 'echo' }] }, { env: {} })))
        .message,
    ).toContain('sandbox');
    const dup = await rejectedWith(
      HarnessError,
      buildAgentTools({ http: [...http, ...http] }, { env: { AGENTLANG_HTTP_BASE_URL: 'https://api.example.com' } }),
    );
    expect(dup.message).toContain('unique');
    expect((await buildAgentTools({}, { env: {} })).tools).toEqual([]);
  });

  it("offers the declared built-ins under the agent's schemas, reports an unprovided tool once and goes on", async () => {
    const root = makeTempDir();
    const notices: string[] = [];
    const built = await buildAgentTools(
      {
        tools: [
          { name: 'artifacts' },
          {
            name: 'storage',
            inputSchema: {
              type: 'object',
              properties: { op: { enum: ['get', 'list'] }, key: { type: 'string' } },
              required: ['op'],
            },
          },
          { name: 'delegate' },
          { name: 'memo', config: {} },
        ],
      },
      { env: {}, builtin: { root, agent: 'a', runId: 'run-7' }, provided: ['memo'], onNotice: (m) => notices.push(m) },
    );
    expect(built.tools.map((t) => t.spec.name)).toEqual(['artifacts', 'storage']);
    expect(notices).toEqual([
      'tool delegate is declared but this runtime does not provide it; it is not offered to the model',
    ]);
    const storage = built.tools[1]!;
    // The agent's input_schema is what the model is shown and what a call is held to.
    expect(storage.spec.inputSchema).toMatchObject({ properties: { op: { enum: ['get', 'list'] } } });
    expect(await storage.execute({ op: 'put', key: 'k', value: 1 }, ctx())).toMatchObject({
      ok: false,
      kind: 'validation',
    });
    expect(existsSync(join(root, '.agentlang/storage'))).toBe(false);
    expect(await built.tools[0]!.execute({ title: 'Report', content: '# hi' }, ctx())).toMatchObject({ ok: true });
    expect(readFileSync(join(root, '.agentlang/artifacts/run-7/report.md'), 'utf8')).toBe('# hi');
    await built.close();
  });

  it('an output_schema the result does not match is a validation failure', async () => {
    const built = await buildAgentTools(
      {
        tools: [
          {
            name: 'storage',
            outputSchema: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', maxItems: 0 } } },
          },
        ],
      },
      { env: {}, builtin: { root: makeTempDir(), agent: 'a', runId: 'r' } },
    );
    const storage = built.tools[0]!;
    expect(await storage.execute({ op: 'list' }, ctx())).toMatchObject({ ok: true });
    expect(await storage.execute({ op: 'put', key: 'k', value: 1 }, ctx())).toMatchObject({
      ok: false,
      kind: 'validation',
    });
    await built.close();
  });

  it('denies at call time a tool whose capability the host did not grant; nothing is written', async () => {
    const root = makeTempDir();
    const built = await buildAgentTools(
      {
        tools: [{ name: 'sqlite' }, { name: 'artifacts' }],
        http: [{ name: 'lookup', endpoint: '/x', method: 'GET', params: {} }],
      },
      {
        env: { AGENTLANG_HTTP_BASE_URL: 'http://127.0.0.1:9' },
        builtin: { root, agent: 'a', runId: 'r' },
        grantedCapabilities: [],
      },
    );
    const byName = new Map(built.tools.map((t) => [t.spec.name, t]));
    expect(await byName.get('sqlite')!.execute({ sql: 'CREATE TABLE t (a)' }, ctx())).toMatchObject({
      ok: false,
      kind: 'denied',
      message: expect.stringContaining('"storage"'),
    });
    expect(await byName.get('lookup')!.execute({}, ctx())).toMatchObject({
      ok: false,
      kind: 'denied',
      message: expect.stringContaining('"network"'),
    });
    expect(existsSync(join(root, '.agentlang/sqlite'))).toBe(false);
    // artifacts need no capability.
    expect(await byName.get('artifacts')!.execute({ title: 'x', content: 'y' }, ctx())).toMatchObject({ ok: true });
    await built.close();
  });

  it('skills: only the allowed tools are offered, a call to another answers denied in the loop, and SKILL.md bodies join the system prompt', async () => {
    const root = makeTempDir();
    const built = await buildAgentTools(
      {
        tools: [{ name: 'sqlite' }, { name: 'artifacts' }],
        skills: [{ name: 'helper', allowedTools: ['sqlite', 'delegate'], body: 'Store citations first.' }],
      },
      { env: {}, builtin: { root, agent: 'a', runId: 'r' } },
    );
    expect(built.tools.map((t) => t.spec.name)).toEqual(['sqlite']);
    expect(built.systemAddendum).toContain('Store citations first.');
    const model = scripted([
      { toolCalls: [{ name: 'artifacts', arguments: { title: 'x', content: 'y' } }] },
      { text: 'ok' },
    ]);
    const result = await runLoop({ model, system: 's', prompt: 'p', tools: built.tools, callable: built.callable });
    expect(result.outcome).toBe('completed');
    expect(model.offered[0]).toEqual(['sqlite']);
    expect(JSON.parse(model.results[0]!)).toMatchObject({
      error: { kind: 'denied', message: 'artifacts is not allowed by the active skills' },
    });
    expect(existsSync(join(root, '.agentlang/artifacts'))).toBe(false);
    await built.close();
  });

  it('refuses MCP servers without a launcher, and built-ins without their host', async () => {
    expect(
      (await rejectedWith(HarnessError, buildAgentTools({ mcpServers: [{ name: 'fs', argv: ['x'] }] }, { env: {} })))
        .message,
    ).toContain('launcher');
    expect(
      (await rejectedWith(HarnessError, buildAgentTools({ tools: [{ name: 'sqlite' }] }, { env: {} }))).message,
    ).toContain('run id');
  });

  it('a terminal approver approves on y and declines on anything else or a closed input', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let asked = '';
    output.on('data', (c: Buffer) => {
      asked += c.toString('utf8');
    });
    const approve = createTerminalApprover(input, output);
    const first = approve({ callId: 'c1', toolName: 'wipe', arguments: { all: true } });
    input.write('y\n');
    expect(await first).toEqual({ approved: true });
    expect(asked).toContain('approve wipe (call c1) with {"all":true}? [y/N]');
    const second = approve({ callId: 'c2', toolName: 'wipe', arguments: {} });
    input.write('sure\n');
    expect(await second).toMatchObject({ approved: false });
    const third = approve({ callId: 'c3', toolName: 'wipe', arguments: {} });
    input.end();
    expect(await third).toMatchObject({ approved: false, reason: 'no answer from the terminal' });
  });

  it('allows private ranges only for a loopback or private base URL', () => {
    expect(httpBaseIsPrivate('http://127.0.0.1:8080')).toBe(true);
    expect(httpBaseIsPrivate('http://localhost:8080')).toBe(true);
    expect(httpBaseIsPrivate('http://10.1.2.3/api')).toBe(true);
    expect(httpBaseIsPrivate('https://api.example.com')).toBe(false);
  });
});
