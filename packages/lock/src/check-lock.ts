import type { ResolvedPlan } from '@agentlang/resolver';
import { createLock } from './create-lock.js';
import { LockError } from './errors.js';
import { LOCK_SCHEMA, LOCK_SCHEMA_V1, type Lockfile } from './lock-schema.js';
import { normalizeLock } from './validate-lock.js';

/** What kind of thing drifted. */
export type LockDriftKind =
  | 'manifest'
  | 'file'
  | 'prompt'
  | 'runtime'
  | 'model'
  | 'tool'
  | 'agent'
  | 'model-capabilities'
  | 'mcp-server';

/** One difference between a lock and the agent as it resolves now. */
export interface LockDrift {
  kind: LockDriftKind;
  /** What drifted: the manifest path, a file path, a tool name, `Server/tool`, a model id. */
  subject: string;
  /** The value the lock records, or null when the lock does not have it. */
  locked: string | null;
  /** The value now, or null when it is gone. */
  current: string | null;
  /** One line a person can act on. */
  message: string;
}

const show = (v: unknown): string =>
  v === null || v === undefined ? 'none' : typeof v === 'string' ? v : JSON.stringify(v);

function compareKeyed<T>(
  kind: LockDriftKind,
  noun: string,
  locked: Map<string, T>,
  current: Map<string, T>,
  fingerprint: (v: T) => string,
  out: LockDrift[],
): void {
  const names = [...new Set([...locked.keys(), ...current.keys()])].sort();
  for (const name of names) {
    const l = locked.get(name);
    const c = current.get(name);
    const lf = l === undefined ? null : fingerprint(l);
    const cf = c === undefined ? null : fingerprint(c);
    if (lf === cf) continue;
    const message =
      lf === null
        ? `${noun} ${name} (${cf}) is not in the lock`
        : cf === null
          ? `${noun} ${name} is recorded in the lock (${lf}) but no longer part of the agent`
          : `${noun} ${name} is ${cf} but the lock records ${lf}`;
    out.push({ kind, subject: name, locked: lf, current: cf, message });
  }
}

/**
 * Compares a lock with a freshly resolved plan and lists every drift, manifest digest first.
 *
 * An `agentlang.lock/v2` lock is checked on its portable part only: source files (by role), the
 * system prompt for every target, tools (version and integrity), sub-agents, model capabilities,
 * MCP servers (server version, command, args, tool schema digests). Its host part — runtime, chosen
 * model, auth source, host — is resolved again where the agent runs, so one lock (one container)
 * holds under any runtime on any host. A `v1` lock is checked as v1 always was: also on runtime,
 * model and the single prompt digest, and on files by path. An empty list means the lock holds.
 */
export function checkLock(lock: Lockfile, plan: ResolvedPlan): LockDrift[] {
  const locked = normalizeLock(lock);
  const v1 = locked.schema === LOCK_SCHEMA_V1;
  const now = normalizeLock(createLock(plan, { manifestPath: locked.manifest.path, schema: locked.schema }));
  const drifts: LockDrift[] = [];
  if (locked.manifest.hash !== now.manifest.hash) {
    drifts.push({
      kind: 'manifest',
      subject: locked.manifest.path,
      locked: locked.manifest.hash,
      current: now.manifest.hash,
      message: `manifest hash ${now.manifest.hash} does not match lock's recorded hash ${locked.manifest.hash}`,
    });
  }
  compareKeyed(
    'file',
    'file',
    new Map(Object.entries(locked.files)),
    new Map(Object.entries(now.files)),
    (v) => v,
    drifts,
  );
  const lr = locked.resolved;
  const nr = now.resolved;
  if (v1) {
    if (lr.system_prompt_sha256 !== nr.system_prompt_sha256) {
      drifts.push({
        kind: 'prompt',
        subject: 'system prompt',
        locked: lr.system_prompt_sha256,
        current: nr.system_prompt_sha256,
        message: `system prompt ${show(nr.system_prompt_sha256)} does not match lock's recorded ${show(lr.system_prompt_sha256)}`,
      });
    }
    if (lr.runtime !== nr.runtime) {
      drifts.push({
        kind: 'runtime',
        subject: 'runtime',
        locked: lr.runtime,
        current: nr.runtime,
        message: `runtime ${nr.runtime} does not match lock's recorded runtime ${lr.runtime} (an ${LOCK_SCHEMA_V1} lock pins the runtime; re-lock to write ${LOCK_SCHEMA}, which does not)`,
      });
    }
    if (lr.model !== nr.model) {
      drifts.push({
        kind: 'model',
        subject: 'model',
        locked: lr.model,
        current: nr.model,
        message: `model ${show(nr.model)} does not match lock's recorded model ${show(lr.model)}`,
      });
    }
  } else {
    const prompts = (l: Lockfile) => new Map(Object.entries(l.resolved.system_prompts ?? {}));
    for (const d of diffKeyed(prompts(locked), prompts(now))) {
      drifts.push({
        kind: 'prompt',
        subject: `system prompt (${d.name})`,
        locked: d.locked,
        current: d.current,
        message: `system prompt compiled to ${d.name} is ${show(d.current)} but the lock records ${show(d.locked)}`,
      });
    }
  }
  // v2 compares what the tool is (version, integrity), not where this host found it: a catalog
  // directory is a host path, and the integrity pins the definition byte for byte.
  const toolPrint = v1
    ? (t: Lockfile['resolved']['tools'][number]) => `${t.version} from ${t.source}, integrity ${t.integrity}`
    : (t: Lockfile['resolved']['tools'][number]) => `${t.version}, integrity ${t.integrity}`;
  compareKeyed(
    'tool',
    'tool',
    new Map(lr.tools.map((t) => [t.name, t])),
    new Map(nr.tools.map((t) => [t.name, t])),
    toolPrint,
    drifts,
  );
  const agentKey = (a: Lockfile['resolved']['agents'][number]) => `${a.parent} → ${a.path}`;
  const agentPrint = (a: Lockfile['resolved']['agents'][number]) => `${a.name}@${a.version ?? '-'} ${a.hash}`;
  compareKeyed(
    'agent',
    'sub-agent',
    new Map(lr.agents.map((a) => [agentKey(a), a])),
    new Map(nr.agents.map((a) => [agentKey(a), a])),
    agentPrint,
    drifts,
  );
  compareKeyed(
    'model-capabilities',
    'model',
    new Map(Object.entries(lr.models)),
    new Map(Object.entries(nr.models)),
    (m) => JSON.stringify(m),
    drifts,
  );
  const serverPrint = (s: Lockfile['resolved']['mcp_servers'][number]) =>
    `${s.server.name}@${s.server.version} via ${[s.command, ...s.args].join(' ')}`;
  compareKeyed(
    'mcp-server',
    'MCP server',
    new Map(lr.mcp_servers.map((s) => [s.name, s])),
    new Map(nr.mcp_servers.map((s) => [s.name, s])),
    serverPrint,
    drifts,
  );
  const toolsOf = (l: Lockfile) =>
    new Map(
      l.resolved.mcp_servers.flatMap((s) => s.tools.map((t) => [`${s.name}/${t.name}`, t.schema_digest] as const)),
    );
  compareKeyed('mcp-server', 'MCP tool', toolsOf(locked), toolsOf(now), (d) => `schema ${d}`, drifts);
  return drifts;
}

/** A built-in runtime whose version is not the one the lock records (see {@link runtimeVersionChange}). */
export interface RuntimeVersionChange {
  /** The built-in runtime (`harness`). */
  runtime: string;
  /** The version the lock records, or null when it records none (a v1 lock, or one made before versions were pinned). */
  locked: string | null;
  /** The version resolved now. */
  current: string;
  /** One line a person can act on. */
  message: string;
}

/**
 * The built-in runtime's version now against the one the lock records, when the agent resolves to
 * the same built-in runtime the lock was made for. Not a drift — the runtime is the lock's host
 * part, resolved again where the agent runs, so a harness upgrade never fails `--frozen` — but
 * reported apart so the upgrade is visible and explained. Undefined when they agree, when the
 * runtime is another one, or when it is an external CLI (whose version the lock does not pin).
 */
export function runtimeVersionChange(lock: Lockfile, plan: ResolvedPlan): RuntimeVersionChange | undefined {
  const locked = normalizeLock(lock).resolved;
  const current = plan.runtime.version;
  const name = plan.runtime.name;
  if (current === undefined || locked.runtime !== name) return undefined;
  const was = locked.runtime_version ?? null;
  if (was === current) return undefined;
  const message =
    was === null
      ? `the lock records no version of the built-in runtime ${name} (it was made before runtime versions were pinned); this is ${name} ${current} — not a drift (the runtime is the lock's host part); re-lock to record it`
      : `the lock was made with ${name} ${was}; this is ${name} ${current} — not a drift (the runtime is the lock's host part, resolved again where the agent runs); re-lock to record it`;
  return { runtime: name, locked: was, current, message };
}

function diffKeyed(
  locked: Map<string, string>,
  current: Map<string, string>,
): Array<{ name: string; locked: string | null; current: string | null }> {
  const names = [...new Set([...locked.keys(), ...current.keys()])].sort();
  return names
    .map((name) => ({ name, locked: locked.get(name) ?? null, current: current.get(name) ?? null }))
    .filter((d) => d.locked !== d.current);
}

/**
 * The LOCK_DRIFT error for a non-empty drift list: its message is the first drift plus the hint
 * to re-lock (seed 000's wording); every drift is in `details.drifts`.
 */
export function driftError(drifts: LockDrift[], options: { agentPath: string; lockPath?: string }): LockError {
  const first = drifts[0]?.message ?? 'lock does not match the agent';
  return new LockError(
    'LOCK_DRIFT',
    `${first}\n  Re-run \`agentlang lock ${options.agentPath}\` if the drift is intentional.`,
    {
      details: {
        drifts,
        ...(options.lockPath !== undefined && { lockPath: options.lockPath }),
        agentPath: options.agentPath,
      },
    },
  );
}

/** Throws LOCK_DRIFT (see {@link driftError}) unless the plan matches the lock exactly. */
export function assertLockMatches(
  lock: Lockfile,
  plan: ResolvedPlan,
  options: { agentPath?: string; lockPath?: string } = {},
): void {
  const drifts = checkLock(lock, plan);
  if (drifts.length > 0) {
    throw driftError(drifts, {
      agentPath: options.agentPath ?? lock.manifest.path,
      ...(options.lockPath !== undefined && { lockPath: options.lockPath }),
    });
  }
}
