import { createHash } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { assertLockMatches, driftError, lockHostPart, portableLockDigest, readLockFile } from '@agentlang/lock';
import { type LoadedAgent, loadAgent } from '@agentlang/manifest';
import { type ResolveOptions, type ResolvedPlan, compileSystemPrompt, promptTargetFor, resolvePlan } from '@agentlang/resolver';
import { type RunPlanOptions, type RunResult, runPlan } from './run-plan.js';

/** Options of {@link runAgent}: {@link RunPlanOptions} plus the lock gate and resolver settings. */
export interface RunAgentOptions extends Omit<RunPlanOptions, 'agent' | 'systemPrompt' | 'lock'> {
  /** Check the plan against this lock file before anything spawns. */
  lockPath?: string;
  /** Refuse to run unless the lock is a signed envelope that verifies against `publicKeys` (fail closed). */
  requireSigned?: boolean;
  /** Trusted Ed25519 public keys (64 hex); when given, the lock's signature is verified even without `requireSigned`. */
  publicKeys?: string[];
  /** Further resolver options (catalogs, host profile, …); env and runtime come from this object. */
  resolveOptions?: Omit<ResolveOptions, 'env' | 'runtime'>;
  /** How the agent was named on the command line, for the drift message's `agentlang lock <agent>` hint. */
  agentLabel?: string;
  /** Called with the plan after every check passed (lock, adapter, sandbox policy), just before the agent is launched. */
  onPlan?: (plan: ResolvedPlan) => void;
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
  const lockFile = options.lockPath
    ? readLockFile(resolvePath(options.cwd ?? process.cwd(), options.lockPath), {
        ...(options.publicKeys && options.publicKeys.length > 0 ? { publicKeys: options.publicKeys } : {}),
        ...(options.requireSigned ? { requireSigned: true } : {}),
      })
    : undefined;
  // The manifest digest is known before resolving, and resolving may start MCP servers and
  // dependency checks: a changed manifest is refused before any of that runs.
  if (lockFile && options.lockPath && lockFile.lock.manifest.hash !== loaded.digest) {
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
      { agentPath: label, lockPath: options.lockPath },
    );
  }
  const plan = await resolvePlan(loaded, {
    ...options.resolveOptions,
    env,
    ...(options.runtime ? { runtime: options.runtime } : {}),
  });
  if (lockFile && options.lockPath) assertLockMatches(lockFile.lock, plan, { agentPath: label, lockPath: options.lockPath });
  const systemPrompt = compileSystemPrompt(loaded, promptTargetFor(plan.runtime.name));
  const { lockPath: _l, requireSigned: _r, publicKeys: _p, resolveOptions: _o, agentLabel: _a, onPlan: _c, ...runOptions } = options;
  const result = await runPlan(plan, {
    ...runOptions,
    agent: loaded,
    ...(options.onPlan ? { onReady: options.onPlan } : {}),
    systemPrompt: systemPrompt === '' ? null : systemPrompt,
    ...(lockFile
      ? {
          lock: {
            digest: `sha256:${createHash('sha256').update(lockFile.bytes).digest('hex')}`,
            signed: lockFile.signed,
            verified: lockFile.verified,
            // What the run was checked on (portable) and where the lock was made (host part, re-resolved here).
            portable_digest: portableLockDigest(lockFile.lock),
            host: lockHostPart(lockFile.lock),
          },
        }
      : {}),
  });
  return { ...result, agent: loaded };
}
