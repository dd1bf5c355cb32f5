import { createHash } from 'node:crypto';
import type { Lockfile } from './lock-schema.js';
import { normalizeLock } from './validate-lock.js';

/** The host part of a lock: where it was made. Resolved again wherever the agent runs; never a drift. */
export interface LockHostPart {
  runtime: string;
  /** The built-in runtime's version (v2 locks made for `harness`). */
  runtime_version?: string;
  model: string | null;
  auth_source: string;
  os: string;
  arch: string;
}

/** The host part of a lock (runtime and a built-in runtime's version, chosen model, auth source, host). */
export function lockHostPart(lock: Lockfile): LockHostPart {
  const r = normalizeLock(lock).resolved;
  return {
    runtime: r.runtime,
    ...(r.runtime_version !== undefined && { runtime_version: r.runtime_version }),
    model: r.model,
    auth_source: r.auth_source,
    os: r.host.os,
    arch: r.host.arch,
  };
}

/**
 * The portable part of a lock — what drift is checked on: manifest digest, files, tools (without
 * the host-local `source`), system prompt digests, models, sub-agents, MCP servers. For a v1 lock,
 * which pins its runtime, the runtime and model are part of it.
 */
export function lockPortablePart(lock: Lockfile): Record<string, unknown> {
  const l = normalizeLock(lock);
  const r = l.resolved;
  return {
    schema: l.schema,
    manifest: { hash: l.manifest.hash, name: l.manifest.name, version: l.manifest.version },
    files: l.files,
    ...(l.schema === 'agentlang.lock/v1'
      ? { runtime: r.runtime, model: r.model, system_prompt_sha256: r.system_prompt_sha256 }
      : { system_prompts: r.system_prompts ?? {} }),
    tools: r.tools.map((t) => ({ name: t.name, version: t.version, constraint: t.constraint, integrity: t.integrity })),
    models: r.models,
    agents: r.agents,
    mcp_servers: r.mcp_servers,
  };
}

/**
 * `sha256:<hex>` of the portable part (its JSON in the lock's canonical key order): two locks
 * made on different hosts for the same agent have the same portable digest. Execution records carry it.
 */
export function portableLockDigest(lock: Lockfile): string {
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(lockPortablePart(lock)))
    .digest('hex')}`;
}
