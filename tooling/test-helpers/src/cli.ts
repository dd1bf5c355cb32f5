import { spawn, spawnSync } from 'node:child_process';
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

/**
 * The parent environment without what changes the CLI's behaviour: `CI` (which makes `lock` and
 * `build` frozen) and every `AGENTLANG_*` (and AgentSpec's `AGENTSPEC_*`) variable. A test sets what it means in `env`, so the suite
 * behaves the same on a laptop and under CI.
 */
export function hermeticEnv(): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => key !== 'CI' && !key.startsWith('AGENTLANG_') && !key.startsWith('AGENTSPEC_'),
    ),
  );
}

/** Runs the built `agentlang` CLI synchronously with the given arguments (in a {@link hermeticEnv}). */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {},
): CliResult {
  if (!existsSync(cliPath)) throw new Error(`CLI not built: ${cliPath} is missing; run \`pnpm build\` first`);
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: { ...hermeticEnv(), NO_COLOR: '1', ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs the built `agentlang` CLI asynchronously (in a {@link hermeticEnv}): for tests whose servers
 * (a scripted model, an API) live in the test's own process and must keep answering while it runs.
 */
export function runCliAsync(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  if (!existsSync(cliPath)) throw new Error(`CLI not built: ${cliPath} is missing; run \`pnpm build\` first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd,
      env: { ...hermeticEnv(), NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

function assignment(stdout: string, name: string): string {
  const value = new RegExp(`^${name}=(\\S+)$`, 'm').exec(stdout)?.[1];
  if (!value) throw new Error(`agentlang keygen printed no ${name}=…: ${JSON.stringify(stdout)}`);
  return value;
}

/** Runs `agentlang keygen` and returns the Ed25519 pair: `priv` (AGENTLANG_SIGNING_KEY) and `pub` (AGENTLANG_PUBKEY), 64 hex each. */
export function cliKeygen(options: { cwd?: string; env?: Record<string, string | undefined> } = {}): {
  priv: string;
  pub: string;
} {
  const r = runCli(['keygen'], options);
  if (r.status !== 0) throw new Error(`agentlang keygen exited ${r.status}: ${r.stderr}`);
  const priv = assignment(r.stdout, 'AGENTLANG_SIGNING_KEY');
  const pub = assignment(r.stdout, 'AGENTLANG_PUBKEY');
  if (!/^[0-9a-f]{64}$/.test(priv) || !/^[0-9a-f]{64}$/.test(pub))
    throw new Error(`agentlang keygen printed keys that are not 64 hex: ${r.stdout}`);
  return { priv, pub };
}

/** Runs `agentlang keygen --x25519` and returns `identity` (AGENTLANG_IDENTITY) and `recipient` (AGENTLANG_RECIPIENT). */
export function cliKeygenX25519(options: { cwd?: string; env?: Record<string, string | undefined> } = {}): {
  identity: string;
  recipient: string;
} {
  const r = runCli(['keygen', '--x25519'], options);
  if (r.status !== 0) throw new Error(`agentlang keygen --x25519 exited ${r.status}: ${r.stderr}`);
  return {
    identity: assignment(r.stdout, 'AGENTLANG_IDENTITY'),
    recipient: assignment(r.stdout, 'AGENTLANG_RECIPIENT'),
  };
}
