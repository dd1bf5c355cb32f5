import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the bundled CLI (`apps/cli/dist/agentlang.js`). */
export const cliPath = join(dirname(fileURLToPath(import.meta.url)), '../../../apps/cli/dist/agentlang.js');

/** What one CLI invocation printed and how it exited. */
export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `agentlang` CLI synchronously with the given arguments. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {},
): CliResult {
  if (!existsSync(cliPath)) throw new Error(`CLI not built: ${cliPath} is missing; run \`pnpm build\` first`);
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
