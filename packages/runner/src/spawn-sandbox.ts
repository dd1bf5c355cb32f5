import { spawn } from 'node:child_process';
import type { IsolationPolicy, PreparedSandbox } from '@agentlang/isolation';
import { RunnerError } from './errors.js';

/** How the sandboxed agent ended. */
export interface SpawnEnd {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
}

/**
 * Spawns a prepared sandbox in its own process group, streams its output, enforces the policy's
 * wall-clock limit and `signal` by killing the whole group, and resolves once the process exited
 * and its pipes are drained ('close' is awaited from the start, so a fast exit never races).
 */
export function spawnPrepared(
  prepared: PreparedSandbox,
  policy: IsolationPolicy,
  options: { onStdout?: (chunk: Buffer) => void; onStderr?: (chunk: Buffer) => void; signal?: AbortSignal; stdin?: string },
): Promise<SpawnEnd> {
  const stdio = [...prepared.spawnOptions.stdio];
  stdio[0] = options.stdin === undefined ? 'ignore' : 'pipe';
  stdio[1] = 'pipe';
  stdio[2] = 'pipe';
  const started = performance.now();
  return new Promise<SpawnEnd>((resolve, reject) => {
    if (options.signal?.aborted) {
      resolve({ exitCode: null, signal: null, timedOut: false, aborted: true, durationMs: 0 });
      return;
    }
    const child = spawn(prepared.argv[0]!, prepared.argv.slice(1), { ...prepared.spawnOptions, detached: true, stdio });
    let timedOut = false;
    let aborted = false;
    const killTree = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, policy.limits.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killTree();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.stdin !== undefined && child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin);
    }
    child.stdout?.on('data', (chunk: Buffer) => options.onStdout?.(chunk));
    child.stderr?.on('data', (chunk: Buffer) => options.onStderr?.(chunk));
    let exited: [number | null, string | null] | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      if (drainTimer) clearTimeout(drainTimer);
      options.signal?.removeEventListener('abort', onAbort);
      const [exitCode, signal] = exited ?? [null, null];
      resolve({ exitCode, signal, timedOut, aborted, durationMs: performance.now() - started });
    };
    child.once('error', (error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(new RunnerError('RUNNER_SPAWN', `could not start ${prepared.argv[0]}: ${error.message}`, { argv0: prepared.argv[0] }, { cause: error }));
    });
    child.once('exit', (code, sig) => {
      exited = [code, sig];
      // Whatever the agent left behind in its process group dies with it; a grandchild holding
      // the pipes open cannot keep the run alive longer than a short drain.
      killTree();
      drainTimer = setTimeout(finish, 2000);
    });
    child.once('close', (code, sig) => {
      exited ??= [code, sig];
      finish();
    });
  });
}
