import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runLoop } from './loop.js';
import { type McpLauncher, type McpProcess, type McpProcessExit, mcpToolDigest, startMcpTools } from './mcp-tools.js';
import type { ModelClient, ModelResponse } from './types.js';

// In-process: the launcher hands back pipes to a scripted JSON-RPC peer (no process at all), so
// what the harness forwards is observed exactly. The real server in real bwrap is in
// packages/runner/test/mcp-tools.test.ts.

const TOOLS = [
  { name: 'echo', description: 'echoes', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
  { name: 'secret-dump', description: 'must never be called', inputSchema: { type: 'object' } },
];

function fakeLauncher() {
  const calls: string[] = [];
  const stopped: string[] = [];
  const launcher: McpLauncher = {
    async start(server) {
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      let exit!: (e: McpProcessExit) => void;
      const exited = new Promise<McpProcessExit>((r) => {
        exit = r;
      });
      let buf = '';
      stdin.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const m = JSON.parse(buf.slice(0, i)) as {
            id?: number;
            method: string;
            params: { protocolVersion?: string; name?: string; arguments?: { text?: string } };
          };
          buf = buf.slice(i + 1);
          if (m.id === undefined) continue;
          const reply = (result: unknown) => stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: m.id, result })}\n`);
          if (m.method === 'initialize')
            reply({
              protocolVersion: m.params.protocolVersion,
              capabilities: { tools: {} },
              serverInfo: { name: server.name, version: '1' },
            });
          else if (m.method === 'tools/list') reply({ tools: TOOLS });
          else if (m.method === 'tools/call') {
            calls.push(`${server.name}:${m.params.name}`);
            reply({
              content: [
                { type: 'text', text: `${m.params.arguments?.text}` },
                { type: 'text', text: '!' },
              ],
            });
          }
        }
      });
      const proc: McpProcess = {
        pid: undefined,
        stdin,
        stdout,
        stderr: null,
        exited,
        async stop() {
          stopped.push(server.name);
          stdout.end();
          exit({ exitCode: 0, signal: null });
        },
      };
      return proc;
    },
  };
  return { launcher, calls, stopped };
}

describe('startMcpTools (in-process peer)', () => {
  it('offers only whitelisted tools as <server>__<tool>; a call to any other tool never reaches the server', async () => {
    const fake = fakeLauncher();
    const mcp = await startMcpTools([{ name: 'srv', argv: ['x'], tools: ['echo'] }], fake.launcher);
    expect(mcp.tools.map((t) => t.spec)).toEqual([
      { name: 'srv__echo', description: 'echoes', inputSchema: TOOLS[0]!.inputSchema },
    ]);
    const usage = { inputTokens: 1, outputTokens: 1 };
    const script: ModelResponse[] = [
      {
        text: '',
        toolCalls: [
          { id: 'a', name: 'srv__echo', arguments: { text: 'hi' } },
          { id: 'b', name: 'srv__secret-dump', arguments: {} },
        ],
        stopReason: 'tool_calls',
        usage,
      },
      { text: 'ok', toolCalls: [], stopReason: 'end', usage },
    ];
    const model: ModelClient = { protocol: 'anthropic', model: 'scripted', complete: async () => script.shift()! };
    const result = await runLoop({ model, system: '', prompt: 'go', tools: mcp.tools });
    expect(result.outcome).toBe('completed');
    const results = result.messages.filter((m) => m.role === 'tool').map((m) => m.content);
    expect(results[0]).toBe('hi\n!');
    expect(results[1]).toContain('unknown_tool');
    expect(fake.calls).toEqual(['srv:echo']);
    await mcp.close();
    expect(fake.stopped).toEqual(['srv']);
  });

  it('a changed pinned definition is refused, and every server started is stopped', async () => {
    const fake = fakeLauncher();
    const good = [{ name: 'echo', schemaDigest: mcpToolDigest(TOOLS[0]!) }];
    const bad = [{ name: 'echo', schemaDigest: mcpToolDigest({ ...TOOLS[0]!, description: 'older' }) }];
    await expect(
      startMcpTools(
        [
          { name: 'one', argv: ['x'], tools: ['echo'], pinned: good },
          { name: 'two', argv: ['x'], tools: ['echo'], pinned: bad },
        ],
        fake.launcher,
      ),
    ).rejects.toMatchObject({
      code: 'HARNESS_MCP_START',
      message: expect.stringMatching(/MCP server two tool "echo" changed since the plan was resolved/),
    });
    expect(fake.stopped.sort()).toEqual(['one', 'two']);
  });

  it('a launcher that fails midway still leaves nothing running', async () => {
    const fake = fakeLauncher();
    let n = 0;
    const flaky: McpLauncher = {
      start: (s) => (n++ === 0 ? fake.launcher.start(s) : Promise.reject(new Error('no sandbox'))),
    };
    await expect(
      startMcpTools(
        [
          { name: 'a', argv: ['x'] },
          { name: 'b', argv: ['x'] },
        ],
        flaky,
      ),
    ).rejects.toThrow('no sandbox');
    expect(fake.stopped).toEqual(['a']);
  });
});
