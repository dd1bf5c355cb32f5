import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@agentlang/signing';
import { type RuntimeAdapter, listRecords, runPlan, verifyRecordEnvelope } from '@agentlang/runner';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { demoPlan, sink } from './plan-fixture.js';

/** A test adapter that runs `sh -c <script>`; secrets named in `secretEnv` are passed. */
function shAdapter(name: string, script: string, secretEnv: string[] = []): RuntimeAdapter {
  return {
    name,
    binary: 'sh',
    description: 'test shell',
    secretEnv,
    versionArgs: null,
    buildInvocation(input) {
      const secrets: Record<string, string> = {};
      for (const k of secretEnv) if (input.env[k]) secrets[k] = input.env[k]!;
      return { argv: ['/bin/sh', '-c', script, 'agent', input.userPrompt ?? ''], env: {}, secrets, files: [] };
    },
  };
}

const unsafe = { unsafeNoIsolation: true, env: { PATH: process.env.PATH } };

describe('runPlan (explicit --unsafe-no-isolation backend)', () => {
  it('runs test-echo, streams its output, and writes an agentlang.record/v1 record', async () => {
    const cwd = makeTempDir();
    const out = sink();
    const result = await runPlan(demoPlan(), { ...unsafe, cwd, stdout: out });
    expect(out.text()).toBe('[test-echo] demo@0.1.0\n');
    expect(result.exitCode).toBe(0);
    expect(result.outcome).toBe('success');
    const record = result.record!;
    expect(result.recordPath).toBe(join(cwd, '.agentlang', 'records', `${record.run_id}.json`));
    expect(record).toMatchObject({
      schema: 'agentlang.record/v1',
      agent: { name: 'demo', version: '0.1.0', hash: `ag1:${'ab'.repeat(32)}` },
      lock: null,
      runtime: 'test-echo',
      model: 'test-echo/demo',
      exit_code: 0,
      outcome: 'success',
      isolation: { backend: 'none' },
      host: { os: 'linux', arch: process.arch === 'x64' ? 'x86_64' : process.arch },
    });
    expect(record.runtime_version).toMatch(/echo/);
    expect(record.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(listRecords(join(cwd, '.agentlang', 'records'))).toEqual([record]);
  });

  it('propagates the agent exit code and records a failure', async () => {
    const cwd = makeTempDir();
    const result = await runPlan(demoPlan(), {
      ...unsafe,
      cwd,
      runtime: 'exit7',
      adapters: [shAdapter('exit7', 'exit 7')],
    });
    expect(result.exitCode).toBe(7);
    expect(result.record).toMatchObject({ exit_code: 7, outcome: 'failure', runtime: 'exit7' });
  });

  it('kills the agent at the timeout and records outcome timeout (exit 124)', async () => {
    const cwd = makeTempDir();
    const started = Date.now();
    const result = await runPlan(demoPlan(), {
      ...unsafe,
      cwd,
      timeoutMs: 300,
      runtime: 'sleeper',
      adapters: [shAdapter('sleeper', 'sleep 30 & sleep 30; wait')],
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.exitCode).toBe(124);
    expect(result.record).toMatchObject({ outcome: 'timeout', exit_code: null, signal: 'SIGKILL' });
  });

  it('records aborted when the host aborts the run (SIGINT/SIGTERM path)', async () => {
    const cwd = makeTempDir();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runPlan(demoPlan(), {
      ...unsafe,
      cwd,
      signal: controller.signal,
      runtime: 'sleeper',
      adapters: [shAdapter('sleeper', 'sleep 30')],
    });
    expect(result.exitCode).toBe(130);
    expect(result.record).toMatchObject({ outcome: 'aborted' });
  });

  it('keeps the prompt, the output and secrets out of the record (and its signed envelope)', async () => {
    const cwd = makeTempDir();
    const keys = generateSigningKeyPair();
    const out = sink();
    const result = await runPlan(demoPlan(), {
      cwd,
      unsafeNoIsolation: true,
      env: { PATH: process.env.PATH, ANTHROPIC_API_KEY: 'sk-ant-TOPSECRET-1234' },
      userPrompt: 'PROMPT-PRIVATE-TEXT',
      systemPrompt: 'SYSTEM-PRIVATE-TEXT',
      runtime: 'leaky',
      adapters: [shAdapter('leaky', 'echo "OUTPUT-PRIVATE-$ANTHROPIC_API_KEY-$1"', ['ANTHROPIC_API_KEY'])],
      stdout: out,
      signingKey: keys.privateKey,
    });
    expect(out.text()).toBe('OUTPUT-PRIVATE-sk-ant-TOPSECRET-1234-PROMPT-PRIVATE-TEXT\n');
    const dir = join(cwd, '.agentlang', 'records');
    const files = readdirSync(dir);
    expect(files.sort()).toEqual([`${result.record!.run_id}.dsse.json`, `${result.record!.run_id}.json`]);
    for (const file of files) {
      const raw = readFileSync(join(dir, file), 'utf8');
      const decoded = file.endsWith('.dsse.json')
        ? Buffer.from(JSON.parse(raw).payload, 'base64').toString('utf8')
        : raw;
      for (const text of [raw, decoded]) {
        expect(text).not.toContain('TOPSECRET');
        expect(text).not.toContain('PRIVATE');
      }
    }
    const envelope = JSON.parse(readFileSync(join(dir, `${result.record!.run_id}.dsse.json`), 'utf8'));
    expect(verifyRecordEnvelope(envelope, [keys.publicKey])).toEqual(result.record);
  });

  it('--dry-run spawns nothing, writes no record and returns the argv with secrets redacted', async () => {
    const cwd = makeTempDir();
    const result = await runPlan(demoPlan(), {
      ...unsafe,
      cwd,
      dryRun: true,
      runtime: 'marker',
      adapters: [shAdapter('marker', 'touch spawned')],
    });
    expect(result.outcome).toBe('dry-run');
    expect(result.record).toBeNull();
    expect(result.sandbox.redactedArgv).toEqual(['/bin/sh', '-c', 'touch spawned', 'agent', '']);
    expect(existsSync(join(cwd, 'spawned'))).toBe(false);
    expect(existsSync(join(cwd, '.agentlang'))).toBe(false);
  });

  it('refuses a plan whose runtime binary is missing, before spawning', async () => {
    const cwd = makeTempDir();
    const plan = demoPlan({ runtime: { name: 'test-echo', binary: 'echo', available: false } });
    await expect(runPlan(plan, { ...unsafe, cwd })).rejects.toMatchObject({ code: 'RUNNER_RUNTIME_MISSING' });
    const blocked = demoPlan({ missing: ['dependency trivy is not installed'] });
    await expect(runPlan(blocked, { ...unsafe, cwd })).rejects.toMatchObject({ code: 'RUNNER_PLAN_BLOCKED' });
    expect(existsSync(join(cwd, '.agentlang', 'records'))).toBe(false);
  });
});
