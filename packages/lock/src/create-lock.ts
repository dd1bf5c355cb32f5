import type { ResolvedPlan } from '@agentlang/resolver';
import { LOCK_SCHEMA, type LockedModel, type Lockfile } from './lockfile.js';

/** Options of {@link createLock}. */
export interface CreateLockOptions {
  /** The manifest file relative to the lock file's directory (`demo.agent`, `agent.yaml`). */
  manifestPath: string;
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
  const files: Record<string, string> = {};
  for (const f of [...plan.files].sort((a, b) => byCodeUnit(a.path, b.path))) files[f.path] = f.sha256;
  return {
    schema: LOCK_SCHEMA,
    manifest: {
      hash: plan.agent.digest,
      path: options.manifestPath,
      name: plan.agent.name,
      version: plan.agent.version ?? null,
    },
    resolved: {
      runtime: plan.runtime.name,
      model: plan.model,
      auth_source: plan.authSource,
      tools: plan.tools
        .map((t) => ({ name: t.name, version: t.version, constraint: t.constraint, source: t.source, integrity: t.integrity }))
        .sort((a, b) => byCodeUnit(a.name, b.name)),
      system_prompt_sha256: plan.systemPromptSha256,
      host: { os: plan.host.os, arch: plan.host.arch },
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
