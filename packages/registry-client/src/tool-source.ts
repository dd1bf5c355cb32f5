import { RegistryClient, type RegistryClientOptions, type RegistryToolDefinition } from './client.js';

/**
 * A tool catalog backed by a registry tenant, structurally @agentlang/resolver's `ToolSource`
 * (`id`, `listVersions`, `getDefinition`): pass it in `resolvePlan({ toolSources: [...] })` and
 * tools published with `agentlang push tool.json` resolve by semver like the built-in catalog.
 */
export interface RegistryToolSource {
  /** `registry:<url>/<tenant>`, recorded as the tool's source in plans and locks. */
  readonly id: string;
  listVersions(name: string): Promise<string[]>;
  getDefinition(name: string, version: string): Promise<RegistryToolDefinition>;
}

/** Creates a {@link RegistryToolSource} for the tools `tenant` published on the registry at `url`. */
export function createRegistryToolSource(options: RegistryClientOptions & { tenant: string }): RegistryToolSource {
  const client = new RegistryClient(options);
  const versions = new Map<string, Promise<string[]>>();
  return {
    id: `registry:${client.url.origin}${client.url.pathname.replace(/\/$/, '')}/${options.tenant}`,
    listVersions(name) {
      let list = versions.get(name);
      if (!list) {
        list = client.listToolVersions(options.tenant, name);
        versions.set(name, list);
      }
      return list;
    },
    getDefinition(name, version) {
      return client.getTool(options.tenant, name, version);
    },
  };
}
