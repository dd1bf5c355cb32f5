import { isPrivateAddress } from '@agentlang/isolation';
import { isIP } from 'node:net';
import { type BashToolDeclaration, type BashToolSandbox, createBashTool } from './bash-tool.js';
import {
  BUILTIN_TOOL_CAPABILITIES,
  BUILTIN_TOOL_NAMES,
  type BuiltinToolHost,
  createBuiltinTool,
} from './builtin-tools.js';
import { HarnessError } from './errors.js';
import { createHttpTool, type HttpToolDeclaration } from './http-tool.js';
import type { HarnessTool } from './loop.js';
import { type McpLauncher, type McpServerDeclaration, type StartMcpToolsOptions, startMcpTools } from './mcp-tools.js';
import { withSchemas } from './schemas.js';
import { applySkills, gateByCapabilities, type Skill } from './skills.js';
import { createRenderTools, type UiComponentDeclaration, withUiComponent } from './ui.js';

/** A `tools:` entry as the manifest normalises it (`ToolSpec` of @agentlang/manifest). */
export interface DeclaredTool {
  name: string;
  config?: Record<string, unknown>;
  /** The agent's `input_schema`: offered to the model and checked before each call. */
  inputSchema?: Record<string, unknown>;
  /** The agent's `output_schema`: the result is checked after each call. */
  outputSchema?: Record<string, unknown>;
}

/** The tools an agent declares, as the manifest normalises them. */
export interface AgentToolDeclarations {
  /** `http_tools` entries. */
  http?: HttpToolDeclaration[];
  /** `bash_tools` entries. */
  bash?: BashToolDeclaration[];
  /** `tools:` entries: the built-ins (`BUILTIN_TOOL_NAMES`) are offered; any other name is reported through `host.onNotice` and not offered. */
  tools?: DeclaredTool[];
  /** `mcp_servers`, as {@link startMcpTools} takes them (the runner's `mcpServerDeclarations`). */
  mcpServers?: McpServerDeclaration[];
  /** `ui_components` entries: a `render_<name>` tool each (see `createRenderTools`). */
  uiComponents?: UiComponentDeclaration[];
  /** The agent's skills: `allowedTools` narrows what is offered and callable, `body` joins the system prompt. */
  skills?: Skill[];
}

/** What the host provides for the agent's tools. */
export interface AgentToolHost {
  /** Host environment: `AGENTLANG_HTTP_BASE_URL`, `AGENTLANG_HTTP_TOKEN` and `AGENTLANG_SEARCH_URL` are read from it (never passed to the model). */
  env: Record<string, string | undefined>;
  /** The run's sandbox (backend + the agent's isolation policy); required when bash tools are declared. */
  sandbox?: BashToolSandbox;
  /** The host's name pins (`AGENTLANG_EGRESS_RESOLVE`, see `EgressPolicy.resolve`): the one way http tools and web_search reach a private address under a name. */
  egressResolve?: Record<string, string>;
  /** Per-request limits of http tools. */
  httpTimeoutMs?: number;
  httpMaxBytes?: number;
  /** Where built-in tools keep their state (project root, agent, run id) and web_fetch's egress policy; required when built-ins are declared. */
  builtin?: Omit<BuiltinToolHost, 'env'>;
  /** Starts the MCP servers (the runner's `createSandboxMcpLauncher`: each inside the sandbox); required when MCP servers are declared. */
  mcpLauncher?: McpLauncher;
  mcpOptions?: Omit<StartMcpToolsOptions, 'toolName'>;
  /**
   * Capabilities the host granted the agent (`ResolvedPlan.permissions.granted`, or the host
   * profile's for an agent that declares none). When given, a tool that needs another one
   * (`BUILTIN_TOOL_CAPABILITIES`; http tools need `network`) answers `denied` at call time.
   */
  grantedCapabilities?: Iterable<string>;
  /** Tool names the caller provides itself (e.g. `delegate`): declared under `tools:` without being reported as unavailable. */
  provided?: Iterable<string>;
  /** Receives one line per declared tool that is not offered (neither built-in nor provided). */
  onNotice?: (message: string) => void;
}

/** The assembled tool set; `close()` releases whatever the tools hold (called once, after the loop). */
export interface AgentTools {
  /** The tools offered to the model (after skills). */
  tools: HarnessTool[];
  /** Every tool the loop answers (pass as `runLoop`'s `callable`): those outside the skills answer `denied`. */
  callable: HarnessTool[];
  /** The skills' SKILL.md bodies, to append to the system prompt ('' without skills). */
  systemAddendum: string;
  close(): Promise<void>;
}

/** The capability each http tool needs: it reaches the network from the host. */
const HTTP_TOOL_CAPABILITY = 'network';

/**
 * The tool names a skill's `allowed-tools` entry stands for: the name itself, and for an MCP server
 * (`github`, `mcp:github`) or one of its tools (`create_issue`), the harness names of its tools.
 */
function expandAllowed(allowed: string[], mcpNames: Map<string, { server: string; tool: string }>): string[] {
  const out = new Set(allowed);
  for (const [name, { server, tool }] of mcpNames) {
    if (
      allowed.some(
        (a) =>
          a === server ||
          a === `mcp:${server}` ||
          a === tool ||
          a === `${server}.${tool}` ||
          a === `mcp:${server}/${tool}`,
      )
    )
      out.add(name);
  }
  return [...out];
}

/**
 * Whether http tools may reach loopback and private addresses: only when the configured base URL
 * itself is on such a host (`localhost`, or a literal loopback/private IP). A public base URL never
 * lets a tool reach private ranges (the base URL's origin is the only host allowed anyway).
 */
export function httpBaseIsPrivate(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && isPrivateAddress(host);
}

/**
 * Builds the harness tools for an agent's declarations: `http_tools` via {@link createHttpTool}
 * against `AGENTLANG_HTTP_BASE_URL` (bearer `AGENTLANG_HTTP_TOKEN`), `bash_tools` via
 * {@link createBashTool} inside the run's sandbox, built-in `tools:` via {@link createBuiltinTool}
 * under the agent's `input_schema`/`output_schema` ({@link withSchemas}), and the MCP servers' tools
 * via {@link startMcpTools} through the host's launcher; then denies at call time what needs a
 * capability the host did not grant ({@link gateByCapabilities}) and narrows to the skills'
 * allowed tools ({@link applySkills}). Tool names must be unique across kinds. On failure every
 * MCP server already started is stopped.
 */
export async function buildAgentTools(declarations: AgentToolDeclarations, host: AgentToolHost): Promise<AgentTools> {
  const tools: HarnessTool[] = [];
  const closers: Array<() => Promise<void>> = [];
  const http = declarations.http ?? [];
  if (http.length > 0) {
    const baseUrl = host.env.AGENTLANG_HTTP_BASE_URL ?? '';
    if (baseUrl === '') {
      throw new HarnessError(
        'HARNESS_TOOL_DEFINITION',
        `http tools (${http.map((t) => t.name).join(', ')}) need AGENTLANG_HTTP_BASE_URL: the API base their endpoints are relative to`,
      );
    }
    const token = host.env.AGENTLANG_HTTP_TOKEN;
    for (const decl of http) {
      const tool = createHttpTool(decl, {
        baseUrl,
        ...(token ? { token } : {}),
        egress: {
          allowPrivate: httpBaseIsPrivate(baseUrl),
          ...(host.egressResolve ? { resolve: host.egressResolve } : {}),
        },
        ...(host.httpTimeoutMs !== undefined ? { timeoutMs: host.httpTimeoutMs } : {}),
        ...(host.httpMaxBytes !== undefined ? { maxBytes: host.httpMaxBytes } : {}),
      });
      // ui_component: the rule for the call's status renders after it (ui.render).
      tools.push(
        decl.uiComponent && Object.keys(decl.uiComponent).length > 0 ? withUiComponent(tool, decl.uiComponent) : tool,
      );
    }
  }
  const bash = declarations.bash ?? [];
  if (bash.length > 0) {
    if (!host.sandbox)
      throw new HarnessError(
        'HARNESS_TOOL_DEFINITION',
        `bash tools (${bash.map((t) => t.name).join(', ')}) need the run's sandbox`,
      );
    for (const decl of bash) tools.push(createBashTool(decl, host.sandbox));
  }

  tools.push(...createRenderTools(declarations.uiComponents ?? []));

  // Built-in tools (`tools:`), each held to the agent's declared schemas. A name this harness does
  // not implement (`delegate`, a catalog tool) is not offered; the run goes on without it.
  const provided = new Set(host.provided ?? []);
  for (const decl of declarations.tools ?? []) {
    if (!(BUILTIN_TOOL_NAMES as readonly string[]).includes(decl.name)) {
      if (!provided.has(decl.name))
        host.onNotice?.(
          `tool ${decl.name} is declared but this runtime does not provide it; it is not offered to the model`,
        );
      continue;
    }
    if (!host.builtin)
      throw new HarnessError(
        'HARNESS_TOOL_DEFINITION',
        `built-in tool ${decl.name} needs the host's project root, agent name and run id`,
        { details: { tool: decl.name } },
      );
    const builtin = createBuiltinTool(decl.name, decl.config, builtinHost(decl, host));
    const offered = decl.inputSchema
      ? { ...builtin, spec: { ...builtin.spec, inputSchema: decl.inputSchema } }
      : builtin;
    tools.push(
      withSchemas(offered, {
        ...(decl.inputSchema ? { inputSchema: decl.inputSchema } : {}),
        ...(decl.outputSchema ? { outputSchema: decl.outputSchema } : {}),
      }),
    );
  }

  // MCP servers: started once for the run through the host's (sandboxed) launcher, always closed.
  const mcpNames = new Map<string, { server: string; tool: string }>();
  const servers = declarations.mcpServers ?? [];
  if (servers.length > 0) {
    if (!host.mcpLauncher)
      throw new HarnessError(
        'HARNESS_TOOL_DEFINITION',
        `MCP servers (${servers.map((m) => m.name).join(', ')}) need the run's launcher`,
        { details: { servers: servers.map((m) => m.name) } },
      );
    const mcp = await startMcpTools(servers, host.mcpLauncher, {
      ...host.mcpOptions,
      toolName: (server, tool) => {
        const name = `${server}__${tool}`;
        mcpNames.set(name, { server, tool });
        return name;
      },
    });
    closers.push(() => mcp.close());
    tools.push(...mcp.tools);
  }

  const seen = new Set<string>();
  for (const t of tools) {
    if (seen.has(t.spec.name)) {
      await Promise.allSettled(closers.map((c) => c()));
      throw new HarnessError(
        'HARNESS_TOOL_DEFINITION',
        `two tools are named ${t.spec.name}; tool names must be unique across http, bash and other tools`,
        { details: { tool: t.spec.name } },
      );
    }
    seen.add(t.spec.name);
  }

  // Permissions at call time, then skills: both refuse with kind `denied`, the run goes on.
  let gated = tools;
  if (host.grantedCapabilities !== undefined) {
    const required = new Map(BUILTIN_TOOL_CAPABILITIES);
    for (const decl of http) required.set(decl.name, HTTP_TOOL_CAPABILITY);
    gated = gateByCapabilities(tools, required, new Set(host.grantedCapabilities));
  }
  const skills = (declarations.skills ?? []).map((skill) =>
    skill.allowedTools ? { ...skill, allowedTools: expandAllowed(skill.allowedTools, mcpNames) } : skill,
  );
  const applied = applySkills(gated, skills);

  let closed = false;
  return {
    tools: applied.tools,
    callable: applied.callable,
    systemAddendum: applied.systemAddendum,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(closers.map((c) => c()));
    },
  };
}

/**
 * The host of one built-in: web_search talks only to its configured endpoint (`config.endpoint`,
 * else `AGENTLANG_SEARCH_URL`), and may reach a loopback or private one only when that endpoint
 * itself is such (a host configuration decision, as for http tools); web_fetch and the rest use
 * the host's policy.
 */
function builtinHost(decl: DeclaredTool, host: AgentToolHost): BuiltinToolHost {
  const base: BuiltinToolHost = { ...(host.builtin as Omit<BuiltinToolHost, 'env'>), env: host.env };
  if (decl.name !== 'web_search') return base;
  const endpoint = typeof decl.config?.endpoint === 'string' ? decl.config.endpoint : host.env.AGENTLANG_SEARCH_URL;
  if (!endpoint) return base;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new HarnessError(
      'HARNESS_TOOL_DEFINITION',
      `the web_search endpoint ${JSON.stringify(endpoint)} is not an absolute URL`,
      { cause, details: { endpoint } },
    );
  }
  return {
    ...base,
    egress: {
      allowHosts: [url.hostname.replace(/^\[|\]$/g, '')],
      allowPrivate: httpBaseIsPrivate(endpoint),
      ...(host.egressResolve ? { resolve: host.egressResolve } : {}),
    },
  };
}
