import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { absolutePathEntries } from '@agentlang/utils';
import { assertBinaryOutsideGrants, assertReachable, sandboxIdentity } from './bwrap-backend.js';
import { egressAllowlist } from './egress-policy.js';
import { IsolationError } from './errors.js';
import type { IsolationPolicy } from './policy.js';
import { buildEnvironment, checkCommand } from './sandbox-env.js';
import type { IsolationBackend, PreparedSandbox, SandboxCommand } from './types.js';

/** Options of {@link createNoetherBackend}. */
export interface NoetherBackendOptions {
  /** Absolute path of `noether-sandbox`. */
  noetherPath: string;
  /** The backend used for policies noether cannot express (undefined when bwrap is missing too). */
  fallback?: () => IsolationBackend;
  /** Debug log sink for fallbacks. */
  log?: (line: string) => void;
  /** Host uid/gid noether-sandbox runs as when this process is root (as for bwrap: `AGENTLANG_SANDBOX_USER`). */
  sandboxUser?: { uid: number; gid: number };
}

/** The policy file handed to `noether-sandbox --policy-file` (version 1 of our wire format). */
export interface NoetherPolicyFile {
  version: 1;
  source: 'agentlang.isolation/v1';
  filesystem: { mode: 'none' | 'read-only' | 'scoped'; read_only: string[]; read_write: string[] };
  workdir: string;
  network: 'none' | 'allowed';
  exec: 'none' | 'sandboxed' | 'full';
  /** The complete non-secret environment; everything else is cleared. */
  env: Record<string, string>;
  /** Names of variables noether passes from its own environment (the secrets; never on argv or in this file). */
  env_passthrough: string[];
  limits: { timeout_ms: number; memory_bytes?: number; max_processes?: number };
}

/** Why noether cannot express a policy/command, or undefined when it can. */
export function noetherCannotExpress(policy: IsolationPolicy, command: SandboxCommand): string | undefined {
  if (policy.filesystem.mode === 'full') return 'filesystem: full (host passthrough)';
  if (policy.network === 'scoped') return 'network: scoped (host allow-lists)';
  if (egressAllowlist(policy)) return "egress through the host-side proxy (the runtime's endpoint)";
  if (command.files && command.files.length > 0) return 'files created inside the sandbox';
  return undefined;
}

/** Serialises a policy and command to the noether wire format. */
export function toNoetherPolicy(policy: IsolationPolicy, command: SandboxCommand): NoetherPolicyFile {
  const limits: NoetherPolicyFile['limits'] = { timeout_ms: policy.limits.timeoutMs };
  if (policy.limits.memoryBytes !== undefined) limits.memory_bytes = policy.limits.memoryBytes;
  if (policy.limits.maxProcesses !== undefined) limits.max_processes = policy.limits.maxProcesses;
  return {
    version: 1,
    source: 'agentlang.isolation/v1',
    filesystem: {
      mode: policy.filesystem.mode as 'none' | 'read-only' | 'scoped',
      read_only: [...policy.filesystem.readOnly],
      read_write: [...policy.filesystem.readWrite],
    },
    workdir: policy.workdir,
    network: policy.network as 'none' | 'allowed',
    exec: policy.exec,
    env: buildEnvironment(policy, command),
    env_passthrough: Object.keys(command.secrets ?? {}),
    limits,
  };
}

/**
 * Delegates to `noether-sandbox --policy-file <json> --isolate=bwrap --require-isolation -- argv`;
 * a policy noether cannot express goes to the bwrap fallback with a debug log.
 */
export function createNoetherBackend(options: NoetherBackendOptions): IsolationBackend {
  return {
    name: 'noether',
    prepare(policy: IsolationPolicy, command: SandboxCommand): PreparedSandbox {
      checkCommand(command);
      const reason = noetherCannotExpress(policy, command);
      if (reason) {
        if (!options.fallback) {
          throw new IsolationError(
            'SANDBOX_UNAVAILABLE',
            `noether-sandbox cannot express ${reason} and bubblewrap, the fallback, is not installed; install it (\`apt-get install bubblewrap\`) or pass --unsafe-no-isolation to run without isolation`,
            { details: { backend: 'noether', reason } },
          );
        }
        options.log?.(`isolation: noether-sandbox cannot express ${reason}; falling back to the bwrap backend`);
        return options.fallback().prepare(policy, command);
      }
      assertBinaryOutsideGrants(options.noetherPath, policy);
      // As for bwrap: a root caller never hands the sandbox host uid 0.
      const identity = process.getuid?.() === 0 ? sandboxIdentity(policy, options.sandboxUser) : undefined;
      if (identity) assertReachable(policy, command.cwd, identity);
      const dir = mkdtempSync(join(tmpdir(), 'agentlang-noether-'));
      const policyFile = join(dir, 'policy.json');
      try {
        writeFileSync(policyFile, `${JSON.stringify(toNoetherPolicy(policy, command), null, 2)}\n`, { mode: 0o600 });
        if (identity) {
          chownSync(dir, identity.uid, identity.gid);
          chownSync(policyFile, identity.uid, identity.gid);
        }
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        throw new IsolationError(
          'SANDBOX_PREPARE_FAILED',
          `could not write the noether policy file ${policyFile}: ${(error as Error).message}`,
          {
            cause: error,
            details: { policyFile },
          },
        );
      }
      const argv = [
        options.noetherPath,
        '--policy-file',
        policyFile,
        '--isolate=bwrap',
        '--require-isolation',
        '--',
        ...command.argv,
      ];
      return {
        backend: 'noether',
        argv,
        redactedArgv: [...argv],
        spawnOptions: {
          cwd: command.cwd ?? policy.workdir,
          // Absolute PATH entries only: noether-sandbox looks bwrap up on it, and a relative entry could reach an agent's workdir.
          env: { PATH: absolutePath(process.env.PATH), ...(command.secrets ?? {}) },
          detached: true,
          stdio: ['inherit', 'inherit', 'inherit'],
          ...(identity ? { uid: identity.uid, gid: identity.gid } : {}),
        },
        async cleanup() {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** The absolute entries of a PATH value (relative and empty ones resolve against the current directory). */
function absolutePath(value: string | undefined): string {
  const entries = absolutePathEntries(value);
  return entries.length > 0 ? entries.join(delimiter) : '/usr/bin:/bin';
}
