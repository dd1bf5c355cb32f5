import type { DependencySpec } from '@agentlang/manifest';
import type { ResolvedDependency } from './plan.js';
import type { ProbeAgent, ProbeExecutor } from './probe-executor.js';

/** Options of {@link checkDependencies}. */
export interface CheckDependenciesOptions {
  /** Runs each check (inside the agent's sandbox); without one nothing runs and every check is `not run`. */
  executor?: ProbeExecutor;
  /** The agent the checks belong to (its policy applies to them). */
  agent: ProbeAgent;
  /** Per check (default 10000 ms); a check that runs longer counts as missing. */
  timeoutMs?: number;
  /** OS key used to pick the install command (default `process.platform`). */
  platform?: string;
}

/** Outcome of one check, with the reason for `--verbose`. */
export interface DependencyOutcome {
  dependency: ResolvedDependency;
  decision: string;
}

async function runCheck(
  dep: DependencySpec,
  executor: ProbeExecutor,
  options: CheckDependenciesOptions,
): Promise<{ ok: boolean; why: string }> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let started: Awaited<ReturnType<ProbeExecutor['start']>>;
  try {
    started = await executor.start({
      kind: 'dependency-check',
      label: `dependency ${dep.name}`,
      argv: ['/bin/sh', '-c', dep.check],
      env: {},
      secrets: {},
      agent: options.agent,
      timeoutMs,
      stdio: 'ignore',
    });
  } catch (error) {
    // The executor's own refusal (no sandbox, a policy it cannot enforce) is not a missing dependency.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ENOENT') throw error;
    return { ok: false, why: (error as Error).message };
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const end = await Promise.race([started.exited, timedOut]);
    if (end === 'timeout') return { ok: false, why: `timed out after ${timeoutMs} ms` };
    return { ok: end.exitCode === 0, why: end.signal ? `killed by ${end.signal}` : `exit status ${end.exitCode}` };
  } finally {
    clearTimeout(timer);
    await started.stop();
  }
}

/** Install hint for this OS: `linux`, then aliases (`darwin`↔`macos`, `win32`↔`windows`). */
export function installHintFor(install: Record<string, string>, platform: string): string | undefined {
  const aliases: Record<string, string[]> = {
    darwin: ['darwin', 'macos', 'mac'],
    win32: ['win32', 'windows'],
    linux: ['linux'],
  };
  for (const key of aliases[platform] ?? [platform]) if (install[key]) return install[key];
  return undefined;
}

/**
 * Runs every dependency's `check` command as `/bin/sh -c <check>` through the executor (inside the
 * agent's sandbox), concurrently, each with a timeout. A failing check yields `present: false` and
 * the install command for this OS from the manifest. Without an executor nothing runs: every
 * dependency is `checked: false` (resolving is inspection).
 */
export async function checkDependencies(
  deps: readonly DependencySpec[],
  options: CheckDependenciesOptions,
): Promise<DependencyOutcome[]> {
  const platform = options.platform ?? process.platform;
  const executor = options.executor;
  return Promise.all(
    deps.map(async (dep): Promise<DependencyOutcome> => {
      if (!executor) {
        return {
          dependency: { name: dep.name, present: false, checked: false },
          decision: `dependency ${dep.name}: \`${dep.check}\` not run (no probe executor: resolving runs nothing)`,
        };
      }
      const { ok, why } = await runCheck(dep, executor, options);
      if (ok)
        return {
          dependency: { name: dep.name, present: true, checked: true },
          decision: `dependency ${dep.name}: \`${dep.check}\` succeeded (in ${executor.name})`,
        };
      const install = installHintFor(dep.install, platform);
      return {
        dependency: { name: dep.name, present: false, checked: true, ...(install ? { install } : {}) },
        decision: `dependency ${dep.name}: \`${dep.check}\` failed in ${executor.name} (${why})${install ? `; install with \`${install}\`` : `; the manifest gives no install command for ${platform}`}`,
      };
    }),
  );
}
