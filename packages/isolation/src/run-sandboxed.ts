import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { IsolationError } from './errors.js';
import type { IsolationPolicy } from './policy.js';
import type { RunSandboxedOptions, SandboxCommand, SandboxResult } from './types.js';

/**
 * Prepares and runs a command under the backend, enforcing the policy's wall-clock limit by
 * killing the whole process group (bwrap's `--die-with-parent` then tears down its pid namespace),
 * and always cleans up the sandbox's temp files.
 */
export async function runSandboxed(
  policy: IsolationPolicy,
  command: SandboxCommand,
  options: RunSandboxedOptions,
): Promise<SandboxResult> {
  const prepared = options.backend.prepare(policy, command);
  const pipeOut = options.onStdout ? 'pipe' : undefined;
  const pipeErr = options.onStderr ? 'pipe' : undefined;
  const pipeIn = options.input !== undefined ? 'pipe' : undefined;
  const base = options.stdio ?? ['inherit', 'inherit', 'inherit'];
  const stdio = [...prepared.spawnOptions.stdio];
  stdio[0] = pipeIn ?? base[0];
  stdio[1] = pipeOut ?? base[1];
  stdio[2] = pipeErr ?? base[2];
  const started = performance.now();
  try {
    if (options.signal?.aborted) {
      return { exitCode: null, signal: 'SIGKILL', timedOut: false, durationMs: 0, backend: prepared.backend };
    }
    const child: ChildProcess = spawn(prepared.argv[0] as string, prepared.argv.slice(1), {
      ...prepared.spawnOptions,
      detached: true,
      stdio: stdio as StdioOptions,
    });
    let timedOut = false;
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
    const onAbort = () => killTree();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.onStdout) child.stdout?.on('data', options.onStdout);
    if (options.onStderr) child.stderr?.on('data', options.onStderr);
    if (pipeIn && child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
    try {
      const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolveExit, reject) => {
        child.once('error', (error: Error) =>
          reject(
            new IsolationError('SANDBOX_SPAWN_FAILED', `could not start ${prepared.argv[0]}: ${error.message}`, {
              cause: error,
              details: { argv0: prepared.argv[0], backend: prepared.backend },
            }),
          ),
        );
        child.once('exit', (code: number | null, sig: NodeJS.Signals | null) => resolveExit([code, sig]));
      });
      // Whatever the command left behind in its process group dies with it.
      killTree();
      await new Promise<void>((done) => {
        if (child.stdout === null && child.stderr === null) done();
        else child.once('close', () => done());
        setTimeout(done, 2000).unref();
      });
      return { exitCode, signal, timedOut, durationMs: performance.now() - started, backend: prepared.backend };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  } finally {
    await prepared.cleanup();
  }
}
