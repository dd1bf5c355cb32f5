import { readFileSync } from 'node:fs';
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

describe('runPlan with the built-in harness runtime', () => {
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
    expect(result.record).toMatchObject({ runtime: 'harness', exit_code: 0, outcome: 'success', harness: { outcome: 'completed', turns: 1, usage: { 'openai/gpt-test': { input_tokens: 11, output_tokens: 5 } }, tool_calls: {} } });
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
