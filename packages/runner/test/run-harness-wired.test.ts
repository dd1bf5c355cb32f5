import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { runAgent } from '@agentlang/runner';
import { makeTempDir, processesWith, writeTree } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../../harness/test/scripted-server.js';
import { sink } from './plan-fixture.js';

// Issue 12: `runAgent(…, { runtime: 'harness' })` executes what agent.yaml declares — MCP servers in
// the real sandbox, permissions and input schemas at call time, the context block, approvals over
// the JSONL channel — every exchange against the scripted OpenAI-protocol server on 127.0.0.1.

const require = createRequire(import.meta.url);
const everything = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const MODEL = 'models:\n  gpt-test:\n    provider: openai\n';

async function run(agentYaml: string, script: ScriptStep[], extra: Parameters<typeof runAgent>[1] = {}) {
  const server = await startScriptedServer(script);
  servers.push(server);
  const dir = writeTree(makeTempDir(), { 'agent.yaml': agentYaml });
  const err = sink();
  const { env, ...rest } = extra;
  const result = await runAgent(dir, {
    runtime: 'harness',
    cwd: dir,
    env: { PATH: process.env.PATH, OPENAI_BASE_URL: `${server.origin}/v1`, ...env },
    userPrompt: 'Do the task',
    stdout: sink(),
    stderr: err,
    ...rest,
  });
  /** The tool results the model was sent in its second request, by call id. */
  const results = (): Record<string, string> =>
    Object.fromEntries(
      ((server.requests[1]?.body.messages ?? []) as Array<{ role: string; tool_call_id?: string; content: string }>)
        .filter((m) => m.role === 'tool')
        .map((m) => [m.tool_call_id, m.content]),
    );
  return { dir, server, result, stderr: err.text(), results };
}

describe('runAgent --runtime harness wires what agent.yaml declares', () => {
  it('an MCP server runs in the real sandbox for the run: its whitelisted tool answers, another is never offered, and it is stopped after', async () => {
    const yaml = `name: mcp-agent\nversion: 1.0.0\n${MODEL}mcp_servers:\n  everything:\n    command: node\n    args: ["${everything}", stdio]\n    tools: [echo]\n`;
    const { dir, server, result, results } = await run(yaml, [
      {
        toolCalls: [
          { id: 'c1', name: 'everything__echo', arguments: { message: 'through bwrap' } },
          { id: 'c2', name: 'everything__get-env', arguments: {} },
        ],
      },
      { text: 'echoed' },
    ]);
    expect(result.exitCode, JSON.stringify(result.harness)).toBe(0);
    expect(result.sandbox.backend).toBe('bwrap');
    expect(
      (server.requests[0]!.body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name),
    ).toEqual(['everything__echo']);
    expect(results().c1).toContain('Echo: through bwrap');
    expect(results().c2).toContain('unknown_tool');
    expect(result.harness?.toolCalls).toEqual({ everything__echo: 1, 'everything__get-env': 1 });
    // Stopped with the run: no sandbox of this agent (its root is bound into it) is left.
    expect(processesWith(dir)).toEqual([]);
  }, 120_000);

  it('permissions: a tool needing a capability the agent was not granted is denied at call time and writes nothing', async () => {
    const yaml = `name: perm-agent\nversion: 1.0.0\n${MODEL}permissions:\n  required: [network]\ntools:\n  - name: sqlite\n  - name: artifacts\n`;
    const { dir, result, results } = await run(yaml, [
      {
        toolCalls: [
          { id: 'c1', name: 'sqlite', arguments: { sql: 'CREATE TABLE t (a)' } },
          { id: 'c2', name: 'artifacts', arguments: { title: 'Notes', content: 'kept' } },
        ],
      },
      { text: 'ok' },
    ]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(results().c1!)).toEqual({
      error: { kind: 'denied', message: 'sqlite needs the capability "storage", which this host did not grant' },
    });
    expect(existsSync(join(dir, '.agentlang', 'sqlite'))).toBe(false);
    // artifacts need no capability: saved under the run's id.
    expect(readFileSync(join(dir, '.agentlang', 'artifacts', result.record!.run_id, 'notes.md'), 'utf8')).toBe('kept');
  });

  it("the agent's input_schema: a call that does not match goes back to the model as a validation error, and the tool never runs", async () => {
    const yaml = `name: schema-agent\nversion: 1.0.0\n${MODEL}tools:\n  - name: storage\n    input_schema:\n      type: object\n      properties:\n        op: { enum: [get, put] }\n        key: { type: string, pattern: "^[a-z]+$" }\n        value: {}\n      required: [op, key]\n`;
    const { dir, server, result, results } = await run(yaml, [
      { toolCalls: [{ id: 'c1', name: 'storage', arguments: { op: 'put', key: 'NOT-lower', value: 1 } }] },
      { text: 'fixed' },
    ]);
    expect(result.exitCode).toBe(0);
    // The model is offered the agent's schema, not the built-in's.
    expect(JSON.stringify(server.requests[0]!.body.tools)).toContain('^[a-z]+$');
    const error = JSON.parse(results().c1!).error;
    expect(error.kind).toBe('validation');
    expect(error.message).toContain('/key');
    expect(existsSync(join(dir, '.agentlang', 'storage'))).toBe(false);
  });

  it('approval over the JSONL control channel: the DELETE tool is asked for with its exact call, and a denial reaches the model', async () => {
    const yaml = `name: approve-agent\nversion: 1.0.0\n${MODEL}http_tools:\n  remove:\n    endpoint: /words\n    method: DELETE\n    params:\n      word: { type: string, required: true }\n`;
    const input = new PassThrough();
    const output = new PassThrough();
    const asked: unknown[] = [];
    createInterface({ input: output }).on('line', (line) => {
      const request = JSON.parse(line);
      asked.push(request);
      input.write(
        `${JSON.stringify({ type: 'approval', call_id: request.call_id, approved: false, reason: 'not today' })}\n`,
      );
    });
    const { result, results } = await run(
      yaml,
      [{ toolCalls: [{ id: 'c1', name: 'remove', arguments: { word: 'cat' } }] }, { text: 'kept it' }],
      {
        env: { AGENTLANG_HTTP_BASE_URL: 'http://127.0.0.1:9' },
        harness: { approval: { jsonl: { input, output } } },
      },
    );
    expect(result.exitCode).toBe(0);
    expect(asked).toEqual([{ type: 'approval_request', call_id: 'c1', tool: 'remove', arguments: { word: 'cat' } }]);
    expect(JSON.parse(results().c1!)).toEqual({ error: { kind: 'denied', message: 'not today' } });
    input.end();
  });

  it("the agent's approval: marks: an always_ask tool is asked before every call, a session tool once, and a denied call never runs", async () => {
    const yaml = `name: marks-agent\nversion: 1.0.0\n${MODEL}tools:\n  - name: storage\n    approval: always_ask\n  - name: artifacts\n    approval: session\n`;
    const input = new PassThrough();
    const output = new PassThrough();
    const asked: string[] = [];
    createInterface({ input: output }).on('line', (line) => {
      const request = JSON.parse(line);
      asked.push(`${request.tool}:${request.call_id}`);
      input.write(
        `${JSON.stringify({ type: 'approval', call_id: request.call_id, approved: request.call_id !== 's2', reason: 'no second write' })}\n`,
      );
    });
    const put = (id: string, key: string) => ({ id, name: 'storage', arguments: { op: 'put', key, value: id } });
    const save = (id: string, name: string) => ({
      id,
      name: 'artifacts',
      arguments: { op: 'save', title: name, name, content: id },
    });
    const { dir, result, server } = await run(
      yaml,
      [
        { toolCalls: [put('s1', 'first'), save('a1', 'one.md')] },
        { toolCalls: [put('s2', 'second'), save('a2', 'two.md')] },
        { text: 'done' },
      ],
      { harness: { approval: { jsonl: { input, output } } } },
    );
    expect(result.exitCode, JSON.stringify(result.harness)).toBe(0);
    expect(asked).toEqual(['storage:s1', 'artifacts:a1', 'storage:s2']);
    const third = JSON.stringify(server.requests[2]?.body.messages ?? []);
    expect(third).toContain('no second write');
    const stored = JSON.parse(readFileSync(join(dir, '.agentlang', 'storage', 'marks-agent.json'), 'utf8'));
    expect(JSON.stringify(stored)).toContain('first');
    expect(JSON.stringify(stored)).not.toContain('second');
    expect(existsSync(join(dir, '.agentlang', 'artifacts', result.record!.run_id, 'two.md'))).toBe(true);
    input.end();
  });

  it('web_fetch from the host: loopback refused by default; AGENTLANG_EGRESS_RESOLVE pins a name to it, and only that name gets through', async () => {
    const seen: string[] = [];
    const intranet = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.end('intranet page');
    });
    await new Promise<void>((r) => intranet.listen(0, '127.0.0.1', r));
    const port = (intranet.address() as AddressInfo).port;
    try {
      const yaml = `name: fetch-agent\nversion: 1.0.0\n${MODEL}permissions:\n  required: [network]\ntools:\n  - name: web_fetch\n`;
      const fetches = (...urls: string[]): ScriptStep[] => [
        { toolCalls: urls.map((url, i) => ({ id: `c${i + 1}`, name: 'web_fetch', arguments: { url } })) },
        { text: 'done' },
      ];
      const closed = await run(
        yaml,
        fetches(`http://127.0.0.1:${port}/a`, `http://localhost:${port}/b`, `http://[::ffff:7f00:1]:${port}/c`),
      );
      expect(closed.result.exitCode).toBe(0);
      for (const id of ['c1', 'c2', 'c3'])
        expect([id, JSON.parse(closed.results()[id]!).error.kind]).toEqual([id, 'denied']);
      expect(seen).toEqual([]);
      const pinned = await run(yaml, fetches(`http://intranet.test:${port}/d`, `http://127.0.0.1:${port}/e`), {
        env: { AGENTLANG_EGRESS_RESOLVE: 'intranet.test=127.0.0.1' },
      });
      expect(pinned.result.exitCode).toBe(0);
      expect(pinned.results().c1).toContain('intranet page');
      expect(JSON.parse(pinned.results().c2!).error.kind).toBe('denied');
      expect(seen).toEqual(['/d']);
    } finally {
      intranet.closeAllConnections();
      await new Promise((r) => intranet.close(r));
    }
  });

  it('the context block: past window.max_tokens × trigger the oldest turns are dropped (drop_oldest), the task kept', async () => {
    const yaml = `name: ctx-agent\nversion: 1.0.0\n${MODEL}tools:\n  - name: storage\ncontext:\n  window:\n    max_tokens: 400\n  compaction:\n    strategy: drop_oldest\n    trigger: 0.5\n`;
    const put = (i: number): ScriptStep => ({
      toolCalls: [{ id: `c${i}`, name: 'storage', arguments: { op: 'put', key: `k${i}`, value: 'v'.repeat(300) } }],
      usage: { input: 0, output: 1 },
    });
    const { server, result, stderr } = await run(yaml, [
      put(1),
      put(2),
      put(3),
      put(4),
      put(5),
      put(6),
      { text: 'done' },
    ]);
    expect(result.exitCode, stderr).toBe(0);
    expect(stderr).toContain('context: compacted');
    const last = JSON.stringify(server.requests.at(-1)!.body.messages);
    expect(last).toContain('Do the task');
    expect(last).toContain('[Earlier conversation compacted]');
    expect(last).not.toContain('"c1"');
  });
});
