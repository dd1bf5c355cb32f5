import { spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, hermeticEnv, makeTempDir } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../../../packages/harness/test/scripted-server.js';

const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'research-assistant');
const KEY = 'sk-ant-harness-test-secret-0042';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** The real CLI, spawned asynchronously: the scripted model server lives in this process and must keep answering. */
function runCliAsync(args: string[], cwd: string, env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { ...hermeticEnv(), NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

function setup(): string {
  const cwd = makeTempDir();
  cpSync(EXAMPLE, join(cwd, 'research-assistant'), { recursive: true });
  return cwd;
}

function onlyRecord(cwd: string): { text: string; json: Record<string, unknown> } {
  const dir = join(cwd, '.agentlang', 'records');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  const text = readFileSync(join(dir, files[0]!), 'utf8');
  return { text, json: JSON.parse(text) };
}

describe('agentlang run --runtime harness (the built-in loop against a scripted Anthropic Messages server)', () => {
  it('prints the answer once on stdout; the record has usage and outcome, never the prompt or the key', async () => {
    const server = await startScriptedServer([{ text: 'Three sources agree: 42.', usage: { input: 120, output: 9 } }]);
    servers.push(server);
    const cwd = setup();
    const r = await runCliAsync(['run', 'research-assistant', '--runtime', 'harness', '--prompt', 'Find the answer PROMPT-MARKER'], cwd, {
      ANTHROPIC_BASE_URL: server.origin,
      ANTHROPIC_API_KEY: KEY,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Launching harness...\n');
    expect(r.stdout.endsWith('Three sources agree: 42.\n')).toBe(true);
    expect(r.stdout.split('Three sources agree: 42.').length).toBe(2);
    const req = server.requests[0]!;
    expect(req.path).toBe('/v1/messages');
    expect(req.body.model).toBe('claude-sonnet-4');
    expect(req.headers['x-api-key']).toBe(KEY);
    expect(req.body.temperature).toBe(0.7);
    expect(req.body.max_tokens).toBe(8192);
    const { text, json } = onlyRecord(cwd);
    expect(json).toMatchObject({ runtime: 'harness', outcome: 'success', exit_code: 0, harness: { outcome: 'completed', usage: { 'claude-sonnet-4': { input_tokens: 120, output_tokens: 9 } }, tool_calls: {} } });
    expect(json.env).toEqual([]);
    expect(text).not.toContain('PROMPT-MARKER');
    expect(text).not.toContain(KEY);
  });

  it('--json gives { outcome, answer, usage, toolCalls } under harness; a model error exits 4', async () => {
    const server = await startScriptedServer([{ text: 'ok', usage: { input: 3, output: 1 } }, { status: 400, body: '{"type":"error","error":{"type":"invalid_request_error","message":"nope"}}' }]);
    servers.push(server);
    const cwd = setup();
    const env = { ANTHROPIC_BASE_URL: server.origin, ANTHROPIC_API_KEY: KEY };
    const r = await runCliAsync(['run', 'research-assistant', '--runtime', 'harness', '--prompt', 'x', '--json'], cwd, env);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.harness).toEqual({ outcome: 'completed', answer: 'ok', usage: { 'claude-sonnet-4': { input_tokens: 3, output_tokens: 1 } }, toolCalls: {} });
    expect(r.stdout).not.toContain(KEY);
    const bad = await runCliAsync(['run', 'research-assistant', '--runtime', 'harness', '--prompt', 'x'], cwd, env);
    expect(bad.status).toBe(4);
    expect(bad.stderr).toContain('harness:');
  });
});
