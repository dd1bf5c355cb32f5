import { posix } from 'node:path';
import { RunnerError } from '../errors.js';
import type { InvocationInput, RuntimeNeeds } from './types.js';

/** The program to exec: the resolved absolute path when the resolver found one, else the bare name. */
export function programOf(input: InvocationInput, binary: string): string {
  return input.plan.runtime.path ?? binary;
}

/** Picks the credential variables that are set in the parent environment. */
export function pickSecrets(env: Record<string, string | undefined>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** Strips a `provider/` prefix the runtime does not understand (`anthropic/claude-sonnet-4` → `claude-sonnet-4`). */
export function bareModel(model: string | null, prefixes: string[]): string | null {
  if (model === null) return null;
  for (const prefix of prefixes) if (model.startsWith(`${prefix}/`)) return model.slice(prefix.length + 1);
  return model;
}

/** The user prompt, or a RUNNER_INPUT error naming the runtime when an LLM runtime gets none. */
export function requirePrompt(input: InvocationInput, runtime: string): string {
  if (input.userPrompt === undefined || input.userPrompt === '') {
    throw new RunnerError(
      'RUNNER_INPUT',
      `runtime ${runtime} needs a prompt to run non-interactively; pass --prompt "<text>" or --input <file>`,
      { details: { runtime } },
    );
  }
  return input.userPrompt;
}

/** One MCP server ready for a runtime's config: env values are references to variables delivered as secrets. */
export interface McpLaunch {
  name: string;
  command: string;
  args: string[];
  /** Variable names the server needs; their values are in `secrets`. */
  envKeys: string[];
}

const TEMPLATE = /\{\{\s*\.env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * The plan's MCP servers with their environment values rendered from the parent env
 * (`{{.env.X}}` templates from the manifest, else the same-named parent variable); the values go to
 * `secrets` so no config file or argv ever holds them.
 */
export function mcpLaunches(input: InvocationInput): { servers: McpLaunch[]; secrets: Record<string, string> } {
  const secrets: Record<string, string> = {};
  const servers = input.plan.mcpServers.map((server) => {
    const spec = input.manifest?.mcpServers.find((m) => m.name === server.name);
    const envKeys = [...new Set([...server.envKeys, ...Object.keys(spec?.env ?? {})])].sort();
    for (const key of envKeys) {
      const template = spec?.env[key];
      const value =
        template === undefined
          ? input.env[key]
          : template.replace(TEMPLATE, (_, name: string) => input.env[name] ?? '');
      if (value !== undefined && value !== '') secrets[key] = value;
    }
    return { name: server.name, command: server.command, args: [...server.args], envKeys };
  });
  return { servers, secrets };
}

/** A path under the adapter's config directory. */
export function configPath(input: InvocationInput, ...parts: string[]): string {
  return posix.join(input.configDir, ...parts);
}

/**
 * The host of a provider endpoint: the host of the URL in `env[variable]` when set (a base-URL
 * override such as `ANTHROPIC_BASE_URL`), else `fallback`.
 */
export function endpointHost(env: Record<string, string | undefined>, variable: string, fallback: string): string {
  const value = env[variable];
  if (value) {
    try {
      const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
      if (host) return host;
    } catch {
      // not a URL: the runtime will say so itself; keep its default endpoint reachable
    }
  }
  return fallback;
}

/** The needs of an LLM CLI: its endpoint hosts, and processes (it starts MCP servers and helpers). */
export function llmNeeds(hosts: string[]): RuntimeNeeds {
  return { hosts: [...new Set(hosts)], processes: true, notes: [] };
}
