import { readFileSync } from 'node:fs';
import { HARNESS_VERSION } from '@agentlang/harness';
import { runPlan } from '@agentlang/runner';
import { makeTempDir } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../../harness/test/scripted-server.js';
import { demoPlan, sink } from './plan-fixture.js';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const harnessPlan = () =>
  demoPlan({
    runtime: { name: 'harness', binary: '', available: true },
    model: 'openai/gpt-test',
    models: { 'openai/gpt-test': { known: false, provider: 'openai' } },
    authSource: 'env:OPENAI_API_KEY',
  });

/** A plan whose model has a price: 1000 USD per million tokens each way, so 1000 tokens cost 1 USD. */
const pricedPlan = () =>
  demoPlan({
    runtime: { name: 'harness', binary: '', available: true },
    model: 'openai/gpt-test',
    models: {
      'openai/gpt-test': { known: true, provider: 'openai', price: { inputPerMTok: 1000, outputPerMTok: 1000 } },
    },
    authSource: 'env:OPENAI_API_KEY',
  });

describe('runPlan with the built-in harness runtime', () => {
  it('the cost budget: once the run has spent AGENTLANG_HARNESS_MAX_COST_USD it ends with outcome budget before the next model request', async () => {
    // The first answer costs 0.6 USD and asks for a tool: a run without the budget would ask the model again.
    const server = await startScriptedServer([
      { toolCalls: [{ id: 'c1', name: 'nothing_here', arguments: {} }], usage: { input: 400, output: 200 } },
      { text: 'never sent', usage: { input: 1, output: 1 } },
    ]);
    servers.push(server);
    const result = await runPlan(pricedPlan(), {
      unsafeNoIsolation: true,
      env: { PATH: process.env.PATH, OPENAI_BASE_URL: `${server.origin}/v1`, AGENTLANG_HARNESS_MAX_COST_USD: '0.5' },
      cwd: makeTempDir(),
      stdout: sink(),
      stderr: sink(),
      userPrompt: 'spend',
    });
    expect(server.requests).toHaveLength(1);
    expect(result.harness).toMatchObject({ outcome: 'budget', turns: 1 });
    expect(result.harness?.costUsd).toBeCloseTo(0.6, 10);
    expect(result.exitCode).toBe(3);
    expect(result.record?.harness).toMatchObject({
      outcome: 'budget',
      usage: { 'openai/gpt-test': { input_tokens: 400, output_tokens: 200 } },
    });
    expect(result.record?.harness?.cost_usd).toBeCloseTo(0.6, 10);

    // Under the budget the same script runs to its answer, and the record still says what it cost.
    const again = await startScriptedServer([
      { toolCalls: [{ id: 'c1', name: 'nothing_here', arguments: {} }], usage: { input: 400, output: 200 } },
      { text: 'done', usage: { input: 1, output: 1 } },
    ]);
    servers.push(again);
    const under = await runPlan(pricedPlan(), {
      unsafeNoIsolation: true,
      env: { PATH: process.env.PATH, OPENAI_BASE_URL: `${again.origin}/v1`, AGENTLANG_HARNESS_MAX_COST_USD: '5' },
      cwd: makeTempDir(),
      stdout: sink(),
      stderr: sink(),
      userPrompt: 'spend',
    });
    expect(again.requests).toHaveLength(2);
    expect(under.harness?.outcome).toBe('completed');
    expect(under.record?.harness?.cost_usd).toBeCloseTo(0.602, 10);
  });

  it('a cost budget is refused when it cannot be measured (no price) or is not a positive amount; no model request is made', async () => {
    const server = await startScriptedServer([{ text: 'never sent' }]);
    servers.push(server);
    const attempt = async (plan: ReturnType<typeof demoPlan>, budget: string) => {
      const err = sink();
      const result = await runPlan(plan, {
        unsafeNoIsolation: true,
        env: { PATH: process.env.PATH, OPENAI_BASE_URL: `${server.origin}/v1`, AGENTLANG_HARNESS_MAX_COST_USD: budget },
        cwd: makeTempDir(),
        stdout: sink(),
        stderr: err,
        userPrompt: 'hi',
      });
      return { result, stderr: err.text() };
    };
    const unpriced = await attempt(harnessPlan(), '1');
    expect(unpriced.result.exitCode).toBe(4);
    expect(unpriced.stderr).toContain('no price is known for openai/gpt-test');
    for (const bad of ['0', '-1', 'abc', '1e3', 'Infinity']) {
      const r = await attempt(pricedPlan(), bad);
      expect([bad, r.result.exitCode]).toEqual([bad, 4]);
      expect(r.stderr).toContain('AGENTLANG_HARNESS_MAX_COST_USD must be a positive number of US dollars');
    }
    expect(server.requests).toHaveLength(0);
  });

  it('runs the loop in-process against an OpenAI-protocol server; the record has usage and outcome, no prompt or key', async () => {
    const server = await startScriptedServer([{ text: 'The answer is 42.', usage: { input: 11, output: 5 } }]);
    servers.push(server);
    const cwd = makeTempDir();
    const out = sink();
    const err = sink();
    const key = 'sk-test-secret-key-123';
    const result = await runPlan(harnessPlan(), {
      unsafeNoIsolation: true,
      env: { PATH: process.env.PATH, OPENAI_BASE_URL: `${server.origin}/v1`, OPENAI_API_KEY: key },
      cwd,
      stdout: out,
      stderr: err,
      systemPrompt: 'You are terse.',
      userPrompt: 'What is six times seven? PROMPT-MARKER',
    });
    expect(out.text()).toBe('The answer is 42.\n');
    expect(result.exitCode).toBe(0);
    expect(result.outcome).toBe('success');
    expect(server.requests[0]!.path).toBe('/v1/chat/completions');
    expect(server.requests[0]!.body.model).toBe('gpt-test');
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${key}`);
    expect(JSON.stringify(server.requests[0]!.body)).toContain('You are terse.');
    expect(result.record).toMatchObject({
      runtime: 'harness',
      runtime_version: HARNESS_VERSION,
      exit_code: 0,
      outcome: 'success',
      harness: {
        outcome: 'completed',
        turns: 1,
        usage: { 'openai/gpt-test': { input_tokens: 11, output_tokens: 5 } },
        tool_calls: {},
      },
    });
    const onDisk = readFileSync(result.recordPath!, 'utf8');
    expect(onDisk).not.toContain('PROMPT-MARKER');
    expect(onDisk).not.toContain('You are terse.');
    expect(onDisk).not.toContain(key);
  });

  it('a model error exits 4 and is recorded as model_error', async () => {
    const server = await startScriptedServer([{ status: 401, body: '{"error":{"message":"bad key"}}' }]);
    servers.push(server);
    const cwd = makeTempDir();
    const err = sink();
    const result = await runPlan(harnessPlan(), {
      unsafeNoIsolation: true,
      env: { PATH: process.env.PATH, OPENAI_BASE_URL: `${server.origin}/v1` },
      cwd,
      stderr: err,
      userPrompt: 'hi',
    });
    expect(result.exitCode).toBe(4);
    expect(result.outcome).toBe('failure');
    expect(result.record?.harness?.outcome).toBe('model_error');
    expect(err.text()).toContain('harness:');
  });
});
