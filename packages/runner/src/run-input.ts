import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedAgent } from '@agentlang/manifest';
import { RunnerError } from './errors.js';

/**
 * The task text `--input` gives, by one rule: `@path` reads that file (`@-` reads stdin), `-` reads
 * stdin, a value naming an existing regular file (relative to `cwd`) reads it, and anything else is
 * the task text itself (AgentSpec's `--input "…"`). A missing `@path` is RUNNER_INPUT.
 */
export function readRunInput(value: string, options: { cwd?: string; readStdin?: () => string } = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const stdin = options.readStdin ?? (() => readFileSync(0, 'utf8'));
  const readPath = (path: string) => {
    if (path === '-') return stdin();
    try {
      return readFileSync(resolve(cwd, path), 'utf8');
    } catch (error) {
      throw new RunnerError(
        'RUNNER_INPUT',
        `cannot read --input @${path}: ${(error as Error).message}; write --input @FILE for a file, or the task text itself`,
        { details: { input: value }, cause: error },
      );
    }
  };
  if (value.startsWith('@')) return readPath(value.slice(1));
  if (value === '-') return stdin();
  if (value !== '' && !value.includes('\n') && value.length < 4096 && isFile(resolve(cwd, value)))
    return readPath(value);
  return value;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The task an AgentSpec agent runs when none is given (AgentSpec 0.2.2): the agent directory's
 * `SOUL.md`, else the manifest's `description`; undefined for AgentLang agents (they need
 * `--prompt` / `--input`) and when there is neither.
 */
export function deriveTask(agent: LoadedAgent): { task: string; from: 'SOUL.md' | 'description' } | undefined {
  const m = agent.manifest;
  if (m.dialect !== 'agentspec') return undefined;
  const inline = (m as { soul?: unknown }).soul;
  if (typeof inline === 'string' && inline.trim() !== '') return { task: inline.trim(), from: 'SOUL.md' };
  if (agent.source.kind !== 'memory') {
    const soul = join(agent.source.root, 'SOUL.md');
    if (existsSync(soul) && isFile(soul)) {
      const text = readFileSync(soul, 'utf8').trim();
      if (text !== '') return { task: text, from: 'SOUL.md' };
    }
  }
  if (m.description && m.description.trim() !== '') return { task: m.description.trim(), from: 'description' };
  return undefined;
}
