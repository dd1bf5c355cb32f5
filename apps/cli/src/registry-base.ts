import type { LoadOptions } from '@agentlang/manifest';

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
      return createRegistryBaseResolver({
        url,
        ...(env.AGENTLANG_API_KEY ? { apiKey: env.AGENTLANG_API_KEY } : {}),
        ...(pubkey ? { publicKeys: [pubkey] } : {}),
      })(reference);
    },
  };
}
