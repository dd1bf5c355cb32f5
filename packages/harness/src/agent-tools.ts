import { isPrivateAddress } from '@agentlang/isolation';
import { isIP } from 'node:net';
import { type BashToolDeclaration, type BashToolSandbox, createBashTool } from './bash-tool.js';
import { HarnessError } from './errors.js';
import { createHttpTool, type HttpToolDeclaration } from './http-tool.js';
import type { HarnessTool } from './loop.js';

/** The tools an agent declares, as the manifest normalises them. */
export interface AgentToolDeclarations {
  /** `http_tools` entries. */
  http?: HttpToolDeclaration[];
  /** `bash_tools` entries. */
  bash?: BashToolDeclaration[];
}

/** What the host provides for the agent's tools. */
export interface AgentToolHost {
  /** Host environment: `AGENTLANG_HTTP_BASE_URL` and `AGENTLANG_HTTP_TOKEN` are read from it (never passed to the model). */
  env: Record<string, string | undefined>;
  /** The run's sandbox (backend + the agent's isolation policy); required when bash tools are declared. */
  sandbox?: BashToolSandbox;
  /** Per-request limits of http tools. */
  httpTimeoutMs?: number;
  httpMaxBytes?: number;
}

/** The assembled tool set; `close()` releases whatever the tools hold (called once, after the loop). */
export interface AgentTools {
  tools: HarnessTool[];
  close(): Promise<void>;
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
 * {@link createBashTool} inside the run's sandbox. Tool names must be unique across kinds.
 */
export async function buildAgentTools(declarations: AgentToolDeclarations, host: AgentToolHost): Promise<AgentTools> {
  const tools: HarnessTool[] = [];
  const closers: Array<() => Promise<void>> = [];
  const http = declarations.http ?? [];
  if (http.length > 0) {
    const baseUrl = host.env.AGENTLANG_HTTP_BASE_URL ?? '';
    if (baseUrl === '') {
      throw new HarnessError('HARNESS_TOOL_DEFINITION', `http tools (${http.map((t) => t.name).join(', ')}) need AGENTLANG_HTTP_BASE_URL: the API base their endpoints are relative to`);
    }
    const token = host.env.AGENTLANG_HTTP_TOKEN;
    for (const decl of http) {
      tools.push(
        createHttpTool(decl, {
          baseUrl,
          ...(token ? { token } : {}),
          egress: { allowPrivate: httpBaseIsPrivate(baseUrl) },
          ...(host.httpTimeoutMs !== undefined ? { timeoutMs: host.httpTimeoutMs } : {}),
          ...(host.httpMaxBytes !== undefined ? { maxBytes: host.httpMaxBytes } : {}),
        }),
      );
    }
  }
  const bash = declarations.bash ?? [];
  if (bash.length > 0) {
    if (!host.sandbox) throw new HarnessError('HARNESS_TOOL_DEFINITION', `bash tools (${bash.map((t) => t.name).join(', ')}) need the run's sandbox`);
    for (const decl of bash) tools.push(createBashTool(decl, host.sandbox));
  }

  // ── Extension point ──────────────────────────────────────────────────────────────────────────
  // Other tool kinds (built-in tools, MCP servers' tools) are added here: push their HarnessTools
  // onto `tools` and anything they must release (an MCP client's process) onto `closers`.
  // ─────────────────────────────────────────────────────────────────────────────────────────────

  const seen = new Set<string>();
  for (const t of tools) {
    if (seen.has(t.spec.name)) {
      await Promise.allSettled(closers.map((c) => c()));
      throw new HarnessError('HARNESS_TOOL_DEFINITION', `two tools are named ${t.spec.name}; tool names must be unique across http, bash and other tools`);
    }
    seen.add(t.spec.name);
  }
  let closed = false;
  return {
    tools,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(closers.map((c) => c()));
    },
  };
}
