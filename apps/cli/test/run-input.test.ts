import { chmodSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { demoAgentDir, makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

/** A stand-in `ollama` that prints its arguments and the message it reads from stdin (`ollama run <model> --nowordwrap`). */
function setup(): { cwd: string; env: Record<string, string> } {
  const cwd = demoAgentDir({ 'question.txt': 'PROMPT-FROM-FILE\n' });
  const bin = writeTree(makeTempDir('agentlang-fake-bin-'), {
    ollama: '#!/bin/sh\n[ "$1" = "--version" ] && exit 1\nprintf "%s|%s|%s|" "$1" "$2" "$3"\ncat\necho\n',
  });
  chmodSync(join(bin, 'ollama'), 0o755);
  return { cwd, env: { PATH: `${bin}:${process.env.PATH}` } };
}

function recordText(cwd: string): string {
  const dir = join(cwd, '.agentlang', 'records');
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

describe('agentlang run: the user prompt reaches the runtime and never the record', () => {
  it('--prompt, --input FILE and --input - (stdin) reach the runtime (on its stdin, after the system prompt)', () => {
    const { cwd, env } = setup();
    const a = runCli(['run', 'demo.agent', '--runtime', 'ollama', '--prompt', 'PROMPT-FROM-FLAG'], { cwd, env });
    expect(a.status).toBe(0);
    expect(a.stdout).toContain(
      'run|test-echo/demo|--nowordwrap|## persona\nYou are a demo agent.\n\nPROMPT-FROM-FLAG\n',
    );
    const b = runCli(['run', 'demo.agent', '--runtime', 'ollama', '--input', 'question.txt'], { cwd, env });
    expect(b.stdout).toContain('\n\nPROMPT-FROM-FILE\n');
    const c = runCli(['run', 'demo.agent', '--runtime', 'ollama', '--input', '-'], {
      cwd,
      env,
      input: 'PROMPT-FROM-STDIN',
    });
    expect(c.stdout).toContain('\n\nPROMPT-FROM-STDIN\n');
    const records = recordText(cwd);
    expect(records).not.toMatch(/PROMPT-FROM|demo-agent|persona/);
    expect(records.match(/"runtime": "ollama"/g)).toHaveLength(3);
  });

  it('--input takes text as AgentSpec does; @FILE reads a file (issue 14 §2)', () => {
    const { cwd, env } = setup();
    const text = runCli(['run', 'demo.agent', '--runtime', 'ollama', '--input', 'Summarise the repo'], { cwd, env });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('\n\nSummarise the repo\n');
    const at = runCli(['run', 'demo.agent', '--runtime', 'ollama', '--input', '@question.txt'], { cwd, env });
    expect(at.stdout).toContain('\n\nPROMPT-FROM-FILE\n');
  });

  it('without --prompt/--input an AgentSpec agent runs its SOUL.md, else its description (AgentSpec 0.2.2)', () => {
    const { env } = setup();
    const manifest =
      'apiVersion: agent/v1\nname: souled\nversion: 0.1.0\ndescription: "Describe the weather"\nruntime: ollama\nmodel:\n  preferred:\n    - local/llama3.2\ntrust:\n  exec: full\n';
    const withSoul = writeTree(makeTempDir('agentlang-soul-'), {
      'agent.yaml': manifest,
      'SOUL.md': '# Researcher\nYou are SOUL-TASK.\n',
    });
    const a = runCli(['run', '.'], { cwd: withSoul, env });
    expect(a.status).toBe(0);
    expect(a.stdout).toContain('You are SOUL-TASK.');
    expect(a.stderr).toContain("using the agent's SOUL.md");
    const noSoul = writeTree(makeTempDir('agentlang-soul-'), { 'agent.yaml': manifest });
    const b = runCli(['run', '.'], { cwd: noSoul, env });
    expect(b.status).toBe(0);
    expect(b.stdout).toContain('run|llama3.2|--nowordwrap|Describe the weather\n');
  });

  it('an LLM runtime without a prompt, or an unreadable --input, is refused before anything starts (exit 15)', () => {
    const { cwd, env } = setup();
    const agentlang = writeTree(makeTempDir('agentlang-nodesc-'), {
      'agent.yaml': 'name: plain\nversion: 0.1.0\ndescription: An AgentLang agent\nmodels:\n  llama3.2: {}\n',
    });
    const none = runCli(['run', '.', '--runtime', 'ollama'], { cwd: agentlang, env });
    expect(none.status).toBe(15);
    expect(none.stderr).toContain('--prompt');
    const missing = runCli(['run', 'demo.agent', '--runtime', 'ollama', '--input', '@nope.txt', '--json'], {
      cwd,
      env,
    });
    expect(missing.status).toBe(15);
    expect(JSON.parse(missing.stdout).error.code).toBe('RUNNER_INPUT');
    expect(() => readdirSync(join(cwd, '.agentlang', 'records'))).toThrow();
  });
});
