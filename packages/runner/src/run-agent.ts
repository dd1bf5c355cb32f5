import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import {
  type LockFileContents,
  LockError,
  MAX_LOCK_BYTES,
  assertLockMatches,
  checkLockBeforeProbes,
  driftError,
  lockHostPart,
  parseLockFile,
  portableLockDigest,
} from '@agentlang/lock';
import { type LoadedAgent, loadAgent } from '@agentlang/manifest';
import {
  type ProbeExecutor,
  type ResolveOptions,
  type ResolvedPlan,
  compileSystemPrompt,
  promptTargetFor,
  resolvePlan,
} from '@agentlang/resolver';
import { deriveTask } from './run-input.js';
import { type RunPlanOptions, type RunResult, runPlan } from './run-plan.js';
import { createSandboxProbeExecutor } from './sandbox-probe-executor.js';

/** Options of {@link runAgent}: {@link RunPlanOptions} plus the lock gate and resolver settings. */
export interface RunAgentOptions extends Omit<RunPlanOptions, 'agent' | 'systemPrompt' | 'lock'> {
  /**
   * Check the plan against this lock before anything spawns: its bytes (e.g. `openAgentInput(…).lock`
   * from @agentlang/agent-input, a container's own lock) — never a temporary file.
   */
  lock?: RunLock;
  /** Check the plan against this lock file before anything spawns (read into {@link RunAgentOptions.lock}). */
  lockPath?: string;
  /** Refuse to run unless the lock is a signed envelope that verifies against `publicKeys` (fail closed). */
  requireSigned?: boolean;
  /** Trusted Ed25519 public keys (64 hex); when given, the lock's signature is verified even without `requireSigned`. */
  publicKeys?: string[];
  /** Further resolver options (catalogs, host profile, …); env, runtime, allowEnv and the probe executor come from this object. */
  resolveOptions?: Omit<ResolveOptions, 'env' | 'runtime' | 'allowEnv' | 'probeExecutor'>;
  /** Runs dependency checks and MCP probes (default: {@link createSandboxProbeExecutor}, in the agent's sandbox, with the run's backend). */
  probeExecutor?: ProbeExecutor;
  /** How the agent was named on the command line, for the drift message's `agentlang lock <agent>` hint. */
  agentLabel?: string;
  /** Called with the plan after every check passed (lock, adapter, sandbox policy), just before the agent is launched. */
  onPlan?: (plan: ResolvedPlan) => void;
}

/** A lock given as bytes, with what the caller already verified about it. */
export interface RunLock {
  /** The lock file's exact bytes: a plain lock or a signed envelope. */
  bytes: Uint8Array;
  /** Where it came from, for messages (`agent.lock`, `x.agent:agent.lock`). */
  label?: string;
  /**
   * A signature the caller already verified under a trusted key and which covers these bytes: the
   * lock's own envelope, or the container it came in. Without it, `publicKeys` / `requireSigned`
   * are checked here, on the bytes.
   */
  verified?: { by: 'lock' | 'container'; keyIds: string[] };
}

/** What {@link runAgent} returns: the run's result plus the loaded agent. */
export interface RunAgentResult extends RunResult {
  agent: LoadedAgent;
}

/**
 * Loads, resolves, checks against the lock (drift and signatures — before any subprocess) and runs
 * an agent: the library form of `agentlang run`. `agent` is a path (directory, YAML manifest) or an
 * agent already loaded (e.g. from an opened container).
 */
export async function runAgent(agent: string | LoadedAgent, options: RunAgentOptions = {}): Promise<RunAgentResult> {
  const env = options.env ?? process.env;
  const loaded = typeof agent === 'string' ? await loadAgent(agent) : agent;
  const label = options.agentLabel ?? (typeof agent === 'string' ? agent : loaded.source.entry);
  // Signatures first: a lock that must be signed is verified before the agent is even resolved.
  const given =
    options.lock ??
    (options.lockPath ? readLockBytes(resolvePath(options.cwd ?? process.cwd(), options.lockPath)) : undefined);
  const lockLabel = options.lockPath ?? given?.label ?? 'lock';
  const lockFile = given ? checkLockBytes(given, lockLabel, options) : undefined;
  // The manifest digest is known before resolving, and resolving may start MCP servers and
  // dependency checks: a changed manifest is refused before any of that runs.
  if (lockFile && lockFile.lock.manifest.hash !== loaded.digest) {
    throw driftError(
      [
        {
          kind: 'manifest',
          subject: lockFile.lock.manifest.path,
          locked: lockFile.lock.manifest.hash,
          current: loaded.digest,
          message: `manifest hash ${loaded.digest} does not match lock's recorded hash ${lockFile.lock.manifest.hash}`,
        },
      ],
      { agentPath: label, lockPath: lockLabel },
    );
  }
  const probeExecutor =
    options.probeExecutor ??
    createSandboxProbeExecutor({
      env,
      unsafeNoIsolation: options.unsafeNoIsolation === true,
      ...(options.log ? { log: options.log } : {}),
    });
  const locked = lockFile?.lock;
  const plan = await resolvePlan(loaded, {
    ...options.resolveOptions,
    env,
    probeExecutor,
    ...(options.allowEnv ? { allowEnv: options.allowEnv } : {}),
    ...(options.runtime ? { runtime: options.runtime } : {}),
    // Drift in anything that needs no process is refused before a dependency check or MCP server starts.
    ...(locked
      ? {
          beforeProbe: (draft: ResolvedPlan) => {
            const drifts = checkLockBeforeProbes(locked, draft);
            if (drifts.length > 0) throw driftError(drifts, { agentPath: label, lockPath: lockLabel });
            return options.resolveOptions?.beforeProbe?.(draft);
          },
        }
      : {}),
  });
  if (lockFile) assertLockMatches(lockFile.lock, plan, { agentPath: label, lockPath: lockLabel });
  const systemPrompt = compileSystemPrompt(loaded, promptTargetFor(plan.runtime.name));
  // AgentSpec 0.2.2: without --prompt/--input the task is SOUL.md, else the description
  // (test-echo never reads a task, so it is not given one).
  let userPrompt = options.userPrompt;
  if (userPrompt === undefined && plan.runtime.name !== 'test-echo') {
    const derived = deriveTask(loaded);
    if (derived) {
      userPrompt = derived.task;
      options.log?.(`task: none given; using the agent's ${derived.from} (AgentSpec's rule)`);
    }
  }
  const {
    lock: _k,
    lockPath: _l,
    requireSigned: _r,
    publicKeys: _p,
    resolveOptions: _o,
    agentLabel: _a,
    onPlan: _c,
    probeExecutor: _e,
    ...runOptions
  } = options;
  const result = await runPlan(plan, {
    ...runOptions,
    ...(userPrompt !== undefined ? { userPrompt } : {}),
    agent: loaded,
    ...(options.onPlan ? { onReady: options.onPlan } : {}),
    systemPrompt: systemPrompt === '' ? null : systemPrompt,
    ...(lockFile
      ? {
          lock: {
            digest: `sha256:${createHash('sha256').update(lockFile.bytes).digest('hex')}`,
            signed: lockFile.signed,
            verified: lockFile.verified,
            signature: lockFile.signature,
            keyIds: lockFile.keyids,
            // What the run was checked on (portable) and where the lock was made (host part, re-resolved here).
            portable_digest: portableLockDigest(lockFile.lock),
            host: lockHostPart(lockFile.lock),
          },
        }
      : {}),
  });
  return { ...result, agent: loaded };
}

function readLockBytes(path: string): RunLock {
  // Same reading rules (size cap, LOCK_NOT_FOUND / LOCK_IO) as a lock file everywhere else.
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new LockError(
      missing ? 'LOCK_NOT_FOUND' : 'LOCK_IO',
      missing
        ? `lock file ${path} does not exist; create it with \`agentlang lock <agent>\``
        : `cannot read lock file ${path}: ${(error as Error).message}`,
      {
        cause: error,
        details: { path },
      },
    );
  }
  if (bytes.length > MAX_LOCK_BYTES)
    throw new LockError(
      'LOCK_MALFORMED',
      `${path} is ${bytes.length} bytes; a lock file is at most ${MAX_LOCK_BYTES}`,
      { details: { path } },
    );
  return { bytes, label: path };
}

/** The lock's contents, its signature checked unless the caller already verified one that covers it. */
function checkLockBytes(
  lock: RunLock,
  label: string,
  options: RunAgentOptions,
): LockFileContents & { signature: 'lock' | 'container' | null } {
  if (lock.verified) {
    const parsed = parseLockFile(lock.bytes, { label });
    return { ...parsed, signed: true, verified: true, keyids: [...lock.verified.keyIds], signature: lock.verified.by };
  }
  const parsed = parseLockFile(lock.bytes, {
    label,
    ...(options.publicKeys && options.publicKeys.length > 0 ? { publicKeys: options.publicKeys } : {}),
    ...(options.requireSigned ? { requireSigned: true } : {}),
  });
  return { ...parsed, signature: parsed.signed ? 'lock' : null };
}
