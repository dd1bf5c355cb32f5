import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, demoAgentDir, makeTempDir, processesWith, runCli, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

/** A stand-in `ollama` on PATH that prints a marker, then waits on a uniquely named `sleep`: a long-running agent tree. */
function fakeRuntime(): { cwd: string; path: string; marker: string } {
  const marker = `${3000 + Math.floor(Math.random() * 5000)}.${process.pid % 1000}`;
  const cwd = demoAgentDir();
  const bin = writeTree(makeTempDir('agentlang-fake-bin-'), {
    ollama: `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "ollama version is 0.0.0-fake"; exit 0; fi\necho "agent-started"\nsleep ${marker} &\nwait\n`,
  });
  chmodSync(join(bin, 'ollama'), 0o755);
  return { cwd, path: `${bin}:${process.env.PATH}`, marker };
}

/** True while any process on the host still runs `sleep <marker>` (the agent's grandchild). */
function stillRunning(marker: string): boolean {
  return processesWith(`sleep ${marker}`).length > 0;
}

function onlyRecord(cwd: string): Record<string, unknown> {
  const dir = join(cwd, '.agentlang', 'records');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
}

describe('agentlang run: timeouts and host signals', () => {
  it('--timeout kills the agent tree: exit 124 and outcome timeout in the record', () => {
    const { cwd, path, marker } = fakeRuntime();
    const started = Date.now();
    const r = runCli(['run', 'demo.agent', '--runtime', 'ollama', '--prompt', 'hi', '--timeout', '1'], {
      cwd,
      env: { PATH: path },
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.status).toBe(124);
    expect(r.stdout).toContain('Launching ollama...\nagent-started\n');
    expect(onlyRecord(cwd)).toMatchObject({
      outcome: 'timeout',
      exit_code: null,
      runtime: 'ollama',
      runtime_version: 'ollama version is 0.0.0-fake',
    });
    expect(stillRunning(marker)).toBe(false);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the host aborts the agent: exit 130, outcome aborted, record still written`, async () => {
      const { cwd, path, marker } = fakeRuntime();
      const child = spawn(process.execPath, [cliPath, 'run', 'demo.agent', '--runtime', 'ollama', '--prompt', 'hi'], {
        cwd,
        env: { ...process.env, PATH: path },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('agent-started')) child.kill(signal);
      });
      const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      expect(out).toContain('agent-started');
      expect(status).toBe(130);
      expect(onlyRecord(cwd)).toMatchObject({ outcome: 'aborted', runtime: 'ollama' });
      expect(stillRunning(marker)).toBe(false);
    });
  }
});

describe('agentlang run: a reader that goes away', () => {
  it('`agentlang run … | head` closing the pipe does not crash the host before the record is written', async () => {
    const cwd = demoAgentDir();
    const bin = writeTree(makeTempDir('agentlang-fake-bin-'), {
      ollama:
        '#!/bin/sh\n[ "$1" = "--version" ] && exit 1\ni=0\nwhile [ $i -lt 20000 ]; do echo "line $i"; i=$((i+1)); done\n',
    });
    chmodSync(join(bin, 'ollama'), 0o755);
    const child = spawn(process.execPath, [cliPath, 'run', 'demo.agent', '--runtime', 'ollama', '--prompt', 'hi'], {
      cwd,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(stderr).not.toContain('EPIPE');
    expect(status).toBe(0);
    expect(onlyRecord(cwd)).toMatchObject({ outcome: 'success', exit_code: 0 });
  });
});
