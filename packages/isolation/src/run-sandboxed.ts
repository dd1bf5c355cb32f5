import { type StdioOptions, spawn } from 'node:child_process';
import { killProcessGroup } from '@agentlang/utils';
import { IsolationError } from './errors.js';
import type { IsolationPolicy } from './policy.js';
import type { PreparedSandbox, RunSandboxedOptions, SandboxCommand, SandboxResult } from './types.js';

/** How long the pipes may stay open after the command exited (a grandchild holding them). */
const DRAIN_MS = 2000;

/**
 * Spawns an already prepared sandbox in its own process group, streams its output, enforces the
 * policy's wall-clock limit and the abort signal by killing the whole group, and resolves once the
 * command exited and its pipes drained. 'close' is awaited from the start, so a fast exit never
 * races it. The caller owns `prepared.cleanup()`.
 */
export function spawnPrepared(
  prepared: PreparedSandbox,
  policy: IsolationPolicy,
  options: Omit<RunSandboxedOptions, 'backend'> = {},
): Promise<SandboxResult> {
  const base = options.stdio ?? ['inherit', 'inherit', 'inherit'];
  const stdio = [...prepared.spawnOptions.stdio];
  stdio[0] = options.input !== undefined ? 'pipe' : base[0];
  stdio[1] = options.onStdout ? 'pipe' : base[1];
  stdio[2] = options.onStderr ? 'pipe' : base[2];
  // process.hrtime, not performance.now(): the `performance` global loads perf_hooks (11 modules) on first use.
  const started = process.hrtime.bigint();
  const backend = prepared.backend;
  return new Promise<SandboxResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      resolve({ exitCode: null, signal: null, timedOut: false, aborted: true, durationMs: 0, backend });
      return;
    }
    const child = spawn(prepared.argv[0] as string, prepared.argv.slice(1), {
      ...prepared.spawnOptions,
      detached: true,
      stdio: stdio as StdioOptions,
    });
    let timedOut = false;
    let aborted = false;
    const killTree = () => killProcessGroup(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, policy.limits.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killTree();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.onStdout) child.stdout?.on('data', options.onStdout);
    if (options.onStderr) child.stderr?.on('data', options.onStderr);
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
    let exited: [number | null, string | null] | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const release = () => {
      clearTimeout(timer);
      if (drainTimer) clearTimeout(drainTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const finish = () => {
      release();
      const [exitCode, signal] = exited ?? [null, null];
      resolve({
        exitCode,
        signal,
        timedOut,
        aborted,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        backend,
      });
    };
    child.once('error', (error: Error) => {
      release();
      reject(
        new IsolationError('SANDBOX_SPAWN_FAILED', `could not start ${prepared.argv[0]}: ${error.message}`, {
          cause: error,
          details: { argv0: prepared.argv[0], backend },
        }),
      );
    });
    child.once('exit', (code, sig) => {
      exited = [code, sig];
      // Whatever the command left behind in its process group dies with it; a grandchild holding
      // the pipes open cannot keep the run alive longer than a short drain.
      killTree();
      drainTimer = setTimeout(finish, DRAIN_MS);
    });
    child.once('close', (code, sig) => {
      exited ??= [code, sig];
      finish();
    });
  });
}

/**
 * Prepares and runs a command under the backend (see {@link spawnPrepared}) and always cleans up
 * the sandbox's temp files.
 */
export async function runSandboxed(
  policy: IsolationPolicy,
  command: SandboxCommand,
  options: RunSandboxedOptions,
): Promise<SandboxResult> {
  const prepared = options.backend.prepare(policy, command);
  try {
    return await spawnPrepared(prepared, policy, options);
  } finally {
    await prepared.cleanup();
  }
}
