import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { AgentEvent } from '@agentlang/harness';
import { runPlan } from '@agentlang/runner';
import { makeTempDir } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../../harness/test/scripted-server.js';
import { demoPlan, sink } from './plan-fixture.js';

// The harness runtime's event stream, OTLP spans and record/replay, wired through runPlan.

const servers: ScriptedServer[] = [];
let receiver: Server | undefined;
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  receiver = undefined;
});

const PROTOCOLS = {
  openai: {
    model: 'openai/gpt-test',
    provider: 'openai',
    env: (origin: string) => ({ OPENAI_BASE_URL: `${origin}/v1`, OPENAI_API_KEY: 'sk-RUN-KEY' }),
  },
  anthropic: {
    model: 'anthropic/claude-test',
    provider: 'anthropic',
    env: (origin: string) => ({ ANTHROPIC_BASE_URL: origin, ANTHROPIC_API_KEY: 'sk-RUN-KEY' }),
  },
} as const;

const planFor = (p: keyof typeof PROTOCOLS) =>
  demoPlan({
    runtime: { name: 'harness', binary: '', available: true },
    model: PROTOCOLS[p].model,
    models: { [PROTOCOLS[p].model]: { known: false, provider: PROTOCOLS[p].provider } },
    authSource: 'env:KEY',
  });

async function startReceiver(): Promise<{ endpoint: string; names: string[] }> {
  const names: string[] = [];
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }>;
      };
      for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) names.push(...ss.spans.map((s) => s.name));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r));
  return { endpoint: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, names };
}

describe.each(['openai', 'anthropic'] as const)('harness runs over %s', (protocol) => {
  async function run(
    script: ScriptStep[] | undefined,
    env: Record<string, string>,
    options: { events?: AgentEvent[]; prompt?: string; cwd?: string } = {},
  ) {
    let origin = 'http://127.0.0.1:9';
    if (script) {
      const server = await startScriptedServer(script);
      servers.push(server);
      origin = server.origin;
    }
    const out = sink();
    const err = sink();
    const result = await runPlan(planFor(protocol), {
      unsafeNoIsolation: true,
      env: { PATH: process.env.PATH, ...PROTOCOLS[protocol].env(origin), ...env },
      cwd: options.cwd ?? makeTempDir(),
      stdout: out,
      stderr: err,
      userPrompt: options.prompt ?? 'What is six times seven?',
      ...(options.events ? { harness: { events: [(e: AgentEvent) => options.events?.push(e)] } } : {}),
    });
    return { result, out: out.text(), err: err.text() };
  }

  it('streams typed events for the run (run id of the record) and exports its spans to an OTLP/HTTP receiver', async () => {
    const otlp = await startReceiver();
    const events: AgentEvent[] = [];
    const { result, out } = await run(
      [{ text: 'The answer is 42.', usage: { input: 11, output: 5 } }],
      { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint },
      { events },
    );
    expect(out).toBe('The answer is 42.\n');
    expect(result.exitCode).toBe(0);
    const types = events.map((e) => e.type).filter((t) => t !== 'text.delta');
    expect(types).toEqual(['run.start', 'turn.start', 'model.request', 'model.response', 'usage', 'run.end']);
    expect(new Set(events.map((e) => e.run_id))).toEqual(new Set([result.record?.run_id]));
    expect(events[0]).toMatchObject({ type: 'run.start', agent: 'demo', model: PROTOCOLS[protocol].model, protocol });
    expect(events.at(-1)).toMatchObject({ type: 'run.end', outcome: 'completed', input_tokens: 11, output_tokens: 5 });
    expect(JSON.stringify(events)).not.toContain('sk-RUN-KEY');
    expect(otlp.names.sort()).toEqual([`chat ${PROTOCOLS[protocol].model}`, 'invoke_agent demo']);
  });

  it('a run that fails after a turn still reports that turn and its tokens in run.end', async () => {
    const events: AgentEvent[] = [];
    const { result } = await run(
      [
        { toolCalls: [{ id: 'call_x', name: 'no_such_tool', arguments: {} }], usage: { input: 7, output: 3 } },
        { status: 401, body: '{"error":{"message":"bad key"}}' },
      ],
      {},
      { events },
    );
    expect(result.exitCode).not.toBe(0);
    expect(events.at(-1)).toMatchObject({
      type: 'run.end',
      outcome: 'error',
      turns: 2,
      input_tokens: 7,
      output_tokens: 3,
    });
  });

  it('records the model exchanges and replays them without the provider; a changed request fails with a diff', async () => {
    const cwd = makeTempDir();
    const recorded = await run([{ text: 'Forty-two.' }], { AGENTLANG_HARNESS_RECORD: 'exchanges.jsonl' }, { cwd });
    expect(recorded.result.exitCode).toBe(0);
    // No server this time: the answer comes from the recording.
    const replayed = await run(undefined, { AGENTLANG_HARNESS_REPLAY: join(cwd, 'exchanges.jsonl') });
    expect(replayed.out).toBe('Forty-two.\n');
    expect(replayed.result.exitCode).toBe(0);
    const changed = await run(
      undefined,
      { AGENTLANG_HARNESS_REPLAY: join(cwd, 'exchanges.jsonl') },
      { prompt: 'What is seven times six?' },
    );
    expect(changed.result.exitCode).toBe(4);
    expect(changed.err).toContain('replay: model request 1 no longer matches the recording');
    expect(changed.err).toContain('-       "content": "What is six times seven?"');
    expect(changed.err).toContain('+       "content": "What is seven times six?"');
  });
});

describe('record and replay settings', () => {
  it('refuses both at once', async () => {
    const err = sink();
    const result = await runPlan(planFor('openai'), {
      unsafeNoIsolation: true,
      env: {
        PATH: process.env.PATH,
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        AGENTLANG_HARNESS_RECORD: 'a',
        AGENTLANG_HARNESS_REPLAY: 'b',
      },
      cwd: makeTempDir(),
      stderr: err,
      userPrompt: 'x',
    });
    expect(result.exitCode).toBe(4);
    expect(err.text()).toContain('AGENTLANG_HARNESS_RECORD and AGENTLANG_HARNESS_REPLAY are both set');
  });
});
