import { spawn } from 'node:child_process';
import type { DependencySpec } from '@agentlang/manifest';
import type { ResolvedDependency } from './plan.js';

/** Options of {@link checkDependencies}. */
export interface CheckDependenciesOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
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

function runCheck(command: string, options: CheckDependenciesOptions): Promise<{ ok: boolean; why: string }> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    // Own process group so a timed-out check is killed with everything it started.
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: options.cwd,
      env: options.env,
      stdio: 'ignore',
      detached: true,
    });
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      resolve({ ok: false, why: `timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, why: error.message });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, why: signal ? `killed by ${signal}` : `exit status ${code}` });
    });
  });
}

/** Install hint for this OS: `linux`, then aliases (`darwin`↔`macos`, `win32`↔`windows`). */
export function installHintFor(install: Record<string, string>, platform: string): string | undefined {
  const aliases: Record<string, string[]> = { darwin: ['darwin', 'macos', 'mac'], win32: ['win32', 'windows'], linux: ['linux'] };
  for (const key of aliases[platform] ?? [platform]) if (install[key]) return install[key];
  return undefined;
}

/**
 * Runs every dependency's `check` command through `/bin/sh -c` concurrently, each with a timeout.
 * A failing check yields `present: false` and the install command for this OS from the manifest.
 */
export async function checkDependencies(deps: readonly DependencySpec[], options: CheckDependenciesOptions): Promise<DependencyOutcome[]> {
  const platform = options.platform ?? process.platform;
  return Promise.all(
    deps.map(async (dep) => {
      const { ok, why } = await runCheck(dep.check, options);
      if (ok) return { dependency: { name: dep.name, present: true }, decision: `dependency ${dep.name}: \`${dep.check}\` succeeded` };
      const install = installHintFor(dep.install, platform);
      return {
        dependency: { name: dep.name, present: false, ...(install ? { install } : {}) },
        decision: `dependency ${dep.name}: \`${dep.check}\` failed (${why})${install ? `; install with \`${install}\`` : `; the manifest gives no install command for ${platform}`}`,
      };
    }),
  );
}
