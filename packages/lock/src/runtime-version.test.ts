import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAgent } from '@agentlang/manifest';
import { resolvePlan } from '@agentlang/resolver';
import { makeTempDir, rejectedWith, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import {
  checkLock,
  createLock,
  LOCK_SCHEMA_V1,
  LockError,
  lockHostPart,
  lockPlan,
  normalizeLock,
  parseLock,
  portableLockDigest,
  runtimeVersionChange,
  serializeLock,
} from './index.js';
import { demoPlan } from './testing/plans.js';

// An agent that runs on the built-in harness: its lock pins the harness's version (host part), so
// a harness upgrade is visible — reported apart, never a drift.

async function harnessAgent() {
  const dir = writeTree(makeTempDir(), {
    'agent.yaml': 'name: helper\nversion: 1.0.0\nmodels:\n  claude-sonnet-4:\n    provider: anthropic\n',
  });
  const plan = await resolvePlan(await loadAgent(dir), { env: { PATH: '', ANTHROPIC_API_KEY: 'k' } });
  return { dir, plan, lockPath: join(dir, 'agent.lock') };
}

/** The lock file at `path` rewritten (canonically) with `edit` applied to its resolution. */
function rewrite(path: string, edit: (resolved: Record<string, unknown>) => void): void {
  const lock = parseLock(readFileSync(path)) as unknown as { resolved: Record<string, unknown> };
  edit(lock.resolved);
  writeFileSync(path, serializeLock(lock as never));
}

describe('the built-in runtime version in the lock', () => {
  it('a lock made for the harness runtime holds the harness version, right after the runtime', async () => {
    const { plan, lockPath } = await harnessAgent();
    expect(plan.runtime.name).toBe('harness');
    expect(plan.runtime.version).toMatch(/^\d+\.\d+\.\d+/);
    lockPlan(plan, { lockPath, manifestPath: 'agent.yaml', env: {} });
    const text = readFileSync(lockPath, 'utf8');
    const lock = parseLock(text);
    expect(lock.resolved.runtime).toBe('harness');
    expect(lock.resolved.runtime_version).toBe(plan.runtime.version);
    expect(text).toContain(`"runtime": "harness",\n    "runtime_version": "${plan.runtime.version}",\n    "model"`);
    expect(lockHostPart(lock)).toMatchObject({ runtime: 'harness', runtime_version: plan.runtime.version });
    // An external CLI's version is not pinned.
    expect(createLock(demoPlan(), { manifestPath: 'demo.agent' }).resolved).not.toHaveProperty('runtime_version');
  });

  it('a lock made with another harness version still holds (frozen too), and the change is reported apart', async () => {
    const { plan, lockPath } = await harnessAgent();
    lockPlan(plan, { lockPath, manifestPath: 'agent.yaml', env: {} });
    rewrite(lockPath, (r) => {
      r.runtime_version = '0.0.1';
    });
    const locked = parseLock(readFileSync(lockPath));
    expect(checkLock(locked, plan)).toEqual([]);
    const change = runtimeVersionChange(locked, plan);
    expect(change).toEqual({
      runtime: 'harness',
      locked: '0.0.1',
      current: plan.runtime.version,
      message: expect.stringContaining(
        `made with harness 0.0.1; this is harness ${plan.runtime.version} — not a drift`,
      ),
    });
    const before = readFileSync(lockPath);
    const frozen = lockPlan(plan, { lockPath, manifestPath: 'agent.yaml', frozen: true });
    expect(frozen).toMatchObject({ written: false, drifts: [], runtimeVersion: change });
    expect(readFileSync(lockPath)).toEqual(before);
    // Re-locking records the version now, and the report goes away.
    expect(lockPlan(plan, { lockPath, manifestPath: 'agent.yaml', env: {} }).runtimeVersion).toEqual(change);
    expect(lockPlan(plan, { lockPath, manifestPath: 'agent.yaml', env: {} }).runtimeVersion).toBeUndefined();
    // A lock made before versions were pinned says so.
    rewrite(lockPath, (r) => {
      delete r.runtime_version;
    });
    expect(runtimeVersionChange(parseLock(readFileSync(lockPath)), plan)?.locked).toBeNull();
    // Another runtime now (the host part is resolved again): nothing to report.
    expect(
      runtimeVersionChange(locked, { ...plan, runtime: { name: 'claude-code', binary: 'claude', available: false } }),
    ).toBeUndefined();
  });

  it('is host part: the portable digest ignores it; it must be a version, and only in a v2 lock', async () => {
    const { plan } = await harnessAgent();
    const lock = createLock(plan, { manifestPath: 'agent.yaml' });
    const { runtime_version: _dropped, ...withoutResolved } = lock.resolved;
    expect(portableLockDigest(lock)).toBe(portableLockDigest({ ...lock, resolved: withoutResolved }));
    const bad = (value: unknown, base = lock) =>
      rejectedWith(LockError, () => normalizeLock({ ...base, resolved: { ...base.resolved, runtime_version: value } }));
    expect((await bad('latest')).code).toBe('LOCK_MALFORMED');
    expect((await bad(1)).code).toBe('LOCK_MALFORMED');
    const v1Lock = createLock(plan, { manifestPath: 'agent.yaml', schema: LOCK_SCHEMA_V1 });
    expect(v1Lock.resolved).not.toHaveProperty('runtime_version');
    const v1 = await bad('0.1.0', v1Lock);
    expect([v1.code, v1.message]).toEqual([
      'LOCK_MALFORMED',
      expect.stringContaining('unexpected key "runtime_version"'),
    ]);
  });
});
