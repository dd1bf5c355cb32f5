import { readdirSync, readFileSync } from 'node:fs';
import { runSandboxed } from './run-sandboxed.js';
import type { IsolationPolicy } from './policy.js';
import type { IsolationBackend, SandboxCommand, SandboxResult } from './types.js';

/** Test helper: runs a command and collects its output. */
export async function capture(
  backend: IsolationBackend,
  policy: IsolationPolicy,
  command: Partial<SandboxCommand> & { argv: string[] },
  options: { input?: string; signal?: AbortSignal } = {},
): Promise<SandboxResult & { stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const result = await runSandboxed(
    policy,
    { env: {}, ...command },
    {
      backend,
      stdio: ['ignore', 'pipe', 'pipe'],
      onStdout: (c) => {
        stdout += c.toString();
      },
      onStderr: (c) => {
        stderr += c.toString();
      },
      input: options.input,
      signal: options.signal,
    },
  );
  return { ...result, stdout, stderr };
}

/** Test helper: host pids whose argv satisfies `match`. */
export function hostPids(match: (argv: string[]) => boolean): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').slice(0, -1);
      if (match(argv)) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
