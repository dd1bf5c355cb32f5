import { isAbsolute, relative, sep } from 'node:path';
import type { ResolvedPlan } from '@agentlang/resolver';
import { LOCK_SCHEMA, LOCK_SCHEMA_V1, type LockSchema, type LockedModel, type Lockfile } from './lock-schema.js';

/** Options of {@link createLock}. */
export interface CreateLockOptions {
  /** The manifest file relative to the lock file's directory (`demo.agent`, `agent.yaml`). */
  manifestPath: string;
  /** The lock file's directory: a `catalog:<absolute dir>` tool source is recorded relative to it (v2). */
  lockDir?: string;
  /** The schema to build (default `agentlang.lock/v2`; v1 only to check a v1 lock the way it was made). */
  schema?: LockSchema;
}

/** `catalog:<absolute dir>` → `catalog:<dir relative to the lock>`, so moving the project changes nothing. */
function portableSource(source: string, lockDir: string | undefined): string {
  const dir = source.startsWith('catalog:') ? source.slice('catalog:'.length) : undefined;
  if (dir === undefined || lockDir === undefined || !isAbsolute(dir)) return source;
  return `catalog:${relative(lockDir, dir).split(sep).join('/') || '.'}`;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Pins a resolved plan: keeps what must be reproduced (digests, versions, integrity, schemas) and
 * drops what is host-local or transient (binary paths, availability, decisions, warnings).
 */
export function createLock(plan: ResolvedPlan, options: CreateLockOptions): Lockfile {
  const models: Record<string, LockedModel> = {};
  for (const id of Object.keys(plan.models).sort(byCodeUnit)) {
    const m = plan.models[id]!;
    models[id] = {
      ...(m.provider !== undefined && { provider: m.provider }),
      ...(m.contextWindow !== undefined && { context_window: m.contextWindow }),
      ...(m.supportsTools !== undefined && { supports_tools: m.supportsTools }),
      ...(m.supportsVision !== undefined && { supports_vision: m.supportsVision }),
      known: m.known,
    };
  }
  const v2 = (options.schema ?? LOCK_SCHEMA) === LOCK_SCHEMA;
  const files: Record<string, string> = {};
  // v2 names files by role, so the caller's name for the manifest (demo.agent, a pulled copy) does not matter.
  const fileKey = (f: ResolvedPlan['files'][number]) => (v2 ? (f.role ?? f.path) : f.path);
  for (const f of [...plan.files].sort((a, b) => byCodeUnit(fileKey(a), fileKey(b)))) files[fileKey(f)] = f.sha256;
  // The digest for the runtime's own target is the one that runs: it wins over the per-target list.
  const prompts: Partial<Record<'markdown' | 'xml', string>> = {
    ...plan.systemPromptDigests,
    ...(plan.systemPromptSha256 !== null &&
      plan.promptTarget !== undefined && { [plan.promptTarget]: plan.systemPromptSha256 }),
  };
  return {
    schema: v2 ? LOCK_SCHEMA : LOCK_SCHEMA_V1,
    manifest: {
      hash: plan.agent.digest,
      path: options.manifestPath,
      name: plan.agent.name,
      version: plan.agent.version ?? null,
    },
    resolved: {
      runtime: plan.runtime.name,
      ...(v2 && plan.runtime.version !== undefined && { runtime_version: plan.runtime.version }),
      model: plan.model,
      auth_source: plan.authSource,
      tools: plan.tools
        .map((t) => ({
          name: t.name,
          version: t.version,
          constraint: t.constraint,
          source: v2 ? portableSource(t.source, options.lockDir) : t.source,
          integrity: t.integrity,
        }))
        .sort((a, b) => byCodeUnit(a.name, b.name)),
      system_prompt_sha256: plan.systemPromptSha256,
      host: { os: plan.host.os, arch: plan.host.arch },
      ...(v2 && { system_prompts: prompts }),
      models,
      agents: plan.subAgents
        .map((a) => ({
          name: a.name,
          path: a.path,
          version: a.version ?? null,
          hash: a.digest,
          depth: a.depth,
          parent: a.parent,
          permission: a.permission ?? null,
        }))
        .sort((a, b) => byCodeUnit(a.path, b.path) || byCodeUnit(a.parent, b.parent) || a.depth - b.depth),
      mcp_servers: plan.mcpServers
        .map((s) => ({
          name: s.name,
          command: s.command,
          args: [...s.args],
          env_keys: [...s.envKeys].sort(byCodeUnit),
          server: { name: s.server.name, version: s.server.version },
          protocol_version: s.protocolVersion,
          client_capabilities: s.clientCapabilities,
          tools: s.tools
            .map((t) => ({ name: t.name, schema_digest: t.schemaDigest }))
            .sort((a, b) => byCodeUnit(a.name, b.name)),
        }))
        .sort((a, b) => byCodeUnit(a.name, b.name)),
    },
    files,
  };
}
