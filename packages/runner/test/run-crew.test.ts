import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import type { AgentEvent } from '@agentlang/harness';
import { runAgent } from '@agentlang/runner';
import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../../harness/test/scripted-server.js';
import { sink } from './plan-fixture.js';

// Issue 13 §1: `agentlang run` of an agent that delegates — each sub-agent runs from its own
// manifest (tools, model) in the run's artifacts directory, against the scripted model server.

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

type Protocol = 'openai' | 'anthropic';
const model = (p: Protocol, id = 'root-model') => `models:\n  ${id}:\n    provider: ${p}\n`;

async function run(
  protocol: Protocol,
  files: Record<string, string>,
  script: ScriptStep[],
  extra: Parameters<typeof runAgent>[1] = {},
) {
  const server = await startScriptedServer(script);
  servers.push(server);
  const dir = writeTree(makeTempDir(), files);
  const out = sink();
  const err = sink();
  const base =
    protocol === 'openai' ? { OPENAI_BASE_URL: `${server.origin}/v1` } : { ANTHROPIC_BASE_URL: server.origin };
  const { env, ...rest } = extra;
  const result = await runAgent(dir, {
    runtime: 'harness',
    cwd: dir,
    env: { PATH: process.env.PATH, ...base, ...env },
    userPrompt: 'Why are there tides?',
    stdout: out,
    stderr: err,
    ...rest,
  });
  return { dir, server, result, stdout: out.text(), stderr: err.text() };
}

/** The tool results a request carried, in either protocol's spelling. */
const sent = (server: ScriptedServer, i: number) => JSON.stringify(server.requests[i]?.body ?? {});

describe.each(['openai', 'anthropic'] as const)('delegation in agentlang run over %s', (protocol) => {
  it('a sequential crew: depends_on hands the researcher’s answer to the writer; each runs with its own tools and model, shares the run’s artifacts; usage per sub-agent and rolled up', async () => {
    const files = {
      'agent.yaml': `name: crew\nversion: 1.0.0\n${model(protocol)}delegate:\n  mode: static\n  process: sequential\n  agents:\n    - path: ./writer.yaml\n      task: Write a report based on research\n      depends_on: [researcher]\n    - path: ./researcher.yaml\n      task: Research the topic thoroughly\n`,
      'researcher.yaml': 'name: researcher\ndescription: Researches\ntools:\n  - name: artifacts\n',
      'writer.yaml': `name: writer\ndescription: Writes\n${model(protocol, 'writer-model')}`,
    };
    const { dir, server, result, stdout, stderr } = await run(protocol, files, [
      {
        toolCalls: [{ id: 'a1', name: 'artifacts', arguments: { title: 'Notes', content: 'moon pulls water' } }],
        usage: { input: 10, output: 2 },
      },
      { text: 'FINDINGS: the moon pulls the water', usage: { input: 20, output: 4 } },
      { text: 'REPORT: tides come from the moon', usage: { input: 30, output: 6 } },
    ]);
    expect(result.exitCode, stderr).toBe(0);
    expect(stdout).toBe('REPORT: tides come from the moon\n');
    // The researcher ran first with its own tools; the writer got its answer and ran on its own model.
    expect(sent(server, 0)).toContain('"artifacts"');
    expect(sent(server, 0)).toContain('Research the topic thoroughly');
    expect(server.requests[2]?.body.model).toBe('writer-model');
    expect(sent(server, 2)).toContain('FINDINGS: the moon pulls the water');
    expect(sent(server, 2)).not.toContain('"artifacts"');
    // The sub-agent's artifact is in the run's artifacts directory.
    const runId = result.record?.run_id as string;
    expect(readFileSync(join(dir, '.agentlang', 'artifacts', runId, 'notes.md'), 'utf8')).toBe('moon pulls water');
    const harness = result.record?.harness;
    expect(harness?.sub_agents).toEqual([
      {
        agent: 'researcher',
        parent: 'crew',
        depth: 1,
        model: 'root-model',
        outcome: 'completed',
        turns: 2,
        usage: { input_tokens: 30, output_tokens: 6 },
        tool_calls: { artifacts: 1 },
      },
      {
        agent: 'writer',
        parent: 'crew',
        depth: 1,
        model: 'writer-model',
        outcome: 'completed',
        turns: 1,
        usage: { input_tokens: 30, output_tokens: 6 },
        tool_calls: {},
      },
    ]);
    expect(harness?.usage).toEqual({
      'root-model': { input_tokens: 30, output_tokens: 6 },
      'writer-model': { input_tokens: 30, output_tokens: 6 },
    });
    // The record holds usage, never tasks or answers.
    const stored = readFileSync(result.recordPath as string, 'utf8');
    for (const secret of ['FINDINGS', 'Research the topic', 'tides']) expect(stored).not.toContain(secret);
  });

  it('hierarchical: the agent manages the crew through delegate, and gets the member’s answer as the tool result', async () => {
    const files = {
      'agent.yaml': `name: boss\nversion: 1.0.0\n${model(protocol)}delegate:\n  mode: static\n  process: hierarchical\n  agents:\n    - path: ./writer.yaml\n      task: Write the report\n`,
      'writer.yaml': 'name: writer\ndescription: Writes reports\n',
    };
    const events: AgentEvent[] = [];
    const { server, result, stdout } = await run(
      protocol,
      files,
      [
        { toolCalls: [{ id: 'd1', name: 'delegate', arguments: { agent: 'writer', task: 'Draft it' } }] },
        { text: 'DRAFT' },
        { text: 'Final: DRAFT approved' },
      ],
      { harness: { events: [(e) => events.push(e)] } },
    );
    expect(result.exitCode).toBe(0);
    // The delegation is in the run's event stream, bound to the delegate call, between its call and result.
    const kinds = events.map((e) =>
      e.type.startsWith('delegation.')
        ? `${e.type}:${(e as { agent?: string }).agent}:${(e as { call_id?: string }).call_id}`
        : e.type,
    );
    const start = kinds.indexOf('delegation.start:writer:d1');
    expect(start).toBeGreaterThan(kinds.indexOf('tool.call'));
    expect(kinds.indexOf('delegation.end:writer:d1')).toBeGreaterThan(start);
    expect(kinds.indexOf('tool.result')).toBeGreaterThan(kinds.indexOf('delegation.end:writer:d1'));
    expect(stdout).toBe('Final: DRAFT approved\n');
    expect(sent(server, 0)).toContain('writer: Writes reports — Task: Write the report');
    expect(sent(server, 2)).toContain('DRAFT');
    expect(result.record?.harness?.sub_agents?.map((s) => s.agent)).toEqual(['writer']);
  });
});

describe('dynamic delegation in agentlang run', () => {
  const files = {
    'agent.yaml': `name: orchestrator\nversion: 1.0.0\n${model('openai')}tools:\n  - name: delegate\n    config:\n      mode: dynamic\n      discovery: directory\n      max_depth: 2\ndelegate:\n  permissions:\n    executor: always_ask\n    analyst: session\n`,
    'analyst.yaml': 'name: analyst\ndescription: Market analyst\n',
    'executor.yaml': 'name: executor\ndescription: Runs code\n',
  };

  it('the specialist’s answer returns as the tool result; an unknown name is refused to the model; always_ask is denied under --approve none', async () => {
    const { server, result, stderr } = await run(
      'openai',
      { ...files, 'agent.yaml': files['agent.yaml'].replace('    analyst: session\n', '') },
      [
        {
          toolCalls: [
            { id: 'x1', name: 'delegate', arguments: { agent: 'nobody', task: 't' } },
            { id: 'x2', name: 'delegate', arguments: { agent: 'executor', task: 'rm -rf /' } },
            { id: 'x3', name: 'delegate', arguments: { agent: 'analyst', task: 'Size it' } },
          ],
        },
        { text: 'MARKET: 4 billion' },
        { text: 'It is 4 billion.' },
      ],
      { harness: { approval: { policy: 'none' } } },
    );
    expect(result.exitCode, stderr).toBe(0);
    const offered = server.requests[0]?.body.tools as Array<{
      function: { name: string; description: string; parameters: { properties: { agent: { enum: string[] } } } };
    }>;
    const delegate = offered.find((t) => t.function.name === 'delegate');
    if (!delegate) throw new Error('delegate was not offered');
    expect(delegate.function.parameters.properties.agent.enum.sort()).toEqual(['analyst', 'executor']);
    expect(delegate.function.description).toContain('analyst: Market analyst');
    const results = Object.fromEntries(
      (server.requests[2]!.body.messages as Array<{ role: string; tool_call_id?: string; content: string }>)
        .filter((m) => m.role === 'tool')
        .map((m) => [m.tool_call_id, m.content]),
    );
    expect(results.x1).toContain('no specialist named \\"nobody\\"');
    expect(JSON.parse(results.x2 as string)).toEqual({
      error: { kind: 'denied', message: 'the approval policy denies every call' },
    });
    expect(results.x3).toBe('MARKET: 4 billion');
    expect(server.requests).toHaveLength(3);
    expect(result.record?.harness?.sub_agents?.map((s) => s.agent)).toEqual(['analyst']);
    expect(result.record?.harness?.usage).toEqual({ 'root-model': { input_tokens: 30, output_tokens: 15 } });
  });

  it('session: asked once over the JSONL channel, then the same specialist runs again without asking', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const asked: Array<{ tool: string; arguments: unknown }> = [];
    createInterface({ input: output }).on('line', (line) => {
      const request = JSON.parse(line);
      asked.push({ tool: request.tool, arguments: request.arguments });
      input.write(`${JSON.stringify({ type: 'approval', call_id: request.call_id, approved: true })}\n`);
    });
    const { result } = await run(
      'openai',
      files,
      [
        { toolCalls: [{ id: 's1', name: 'delegate', arguments: { agent: 'analyst', task: 'first' } }] },
        { text: 'one' },
        { toolCalls: [{ id: 's2', name: 'delegate', arguments: { agent: 'analyst', task: 'second' } }] },
        { text: 'two' },
        { text: 'done' },
      ],
      { harness: { approval: { jsonl: { input, output } } } },
    );
    input.end();
    expect(result.exitCode).toBe(0);
    expect(asked).toEqual([{ tool: 'delegate', arguments: { agent: 'analyst', task: 'first' } }]);
    expect(result.record?.harness?.sub_agents?.map((s) => s.agent)).toEqual(['analyst', 'analyst']);
  });

  it('a bare delegate.agents list (no mode: static, no process) offers the listed agents through delegate; the agent answers', async () => {
    const { server, result, stdout } = await run(
      'openai',
      {
        'agent.yaml': `name: lead\nversion: 1.0.0\n${model('openai')}delegate:\n  agents:\n    - ./analyst.yaml\n  max_depth: 3\n`,
        'analyst.yaml': files['analyst.yaml'],
      },
      [
        { toolCalls: [{ id: 'b1', name: 'delegate', arguments: { agent: 'analyst', task: 'Size it' } }] },
        { text: 'MARKET: 4 billion' },
        { text: 'Lead: 4 billion' },
      ],
    );
    expect(result.exitCode).toBe(0);
    expect(stdout).toBe('Lead: 4 billion\n');
    expect(sent(server, 2)).toContain('MARKET: 4 billion');
  });

  it('a parallel crew never runs more members at once than the cap', async () => {
    const members = ['a', 'b', 'c', 'd'];
    const crew = {
      'agent.yaml': `name: par\nversion: 1.0.0\n${model('openai')}delegate:\n  mode: static\n  process: parallel\n  agents:\n${members.map((m) => `    - ./${m}.yaml\n`).join('')}`,
      ...Object.fromEntries(members.map((m) => [`${m}.yaml`, `name: ${m}\ndescription: member ${m}\n`])),
    };
    const { server, result } = await run(
      'openai',
      crew,
      members.map((m) => ({ text: `part ${m}`, delayMs: 30 })),
      { env: { AGENTLANG_CREW_CONCURRENCY: '2' } },
    );
    expect(result.exitCode).toBe(0);
    expect(server.maxInFlight()).toBe(2);
    expect(result.record?.harness?.sub_agents).toHaveLength(4);
  });
});
