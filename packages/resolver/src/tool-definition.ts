/**
 * A tool definition as catalogs hold it: MCP's tool shape (`name`, `description`, `inputSchema`)
 * plus AgentLang's `outputSchema` extension and the exact `version`. The integrity recorded in a
 * plan is the sha256 of the RFC 8785 canonical JSON of this object.
 */
export interface ToolDefinition {
  name: string;
  /** Exact semver version (`1.2.3`). */
  version: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

/**
 * Where tool definitions come from. Built-in, local catalog directories and (later) registries
 * all implement this; the resolver asks every source for versions and takes the highest satisfying.
 */
export interface ToolSource {
  /** Recorded as the tool's `source` in the plan: `builtin`, `catalog:<dir>`, `registry:<url>`. */
  readonly id: string;
  /** Every exact version of `name` this source holds (empty when it has none). */
  listVersions(name: string): Promise<string[]> | string[];
  /** Every tool name this source holds, when it can list them cheaply (used for did-you-mean). */
  listNames?(): Promise<string[]> | string[];
  /** The definition of one version returned by {@link ToolSource.listVersions}. */
  getDefinition(name: string, version: string): Promise<ToolDefinition> | ToolDefinition;
}
