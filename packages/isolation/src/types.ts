import type { SpawnOptions } from 'node:child_process';
import type { IsolationPolicy } from './policy.js';

/** Names of the sandbox backends. */
export type BackendName = 'bwrap' | 'noether' | 'none';

/** What to run inside the sandbox. */
export interface SandboxCommand {
  /** Program and arguments as seen inside the sandbox; argv[0] is looked up on the sandbox PATH. */
  argv: string[];
  /** Non-secret environment values set inside the sandbox (added to the policy's env). */
  env: Record<string, string>;
  /** Secret values: delivered through a file descriptor into a private tmpfs file, NEVER on argv. */
  secrets?: Record<string, string>;
  /** Working directory inside the sandbox (defaults to the policy workdir). */
  cwd?: string;
  /** Files created inside the sandbox before the command starts (absolute paths inside the sandbox). */
  files?: Array<{ path: string; content: string | Uint8Array }>;
}

/** A sandbox ready to spawn: `spawn(argv[0], argv.slice(1), spawnOptions)`, then `cleanup()`. */
export interface PreparedSandbox {
  /** The backend that will actually enforce the policy (after any fallback). */
  backend: BackendName;
  /** The full spawn argv (program first). */
  argv: string[];
  /** The same argv with secret values and file contents replaced by `<redacted>`, for `--dry-run`. */
  redactedArgv: string[];
  /** Options for `child_process.spawn`: env, cwd, `detached` (own process group) and the extra fds (3, 4, …) the argv refers to. Override `stdio[0..2]` only. */
  spawnOptions: SpawnOptions & { stdio: Array<'inherit' | 'ignore' | 'pipe' | number> };
  /** Closes the descriptors and removes the temp files the sandbox needed. Safe to call twice. */
  cleanup(): Promise<void>;
}

/** A sandbox implementation. */
export interface IsolationBackend {
  /** Which backend this is. */
  name: BackendName;
  /** Turns a policy and a command into a spawnable argv; throws `SANDBOX_UNSUPPORTED` for a policy it cannot enforce. */
  prepare(policy: IsolationPolicy, command: SandboxCommand): PreparedSandbox;
}

/** How a sandboxed run ended. */
export interface SandboxResult {
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  /** The signal that killed the process, or null. */
  signal: string | null;
  /** True when the wall-clock limit passed and the process tree was killed. */
  timedOut: boolean;
  /** True when the caller's abort signal killed the process tree. */
  aborted: boolean;
  /** Wall time from spawn to exit in milliseconds. */
  durationMs: number;
  /** The backend that actually ran the command. */
  backend: BackendName;
}

/** Options of {@link runSandboxed}. */
export interface RunSandboxedOptions {
  /** The backend to run with (from `selectBackend`). */
  backend: IsolationBackend;
  /** stdio for fds 0..2 (default `['ignore', 'pipe', 'pipe']` when callbacks are given, else `'inherit'`). */
  stdio?: ['inherit' | 'ignore' | 'pipe', 'inherit' | 'ignore' | 'pipe', 'inherit' | 'ignore' | 'pipe'];
  /** Receives stdout chunks (implies a pipe). */
  onStdout?: (chunk: Buffer) => void;
  /** Receives stderr chunks (implies a pipe). */
  onStderr?: (chunk: Buffer) => void;
  /** Aborting kills the whole process tree. */
  signal?: AbortSignal;
  /** Bytes written to the command's stdin (implies a pipe), then stdin is closed. */
  input?: string | Uint8Array;
}
