import { isAbsolute, resolve } from 'node:path';
import { checkHostPattern } from './egress-hosts.js';
import { IsolationError } from './errors.js';
import { DEFAULT_MAX_PROCESSES, DEFAULT_MEMORY_BYTES } from './host-settings.js';
import type { IsolationPolicy } from './policy.js';

/** AgentSpec `trust` as the manifest states it (after inheritance). */
export interface TrustInput {
  filesystem: 'none' | 'read-only' | 'scoped' | 'full';
  network: 'none' | 'scoped' | 'allowed';
  exec: 'none' | 'sandboxed' | 'full';
  /** Paths relative to `ctx.root` (or absolute) granted under `read-only` (read-only) or `scoped` (read-write). */
  scope: readonly string[];
}

/** AgentLang `permissions` as the manifest states them. */
export interface PermissionsInput {
  required: readonly string[];
  optional: readonly string[];
}

/** Host facts a policy needs besides the agent's own declaration. */
export interface PolicyContext {
  /** Absolute host path of the run's working directory (same path inside the sandbox). */
  workdir: string;
  /** Agent root directory: relative `scope` paths resolve against it (default: the workdir). */
  root?: string;
  /** Wall-clock limit in milliseconds (default 600000). */
  timeoutMs?: number;
  /** Names of parent environment variables to pass through (the environment is cleared otherwise). */
  env?: string[];
  /** Fixed, non-secret values set inside the sandbox. */
  setEnv?: Record<string, string>;
  /** Extra host paths bound read-only (e.g. the runtime's install directory outside /usr). */
  readOnly?: string[];
  /** Hosts the agent may reach under `network: scoped` (through the egress proxy). */
  allowedHosts?: string[];
  /** Domains the runtime itself must reach (its model endpoint), through the egress proxy, whatever the agent's network level. */
  runtimeHosts?: string[];
  /** Host-configured name pins for the egress proxy (`parseEgressResolve(env.AGENTLANG_EGRESS_RESOLVE)`). */
  egressResolve?: Record<string, string>;
  /** Per-process limit on private writable memory (RLIMIT_DATA) in bytes; default {@link DEFAULT_MEMORY_BYTES}, null for none. */
  memoryBytes?: number | null;
  /** Maximum number of tasks (processes and threads) in the sandbox; default {@link DEFAULT_MAX_PROCESSES}, null for none. */
  maxProcesses?: number | null;
}

/** Default wall-clock limit: ten minutes. */
export const DEFAULT_TIMEOUT_MS = 600_000;

const FILESYSTEM = ['none', 'read-only', 'scoped', 'full'] as const;
const NETWORK = ['none', 'scoped', 'allowed'] as const;
const EXEC = ['none', 'sandboxed', 'full'] as const;

function checkLevel<T extends string>(axis: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new IsolationError(
      'SANDBOX_INVALID_POLICY',
      `trust.${axis} is "${String(value)}"; expected one of ${allowed.join(', ')}`,
      { details: { axis, found: value, expected: allowed } },
    );
  }
  return value as T;
}

function absolute(label: string, path: string, base: string): string {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new IsolationError(
      'SANDBOX_INVALID_POLICY',
      `${label} has an empty or invalid path: ${JSON.stringify(path)}`,
      {
        details: { path },
      },
    );
  }
  return isAbsolute(path) ? resolve(path) : resolve(base, path);
}

function baseFields(ctx: PolicyContext) {
  if (typeof ctx.workdir !== 'string' || !isAbsolute(ctx.workdir)) {
    throw new IsolationError(
      'SANDBOX_INVALID_POLICY',
      `the workdir must be an absolute host path; found ${JSON.stringify(ctx.workdir)}`,
      { details: { workdir: ctx.workdir } },
    );
  }
  const workdir = resolve(ctx.workdir);
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new IsolationError('SANDBOX_INVALID_POLICY', `timeoutMs must be a positive number; found ${timeoutMs}`, {
      details: { timeoutMs },
    });
  }
  const limits: IsolationPolicy['limits'] = { timeoutMs };
  // Limits are on unless the host configuration turns them off (null): a run never goes unbounded by omission.
  const memoryBytes = ctx.memoryBytes === undefined ? DEFAULT_MEMORY_BYTES : ctx.memoryBytes;
  const maxProcesses = ctx.maxProcesses === undefined ? DEFAULT_MAX_PROCESSES : ctx.maxProcesses;
  if (memoryBytes !== null) limits.memoryBytes = memoryBytes;
  if (maxProcesses !== null) limits.maxProcesses = maxProcesses;
  return {
    workdir,
    readOnly: (ctx.readOnly ?? []).map((p) => absolute('readOnly', p, workdir)),
    env: [...(ctx.env ?? [])],
    setEnv: { ...(ctx.setEnv ?? {}) },
    allowedHosts: unique((ctx.allowedHosts ?? []).map((h) => checkHostPattern(h, 'allowed host'))),
    ...(ctx.runtimeHosts?.length || (ctx.egressResolve && Object.keys(ctx.egressResolve).length)
      ? {
          egress: {
            runtimeHosts: unique((ctx.runtimeHosts ?? []).map((h) => checkHostPattern(h, 'runtime host'))),
            resolve: { ...(ctx.egressResolve ?? {}) },
          },
        }
      : {}),
    limits,
  };
}

/**
 * Derives the sandbox policy from AgentSpec `trust`: `filesystem: none` → only the workdir
 * (read-write), `read-only` → workdir and scope read-only, `scoped` → workdir and scope read-write,
 * `full` → host passthrough; network and exec levels carry over and are enforced by the backend.
 */
export function policyFromTrust(trust: TrustInput, ctx: PolicyContext): IsolationPolicy {
  const filesystem = checkLevel('filesystem', trust.filesystem, FILESYSTEM);
  const network = checkLevel('network', trust.network, NETWORK);
  const exec = checkLevel('exec', trust.exec, EXEC);
  const base = baseFields(ctx);
  const root = ctx.root === undefined ? base.workdir : absolute('root', ctx.root, base.workdir);
  const scope = (trust.scope ?? []).map((p) => absolute('trust.scope', p, root));
  if (filesystem === 'none' && scope.length > 0) {
    throw new IsolationError(
      'SANDBOX_INVALID_POLICY',
      `trust.scope lists ${scope.length} path(s) (${scope.join(', ')}) but trust.filesystem is none, which grants no host paths; use filesystem: read-only or scoped to grant them, or remove scope`,
      { details: { filesystem, scope } },
    );
  }
  const readOnly = [...base.readOnly];
  const readWrite: string[] = [];
  if (filesystem === 'read-only') readOnly.push(base.workdir, ...scope);
  else if (filesystem === 'scoped') readWrite.push(base.workdir, ...scope);
  else readWrite.push(base.workdir);
  return {
    schema: 'agentlang.isolation/v1',
    filesystem: { mode: filesystem, readOnly: unique(readOnly), readWrite: unique(readWrite) },
    workdir: base.workdir,
    network,
    allowedHosts: base.allowedHosts,
    exec,
    env: base.env,
    setEnv: base.setEnv,
    limits: base.limits,
    ...(base.egress ? { egress: base.egress } : {}),
  };
}

/** How each AgentLang capability maps onto the sandbox (see the README table). */
export const CAPABILITY_MAPPING: Record<string, 'filesystem' | 'storage' | 'network' | 'shell' | 'unsupported'> = {
  filesystem: 'filesystem',
  storage: 'storage',
  network: 'network',
  websocket: 'network',
  p2p: 'network',
  shell: 'shell',
  keychain: 'unsupported',
  microphone: 'unsupported',
  camera: 'unsupported',
  screen_capture: 'unsupported',
  location: 'unsupported',
  background: 'unsupported',
  notifications: 'unsupported',
  clipboard: 'unsupported',
  oauth: 'unsupported',
  wallet: 'unsupported',
  signing: 'unsupported',
};

/**
 * Derives the sandbox policy from AgentLang `permissions`: `filesystem` → workdir read-write
 * (mode scoped), `storage` → the workdir persists, `network`/`websocket`/`p2p` → network allowed,
 * `shell` → child processes allowed (exec sandboxed); anything the sandbox cannot provide is
 * refused with `SANDBOX_UNSUPPORTED` when required and withheld when optional.
 */
export function policyFromPermissions(permissions: PermissionsInput | undefined, ctx: PolicyContext): IsolationPolicy {
  const required = [...(permissions?.required ?? [])];
  const optional = [...(permissions?.optional ?? [])];
  const refused = required.filter((c) => (CAPABILITY_MAPPING[c] ?? 'unsupported') === 'unsupported');
  if (refused.length > 0) {
    throw new IsolationError(
      'SANDBOX_UNSUPPORTED',
      `the agent requires ${refused.map((c) => `"${c}"`).join(', ')}, which a sandboxed run cannot provide (this host grants filesystem, storage, network, websocket, p2p, shell); move ${refused.length === 1 ? 'it' : 'them'} to permissions.optional if the agent can work without, or run it on a host that provides ${refused.length === 1 ? 'it' : 'them'}`,
      {
        details: {
          refused,
          supported: Object.keys(CAPABILITY_MAPPING).filter((c) => CAPABILITY_MAPPING[c] !== 'unsupported'),
        },
      },
    );
  }
  const granted = unique(
    [...required, ...optional].filter((c) => (CAPABILITY_MAPPING[c] ?? 'unsupported') !== 'unsupported'),
  );
  const withheld = unique(optional.filter((c) => !granted.includes(c)));
  const kinds = new Set(granted.map((c) => CAPABILITY_MAPPING[c]));
  const policy = policyFromTrust(
    {
      filesystem: kinds.has('filesystem') ? 'scoped' : 'none',
      network: kinds.has('network') ? 'allowed' : 'none',
      exec: kinds.has('shell') ? 'sandboxed' : 'none',
      scope: [],
    },
    ctx,
  );
  policy.capabilities = { granted, withheld };
  return policy;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
