import { chmodSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { demoAgentDir, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

/** A stand-in `ollama` that prints its arguments and the message it reads from stdin (`ollama run <model> --nowordwrap`). */
function setup(): { cwd: string; env: Record<string, string> } {
  const cwd = demoAgentDir({ 'question.txt': 'PROMPT-FROM-FILE\n' });
  const bin = writeTree(makeTempDir('agentlang-fake-bin-'), { ollama: '#!/bin/sh\n[ "$1" = "--version" ] && exit 1\nprintf "%s|%s|%s|" "$1" "$2" "$3"\ncat\necho\n' });
  chmodSync(join(bin, 'ollama'), 0o755);
  return { cwd, env: { PATH: `${bin}:${process.env.PATH}` } };
}

function recordText(cwd: string): string {
  const dir = join(cwd, '.agentlang', 'records');
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

describe('agentlang run: the user prompt reaches the runtime and never the record', () => {
  it('--prompt, --input FILE and --input - (stdin) reach the runtime (on its stdin, after the system prompt)', () => {
    const { cwd, env } = setup();
    const a = runCli(['run', 'demo.agent', '--runtime', 'ollama', '--prompt', 'PROMPT-FROM-FLAG'], { cwd, env });
    expect(a.status).toBe(0);
    expect(a.stdout).toContain('run|test-echo/demo|--nowordwrap|## persona\nYou are a demo agent.\n\nPROMPT-FROM-FLAG\n');
    const b = runCli(['run', 'demo.agent', '--runtime', 'ollama', '--input', 'question.txt'], { cwd, env });
    expect(b.stdout).toContain('\n\nPROMPT-FROM-FILE\n');
    const c = runCli(['run', 'demo.agent', '--runtime', 'ollama', '--input', '-'], { cwd, env, input: 'PROMPT-FROM-STDIN' });
    expect(c.stdout).toContain('\n\nPROMPT-FROM-STDIN\n');
    const records = recordText(cwd);
    expect(records).not.toMatch(/PROMPT-FROM|demo-agent|persona/);
    expect(records.match(/"runtime": "ollama"/g)).toHaveLength(3);
  });

  it('an LLM runtime without a prompt, or an unreadable --input, is refused before anything starts (exit 15)', () => {
    const { cwd, env } = setup();
    const none = runCli(['run', 'demo.agent', '--runtime', 'ollama'], { cwd, env });
    expect(none.status).toBe(15);
    expect(none.stderr).toContain('--prompt');
    const missing = runCli(['run', 'demo.agent', '--runtime', 'ollama', '--input', 'nope.txt', '--json'], { cwd, env });
    expect(missing.status).toBe(15);
    expect(JSON.parse(missing.stdout).error.code).toBe('RUNNER_INPUT');
    expect(() => readdirSync(join(cwd, '.agentlang', 'records'))).toThrow();
  });
});
