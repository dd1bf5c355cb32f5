import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadAgentFromFiles } from '@agentlang/manifest';
import { runAgent } from '@agentlang/runner';
import { makeTempDir, processesWith, writeTree } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../../harness/test/scripted-server.js';
import { sink } from './plan-fixture.js';

// A sub-agent's `mcp_servers` run for its delegation in the real sandbox (bwrap), as the root's do:
// the real `@modelcontextprotocol/server-everything` over stdio, the scripted OpenAI-protocol model
// server on 127.0.0.1.

const require = createRequire(import.meta.url);
const everything = join(
  dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist/index.js',
);

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const ROOT = `name: orchestrator\nversion: 1.0.0\nmodels:\n  root-model:\n    provider: openai\ntools:\n  - name: delegate\n    config:\n      mode: dynamic\n      discovery: directory\n      max_depth: 2\n`;
const helper = (env = '') =>
  `name: helper\ndescription: Echoes\nmcp_servers:\n  everything:\n    command: node\n    args: ["${everything}", stdio]\n    tools: [echo]\n${env}`;

async function start(script: ScriptStep[]) {
  const server = await startScriptedServer(script);
  servers.push(server);
  return server;
}

describe("a sub-agent's MCP servers in agentlang run", () => {
  it('run in the sandbox for its delegation: its first request offers only the whitelisted tool, the call answers, and nothing is left after', async () => {
    const server = await start([
      { toolCalls: [{ id: 'd1', name: 'delegate', arguments: { agent: 'helper', task: 'Echo it' } }] },
      { toolCalls: [{ id: 'e1', name: 'everything__echo', arguments: { message: 'from the sub-agent' } }] },
      { text: 'echoed' },
      { text: 'done' },
    ]);
    const dir = writeTree(makeTempDir(), { 'agent.yaml': ROOT, 'helper.yaml': helper() });
    const err = sink();
    const result = await runAgent(dir, {
      runtime: 'harness',
      cwd: dir,
      env: { PATH: process.env.PATH, OPENAI_BASE_URL: `${server.origin}/v1` },
      userPrompt: 'Delegate the echo',
      stdout: sink(),
      stderr: err,
      harness: { approval: { policy: 'all' } },
    });
    expect(result.exitCode, err.text()).toBe(0);
    expect(result.sandbox.backend).toBe('bwrap');
    const offered = (server.requests[1]!.body.tools as Array<{ function: { name: string } }>).map(
      (t) => t.function.name,
    );
    expect(offered.filter((n) => n.startsWith('everything__'))).toEqual(['everything__echo']);
    const results = (
      server.requests[2]!.body.messages as Array<{ role: string; tool_call_id?: string; content: string }>
    )
      .filter((m) => m.role === 'tool')
      .map((m) => m.content);
    expect(results.join('\n')).toContain('Echo: from the sub-agent');
    expect(err.text()).not.toContain('not started');
    expect(result.record?.harness?.sub_agents?.map((s) => [s.agent, s.tool_calls])).toEqual([
      ['helper', { everything__echo: 1 }],
    ]);
    // Stopped with the delegation: no sandbox of this agent (its root is bound into it) is left.
    expect(processesWith(dir)).toEqual([]);
  }, 120_000);

  it('an agent not from the working tree: a sub-agent server env template is refused without --allow-env, and no server starts', async () => {
    const server = await start([{ text: 'never asked' }]);
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': ROOT,
      'helper.yaml': helper('    env:\n      TOKEN: "{{.env.HOST_SECRET}}"\n'),
    });
    // Loaded from its files in memory (as a verified container is): consent is required.
    const agent = await loadAgentFromFiles({
      'agent.yaml': new TextEncoder().encode(ROOT),
      'helper.yaml': new TextEncoder().encode(helper('    env:\n      TOKEN: "{{.env.HOST_SECRET}}"\n')),
    });
    const err = sink();
    const result = await runAgent(agent, {
      runtime: 'harness',
      cwd: dir,
      env: { PATH: process.env.PATH, OPENAI_BASE_URL: `${server.origin}/v1`, HOST_SECRET: 'do-not-pass' },
      userPrompt: 'Delegate the echo',
      stdout: sink(),
      stderr: err,
    });
    expect(result.exitCode).not.toBe(0);
    expect(err.text()).toContain('sub-agent helper');
    expect(err.text()).toContain('--allow-env HOST_SECRET');
    expect(err.text()).not.toContain('do-not-pass');
    expect(server.requests).toHaveLength(0);
    expect(processesWith(everything)).toEqual([]);

    // With the user's consent the same agent runs, and its sub-agent's server answers.
    const allowed = await start([
      { toolCalls: [{ id: 'd1', name: 'delegate', arguments: { agent: 'helper', task: 'Echo it' } }] },
      { toolCalls: [{ id: 'e1', name: 'everything__echo', arguments: { message: 'with consent' } }] },
      { text: 'echoed' },
      { text: 'done' },
    ]);
    const err2 = sink();
    const ok = await runAgent(agent, {
      runtime: 'harness',
      cwd: dir,
      env: { PATH: process.env.PATH, OPENAI_BASE_URL: `${allowed.origin}/v1`, HOST_SECRET: 'passed' },
      allowEnv: ['HOST_SECRET'],
      userPrompt: 'Delegate the echo',
      stdout: sink(),
      stderr: err2,
      harness: { approval: { policy: 'all' } },
    });
    expect(ok.exitCode, err2.text()).toBe(0);
    expect(JSON.stringify(allowed.requests[2]!.body.messages)).toContain('Echo: with consent');
    expect(processesWith(everything)).toEqual([]);
  }, 120_000);
});
