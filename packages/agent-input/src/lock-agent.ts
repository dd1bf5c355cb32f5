import { dirname, join, relative, resolve, sep } from 'node:path';
import type { LockPlanOptions, LockResult } from '@agentlang/lock';
import type { LoadedAgent, LoadOptions } from '@agentlang/manifest';
import type { ResolvedPlan, ResolveOptions } from '@agentlang/resolver';

/** Options of {@link lockAgent}. */
export interface LockAgentOptions extends Omit<LockPlanOptions, 'lockPath' | 'manifestPath'> {
  /** Where the lock goes (default `lockPathFor` the agent path). */
  lockPath?: string;
  /** `manifest.path` to record (default: the manifest file relative to the lock's directory). */
  manifestPath?: string;
  /** Passed to @agentlang/resolver's resolvePlan (MCP servers are probed unless `probeMcp: false`). */
  resolve?: ResolveOptions;
  /** Passed to @agentlang/manifest's loadAgent (e.g. `resolveBase` for a registry `base:`). */
  load?: LoadOptions;
}

/** What `lockPlan` did, plus the plan that was locked. */
export interface LockAgentResult extends LockResult {
  plan: ResolvedPlan;
}

/**
 * Loads an agent (directory or YAML file; or takes one already loaded, e.g. from a verified
 * container, with `lockPath`), resolves it against this host, and pins the plan with
 * `@agentlang/lock`'s `lockPlan`. What `agentlang lock` does, as a library call. Frozen, a missing
 * lock or drift in anything that needs no process is refused in the resolver's `beforeProbe` hook,
 * before any dependency check or MCP server starts.
 */
export async function lockAgent(
  agentPath: string | LoadedAgent,
  options: LockAgentOptions = {},
): Promise<LockAgentResult> {
  // Imported lazily, like the rest of this package's lock use: `validate` bundles agent-input
  // without @agentlang/lock, the resolver or the MCP SDK.
  const [{ loadAgent }, { resolvePlan }, { checkLockFileBeforeProbes, LockError, lockPathFor, lockPlan }] =
    await Promise.all([import('@agentlang/manifest'), import('@agentlang/resolver'), import('@agentlang/lock')]);
  const agent = typeof agentPath === 'string' ? await loadAgent(agentPath, options.load) : agentPath;
  if (typeof agentPath !== 'string' && options.lockPath === undefined) {
    throw new LockError('LOCK_IO', `no lock path for the loaded agent ${agent.manifest.name}: pass lockPath`, {
      details: { agent: agent.manifest.name },
    });
  }
  const lockPath = options.lockPath ?? lockPathFor(agentPath as string);
  const frozen = options.frozen ?? (options.env ?? process.env).CI === 'true';
  const probeLabel = options.agentPath ?? (typeof agentPath === 'string' ? agentPath : agent.source.entry);
  const beforeProbe = frozen
    ? (draft: ResolvedPlan) => {
        checkLockFileBeforeProbes(draft, { lockPath, agentPath: probeLabel });
        return options.resolve?.beforeProbe?.(draft);
      }
    : options.resolve?.beforeProbe;
  const plan = await resolvePlan(agent, {
    ...(options.env && { env: options.env }),
    ...options.resolve,
    ...(beforeProbe && { beforeProbe }),
  });
  const manifestFile =
    agent.source.kind === 'memory' ? agent.source.entry : join(agent.source.root, agent.source.entry);
  const manifestPath =
    options.manifestPath ??
    relative(dirname(resolve(lockPath)), resolve(manifestFile))
      .split(sep)
      .join('/');
  const label = options.agentPath ?? (typeof agentPath === 'string' ? agentPath : manifestPath);
  const { resolve: _resolve, load: _load, ...planOptions } = options;
  const result = lockPlan(plan, { ...planOptions, lockPath, manifestPath, agentPath: label });
  return { ...result, plan };
}
