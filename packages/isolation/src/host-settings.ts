import { IsolationError } from './errors.js';

/**
 * Default per-process limit on private writable memory (RLIMIT_DATA): 2 GiB. A node runtime
 * (claude-code, gemini-cli) starts, fetches over TLS and runs workers in under 256 MiB of it, and
 * V8's own heap ceiling is of the same order; 2 GiB leaves several times that. RLIMIT_AS would be
 * the wrong tool: V8 reserves address space it never touches (WebAssembly guard regions: node's
 * `fetch` needs more than 8 GiB of address space, measured), so an address-space limit a node
 * runtime survives would let a 3 GiB allocation through.
 */
export const DEFAULT_MEMORY_BYTES = 2 * 1024 ** 3;

/**
 * Default limit on tasks (processes and threads) in one sandbox: 512. A node runtime is a dozen
 * to twenty threads, its MCP servers as many each, and tools (ripgrep, git, a shell) a few more;
 * 512 is an order of magnitude above a busy run and far below a fork bomb's reach.
 */
export const DEFAULT_MAX_PROCESSES = 512;

/** The unprivileged id the sandbox runs as when the host process is root (unless `AGENTLANG_SANDBOX_USER` says otherwise). */
export const NOBODY_ID = 65534;

/** Host configuration of the sandbox, from the environment (see {@link sandboxSettingsFromEnv}). */
export interface SandboxSettings {
  /** RLIMIT_DATA in bytes; null = no limit; undefined = the default. */
  memoryBytes?: number | null;
  /** Task limit; null = no limit; undefined = the default. */
  maxProcesses?: number | null;
  /** Host uid/gid the sandbox runs as when this process is root (uid 0 = stay root: an explicit opt-out). */
  user?: { uid: number; gid: number };
}

const UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

function invalid(name: string, value: string, expected: string): IsolationError {
  return new IsolationError('SANDBOX_INVALID_POLICY', `${name} is ${JSON.stringify(value)}; expected ${expected}`, {
    details: { variable: name, found: value, expected },
  });
}

/** Parses `2GiB`, `512MiB`, `1073741824` or `unlimited` (null). */
export function parseMemorySize(name: string, value: string): number | null {
  const text = value.trim().toLowerCase();
  if (text === 'unlimited') return null;
  const match = /^(\d+)\s*([a-z]*)$/.exec(text);
  const unit = match ? UNITS[match[2] as string] : undefined;
  const bytes = match && unit !== undefined ? Number(match[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1024 * 1024) {
    throw invalid(name, value, 'a size of at least 1MiB such as 2GiB or 512MiB, or unlimited');
  }
  return bytes;
}

/**
 * Reads the host's sandbox configuration: `AGENTLANG_SANDBOX_MEMORY` (`4GiB`, `unlimited`),
 * `AGENTLANG_SANDBOX_MAX_PROCESSES` (`1024`, `unlimited`) and `AGENTLANG_SANDBOX_USER` (`uid[:gid]`,
 * read only when running as root). Unset variables leave the defaults; malformed ones are refused.
 */
export function sandboxSettingsFromEnv(env: Record<string, string | undefined>): SandboxSettings {
  const settings: SandboxSettings = {};
  const memory = env.AGENTLANG_SANDBOX_MEMORY;
  if (memory !== undefined && memory.trim() !== '')
    settings.memoryBytes = parseMemorySize('AGENTLANG_SANDBOX_MEMORY', memory);
  const processes = env.AGENTLANG_SANDBOX_MAX_PROCESSES;
  if (processes !== undefined && processes.trim() !== '') {
    const text = processes.trim().toLowerCase();
    if (text === 'unlimited') settings.maxProcesses = null;
    else if (/^\d+$/.test(text) && Number(text) >= 1 && Number.isSafeInteger(Number(text)))
      settings.maxProcesses = Number(text);
    else throw invalid('AGENTLANG_SANDBOX_MAX_PROCESSES', processes, 'a positive integer such as 1024, or unlimited');
  }
  const user = env.AGENTLANG_SANDBOX_USER;
  if (user !== undefined && user.trim() !== '') {
    const match = /^(\d+)(?::(\d+))?$/.exec(user.trim());
    const uid = match ? Number(match[1]) : Number.NaN;
    const gid = match ? Number(match[2] ?? match[1]) : Number.NaN;
    if (!Number.isSafeInteger(uid) || !Number.isSafeInteger(gid) || uid > 0xfffffffe || gid > 0xfffffffe) {
      throw invalid(
        'AGENTLANG_SANDBOX_USER',
        user,
        'a numeric uid or uid:gid such as 65534:65534 (0 keeps host root, which is weaker)',
      );
    }
    settings.user = { uid, gid };
  }
  return settings;
}

/**
 * The host uid/gid a sandbox started by this process runs as, or undefined when it keeps this
 * process's identity (not root, or `AGENTLANG_SANDBOX_USER=0`). A caller that makes a scratch
 * directory for the sandbox to write in gives it to this identity (`chown`), or the sandbox cannot
 * reach it.
 */
export function sandboxHostIdentity(env: Record<string, string | undefined>): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = sandboxSettingsFromEnv(env).user;
  if (user) return user.uid === 0 ? undefined : user;
  return { uid: NOBODY_ID, gid: NOBODY_ID };
}
