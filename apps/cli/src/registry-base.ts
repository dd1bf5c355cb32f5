import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadOptions } from '@agentlang/manifest';

/** A `base:` line naming a registry entry (`tenant/name@version`), as @agentlang/manifest reads it. */
const REGISTRY_BASE_LINE = /^base:\s*["']?[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?\/[a-z0-9][a-z0-9_-]*@/m;

/**
 * True when the manifest at `path` (a file, or a directory's agent.yaml) has a registry `base:`:
 * the fast paths (dist/hot) leave such agents to the full CLI, which can fetch the base.
 */
export function hasRegistryBase(path: string): boolean {
  try {
    const file = statSync(path).isDirectory() ? join(path, 'agent.yaml') : path;
    return REGISTRY_BASE_LINE.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Loader options for the CLI: with `AGENTLANG_REGISTRY` set, a `base: tenant/name@version` is pulled
 * from it (and verified: sha256, pin, content; a container base against `AGENTLANG_PUBKEY` when set)
 * by @agentlang/registry-client, loaded only when a manifest names such a base.
 */
export function manifestLoadOptions(env: NodeJS.ProcessEnv): LoadOptions {
  const url = env.AGENTLANG_REGISTRY;
  if (!url) return {};
  return {
    resolveBase: async (reference) => {
      const { createRegistryBaseResolver } = await import('@agentlang/registry-client');
      const pubkey = env.AGENTLANG_PUBKEY;
      return createRegistryBaseResolver({ url, ...(env.AGENTLANG_API_KEY ? { apiKey: env.AGENTLANG_API_KEY } : {}), ...(pubkey ? { publicKeys: [pubkey] } : {}) })(reference);
    },
  };
}
