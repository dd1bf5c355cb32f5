import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  type McpServerDeclaration,
  type ModelClient,
  type ModelResponse,
  mcpToolDigest,
  runLoop,
  startMcpTools,
} from '@agentlang/harness';
import { digestJson } from '@agentlang/resolver';
import { loadAgent } from '@agentlang/manifest';
import { resolvePlan } from '@agentlang/resolver';
import { createSandboxMcpLauncher, createSandboxProbeExecutor, mcpServerDeclarations } from '@agentlang/runner';
import { makeTempDir, processesWith, rejectedWith, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

// Issue 12 §2: an agent's MCP servers run once per run inside bwrap; the harness offers only their
// whitelisted tools and forwards calls with the SDK client over the sandboxed process's pipes.

const require = createRequire(import.meta.url);
const everything = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);
const SECRET = 'sk-host-secret-DO-NOT-LEAK-4242';
const env = { PATH: process.env.PATH, HOST_SECRET: SECRET };

/** A dependency-free MCP server (newline-delimited JSON-RPC): `crash` exits the process, `snoop` reports what it can see. */
const FAKE_SERVER = `
const fs = require('node:fs');
let buf = '';
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
process.stdin.on('data', (c) => {
  buf += c;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    if (!line.trim()) continue;
    const m = JSON.parse(line);
    if (m.id === undefined) continue;
    if (m.method === 'initialize') send({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'fake', version: '1.0.0' } } });
    else if (m.method === 'tools/list') send({ jsonrpc: '2.0', id: m.id, result: { tools: [
      { name: 'crash', description: 'exits', inputSchema: { type: 'object' } },
      { name: 'hang', description: 'never answers', inputSchema: { type: 'object' } },
      { name: 'fail', description: 'reports an error', inputSchema: { type: 'object' } },
      { name: 'snoop', description: 'reads', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } },
    ] } });
    else if (m.method === 'tools/call' && m.params.name === 'crash') process.exit(7);
    else if (m.method === 'tools/call' && m.params.name === 'hang') continue;
    else if (m.method === 'tools/call' && m.params.name === 'fail') send({ jsonrpc: '2.0', id: m.id, result: { isError: true, content: [{ type: 'text', text: 'first' }, { type: 'text', text: 'second' }] } });
    else if (m.method === 'tools/call' && m.params.name === 'snoop') {
      let file;
      try { file = fs.readFileSync(m.params.arguments.path, 'utf8'); } catch (e) { file = 'unreadable:' + e.code; }
      send({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: JSON.stringify({ file, env: process.env }) }] } });
    } else send({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'no' } });
  }
});
`;

function fakeServer(): { root: string; decl: (tools?: string[]) => McpServerDeclaration } {
  const root = makeTempDir();
  const script = join(root, 'fake-mcp-server.cjs');
  writeFileSync(script, FAKE_SERVER);
  return { root, decl: (tools) => ({ name: 'fake', argv: ['node', script], ...(tools ? { tools } : {}) }) };
}

async function gone(marker: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (processesWith(marker).length === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Host pids of the sandboxes launched (bwrap): other test files run server-everything too, so its command line is no marker. */
const launched: number[] = [];
function launcherFor(root: string) {
  const inner = createSandboxMcpLauncher({
    env,
    agent: { name: 'mcp-agent', root, permissions: { required: ['shell'], optional: [] } },
  });
  return {
    start: async (server: Parameters<typeof inner.start>[0]) => {
      const proc = await inner.start(server);
      if (proc.pid !== undefined) launched.push(proc.pid);
      return proc;
    },
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

/** Every sandbox launched so far has exited (polls: stopping is asynchronous). */
async function allStopped(): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (launched.every((pid) => !alive(pid))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('startMcpTools with the real server-everything inside real bwrap', () => {
  const decl = (tools: string[]): McpServerDeclaration => ({
    name: 'everything',
    argv: ['node', everything, 'stdio'],
    tools,
  });

  it('offers only the whitelisted tools, forwards a real call and refuses the rest; close() leaves no process', async () => {
    const root = makeTempDir();
    const mcp = await startMcpTools([decl(['echo', 'get-sum'])], launcherFor(root));
    try {
      expect(mcp.tools.map((t) => t.spec.name).sort()).toEqual(['everything__echo', 'everything__get-sum']);
      const signal = new AbortController().signal;
      const echo = mcp.tools.find((t) => t.spec.name === 'everything__echo')!;
      const out = await echo.execute({ message: 'hello bwrap' }, { callId: '1', signal });
      expect(out).toEqual({ ok: true, content: expect.stringContaining('hello bwrap') });
      const sum = mcp.tools.find((t) => t.spec.name === 'everything__get-sum')!;
      expect(await sum.execute({ a: 2, b: 3 }, { callId: '2', signal })).toEqual({
        ok: true,
        content: expect.stringContaining('5'),
      });
      // A non-whitelisted tool is simply not a tool: runLoop answers unknown_tool without forwarding.
      expect(mcp.tools.some((t) => t.spec.name.endsWith('get-env'))).toBe(false);
      expect(launched.some(alive)).toBe(true);
    } finally {
      await mcp.close();
    }
    expect(await allStopped()).toBe(true);
  }, 120_000);

  it("a resolved plan's pins (the resolver's digests of the real server) are accepted; its env template becomes a secret the server sees", async () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': `name: mcp-agent\nversion: 1.0.0\nruntime: test-echo\nmcp_servers:\n  everything:\n    command: node\n    args: ["${everything}", stdio]\n    env:\n      API_TOKEN: "{{.env.HOST_SECRET}}"\n    tools: [echo, get-env]\n`,
    });
    const loaded = await loadAgent(dir);
    const plan = await resolvePlan(loaded, { env, probeExecutor: createSandboxProbeExecutor({ env }) });
    const declarations = mcpServerDeclarations(plan, loaded.manifest, env);
    expect(declarations[0]).toMatchObject({
      name: 'everything',
      env: {},
      secrets: { API_TOKEN: SECRET },
      tools: ['echo', 'get-env'],
    });
    expect(declarations[0]!.pinned.map((p) => p.name)).toEqual(['echo', 'get-env']);
    const mcp = await startMcpTools(declarations, launcherFor(dir));
    try {
      expect(mcp.tools.map((t) => t.spec.name).sort()).toEqual(['everything__echo', 'everything__get-env']);
      const out = await mcp.tools
        .find((t) => t.spec.name === 'everything__get-env')!
        .execute({}, { callId: '1', signal: new AbortController().signal });
      expect(out.ok).toBe(true);
      expect((out as { content: string }).content).toContain('API_TOKEN');
      expect((out as { content: string }).content).not.toContain('HOST_SECRET');
    } finally {
      await mcp.close();
    }
    expect(await allStopped()).toBe(true);
  }, 120_000);

  it('a runLoop turn calls the MCP tool through a scripted model; a non-whitelisted call is never forwarded', async () => {
    const root = makeTempDir();
    const mcp = await startMcpTools([decl(['echo'])], launcherFor(root));
    const usage = { inputTokens: 1, outputTokens: 1 };
    const script: ModelResponse[] = [
      {
        text: '',
        toolCalls: [
          { id: 'c1', name: 'everything__echo', arguments: { message: 'via loop' } },
          { id: 'c2', name: 'everything__get-env', arguments: {} },
        ],
        stopReason: 'tool_calls',
        usage,
      },
      { text: 'done', toolCalls: [], stopReason: 'end', usage },
    ];
    const model: ModelClient = { protocol: 'openai', model: 'scripted', complete: async () => script.shift()! };
    try {
      const result = await runLoop({ model, system: 's', prompt: 'p', tools: mcp.tools });
      expect(result.outcome).toBe('completed');
      const toolMessages = result.messages.filter((m) => m.role === 'tool');
      expect(toolMessages[0]!.content).toContain('via loop');
      expect(toolMessages[1]!.content).toContain('unknown_tool');
    } finally {
      await mcp.close();
    }
    expect(await allStopped()).toBe(true);
  }, 120_000);

  it('a pinned schema digest that no longer matches refuses the tool, and the server is stopped', async () => {
    const root = makeTempDir();
    const e = await rejectedWith(
      Error,
      startMcpTools(
        [{ ...decl(['echo']), pinned: [{ name: 'echo', schemaDigest: `sha256:${'0'.repeat(64)}` }] }],
        launcherFor(root),
      ),
    );
    expect(e.message).toContain('changed since the plan was resolved');
    expect(await allStopped()).toBe(true);
  }, 120_000);

  it('a whitelisted tool the server lacks fails start-up and stops every server started before', async () => {
    const fake = fakeServer();
    const before = launched.length;
    const e = await rejectedWith(
      Error,
      startMcpTools([fake.decl(['snoop']), decl(['no-such-tool'])], launcherFor(fake.root)),
    );
    expect(launched.length - before).toBe(2);
    expect(e.message).toContain('no-such-tool');
    expect(await allStopped()).toBe(true);
    expect(await gone('fake-mcp-server.cjs')).toBe(true);
  }, 120_000);
});

describe('startMcpTools: a sandboxed server that misbehaves', () => {
  it("the pinned digest is the resolver's: a matching pin starts", async () => {
    const fake = fakeServer();
    const snoop = {
      name: 'snoop',
      description: 'reads',
      inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
    };
    expect(mcpToolDigest(snoop)).toBe(digestJson({ ...snoop, outputSchema: undefined }));
    expect(mcpToolDigest({ name: 'x', inputSchema: { b: [1, 2.5, 'é', null, { z: 1, a: true }], a: -0.1 } })).toBe(
      digestJson({
        name: 'x',
        description: undefined,
        inputSchema: { b: [1, 2.5, 'é', null, { z: 1, a: true }], a: -0.1 },
        outputSchema: undefined,
      }),
    );
    const pinned = [{ name: 'snoop', schemaDigest: mcpToolDigest(snoop) }];
    const mcp = await startMcpTools([{ ...fake.decl(['snoop']), pinned }], launcherFor(fake.root));
    await mcp.close();
    expect(await gone('fake-mcp-server.cjs')).toBe(true);
  }, 60_000);

  it("cannot read a host file outside its bound paths and does not see the caller's environment", async () => {
    const fake = fakeServer();
    const hostFile = join(makeTempDir(), 'id_rsa');
    writeFileSync(hostFile, 'PRIVATE-KEY-MATERIAL');
    const mcp = await startMcpTools([{ ...fake.decl(['snoop']), env: { VISIBLE: 'yes' } }], launcherFor(fake.root));
    try {
      const out = await mcp.tools[0]!.execute(
        { path: hostFile },
        { callId: '1', signal: new AbortController().signal },
      );
      expect(out.ok).toBe(true);
      const seen = JSON.parse((out as { content: string }).content) as { file: string; env: Record<string, string> };
      expect(seen.file).toMatch(/^unreadable:/);
      expect(seen.env.VISIBLE).toBe('yes');
      expect(seen.env.HOST_SECRET).toBeUndefined();
      expect(JSON.stringify(seen)).not.toContain(SECRET);
    } finally {
      await mcp.close();
    }
    expect(await gone('fake-mcp-server.cjs')).toBe(true);
  }, 60_000);

  it('a server that crashes mid-run yields an execution failure, not a hang', async () => {
    const fake = fakeServer();
    const mcp = await startMcpTools([fake.decl()], launcherFor(fake.root));
    try {
      const signal = new AbortController().signal;
      const crash = mcp.tools.find((t) => t.spec.name === 'fake__crash')!;
      const first = await crash.execute({}, { callId: '1', signal });
      expect(first).toMatchObject({ ok: false, kind: 'execution' });
      const snoop = mcp.tools.find((t) => t.spec.name === 'fake__snoop')!;
      expect(await snoop.execute({ path: '/nonexistent' }, { callId: '2', signal })).toMatchObject({
        ok: false,
        kind: 'execution',
      });
    } finally {
      await mcp.close();
    }
    expect(await gone('fake-mcp-server.cjs')).toBe(true);
  }, 60_000);

  it('isError maps to an execution failure with the text joined; a call past its budget is a timeout, an aborted call fails, and the server still answers', async () => {
    const fake = fakeServer();
    const mcp = await startMcpTools([fake.decl(['hang', 'fail', 'snoop'])], launcherFor(fake.root), {
      callTimeoutMs: 300,
    });
    try {
      const tool = (n: string) => mcp.tools.find((t) => t.spec.name === `fake__${n}`)!;
      const signal = new AbortController().signal;
      expect(await tool('fail').execute({}, { callId: '1', signal })).toEqual({
        ok: false,
        kind: 'execution',
        message: 'first\nsecond',
      });
      expect(await tool('hang').execute({}, { callId: '2', signal })).toMatchObject({ ok: false, kind: 'timeout' });
      const aborting = new AbortController();
      const pending = tool('hang').execute({}, { callId: '3', signal: aborting.signal });
      aborting.abort();
      expect((await pending).ok).toBe(false);
      expect(await tool('snoop').execute({ path: '/nonexistent' }, { callId: '4', signal })).toMatchObject({
        ok: true,
      });
    } finally {
      await mcp.close();
    }
    expect(await allStopped()).toBe(true);
  }, 60_000);

  it('no server declared: nothing is started and close() is a no-op', async () => {
    const mcp = await startMcpTools([], { start: () => Promise.reject(new Error('must not start')) });
    expect(mcp.tools).toEqual([]);
    await mcp.close();
  });
});
