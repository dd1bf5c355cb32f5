import type { McpServerSpec } from '@agentlang/manifest';
import {
  type ProbeAgent,
  type ProbeExecutor,
  type ProbeProcess,
  type ResolvedPlan,
  renderEnvTemplate,
  templateVariables,
} from '@agentlang/resolver';
import { createSandboxProbeExecutor, type SandboxProbeExecutorOptions } from './sandbox-probe-executor.js';

/** What the harness's `McpLauncher` asks for (structurally `@agentlang/harness`'s interface; the runner does not import the harness). */
export interface SandboxMcpLaunch {
  name: string;
  argv: string[];
  env: Record<string, string>;
  secrets: Record<string, string>;
}

export interface SandboxMcpLauncherOptions extends SandboxProbeExecutorOptions {
  /** The agent whose MCP servers these are: its sandbox policy (narrowed: nothing of the host writable) applies. */
  agent: ProbeAgent;
  /** Hard lifetime of each server (default 6 h): the sandbox is killed once it passes, whatever the run does. */
  lifetimeMs?: number;
  /** A different executor (tests); default `createSandboxProbeExecutor(options)`. */
  executor?: ProbeExecutor;
}

/**
 * The launcher the run wiring passes to the harness's `startMcpTools`: each MCP server runs inside
 * bwrap exactly as the resolver's probes do (program and the installed package code its args name
 * bound read-only, nothing else of the host readable beyond the agent's own policy, a scrubbed
 * environment with only the server's `env` values, `{{.env.X}}` values as sandbox secrets, a private
 * scratch directory; stopping kills the whole sandbox).
 */
export function createSandboxMcpLauncher(options: SandboxMcpLauncherOptions): {
  readonly name: string;
  start(server: SandboxMcpLaunch): Promise<ProbeProcess>;
} {
  const executor = options.executor ?? createSandboxProbeExecutor(options);
  const lifetimeMs = Math.min(options.lifetimeMs ?? 6 * 3600_000, 2 ** 31 - 1);
  return {
    name: executor.name,
    start: (server) =>
      executor.start({
        kind: 'mcp-server',
        label: `MCP server ${server.name}`,
        argv: server.argv,
        env: server.env,
        secrets: server.secrets,
        agent: options.agent,
        timeoutMs: lifetimeMs,
        stdio: 'pipe',
      }),
  };
}

/** One server as `@agentlang/harness`'s `startMcpTools` takes it (structurally its `McpServerDeclaration`). */
export interface McpServerLaunchDeclaration extends SandboxMcpLaunch {
  tools?: string[];
  pinned: Array<{ name: string; schemaDigest: string }>;
}

/**
 * The declarations a run hands to `startMcpTools`: each of the plan's MCP servers with the
 * manifest's whitelist, the plan's pinned tool digests, and its `env` rendered against the
 * caller's environment (`{{.env.X}}` values become secrets; nothing else of `env` is passed).
 */
export function mcpServerDeclarations(
  plan: Pick<ResolvedPlan, 'mcpServers'>,
  manifest: { mcpServers: McpServerSpec[] },
  env: Record<string, string | undefined>,
): McpServerLaunchDeclaration[] {
  return plan.mcpServers.map((server) => {
    const spec = manifest.mcpServers.find((m) => m.name === server.name);
    const plain: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    for (const [key, value] of Object.entries(spec?.env ?? {})) {
      const rendered = renderEnvTemplate(value, env, `MCP server ${server.name} env ${key}`);
      if (templateVariables(value).length > 0) secrets[key] = rendered;
      else plain[key] = rendered;
    }
    return {
      name: server.name,
      argv: [server.command, ...server.args],
      env: plain,
      secrets,
      ...(spec?.tools ? { tools: [...spec.tools] } : {}),
      pinned: server.tools.map((t) => ({ name: t.name, schemaDigest: t.schemaDigest })),
    };
  });
}
