import { ResolveError } from './errors.js';

const TEMPLATE = /\{\{\s*\.env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Names of the variables a string's `{{.env.X}}` templates reference, in order of appearance. */
export function templateVariables(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((m) => m[1]!);
}

/**
 * Renders `{{.env.X}}` templates from `env`. A missing (or empty) variable is an error that names
 * the variable and where it was used, never any value. `where` reads like `MCP server Stripe env STRIPE_KEY`.
 */
export function renderEnvTemplate(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(TEMPLATE, (_whole, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new ResolveError(
        'RESOLVE_MCP_ENV',
        `${where} uses {{.env.${name}}} but ${name} is not set in the environment; export ${name} before resolving`,
        { details: { variable: name, where } },
      );
    }
    return value;
  });
}

/** Replaces every occurrence of any of `secrets` (length ≥ 4) in `text` with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Repeat until stable: a replacement next to a `*` could otherwise re-form a secret made of `*`s
  // (each pass shortens the text, since secrets are longer than the mask).
  let changed = true;
  while (changed) {
    changed = false;
    for (const s of secrets) {
      if (s.length >= 4 && out.includes(s)) {
        out = out.split(s).join('***');
        changed = true;
      }
    }
  }
  return out;
}

/** One host environment variable an agent reads, by name (values are never part of a plan). */
export interface EnvironmentRead {
  name: string;
  /** Where it is read: `mcp_servers.stripe.env.STRIPE_KEY` (a `{{.env.X}}` template), `runtime claude-code credential`. */
  uses: string[];
  /** True when a manifest template reads it: the agent chose it, so a packed agent needs the user's consent (`--allow-env`). */
  template: boolean;
}

/**
 * Every host variable the agent reads: the `{{.env.X}}` templates of its MCP servers' `env` and of
 * its HTTP tools' `endpoint`/`body_template`, and the runtime credential variable the plan uses
 * (`authSource` `env:X`). Sorted by name.
 */
export function agentEnvironment(
  manifest: {
    mcpServers: ReadonlyArray<{ name: string; env: Record<string, string> }>;
    httpTools?: ReadonlyArray<{ name: string; endpoint: string; bodyTemplate?: string }>;
  },
  auth?: { runtime: string; source: string },
): EnvironmentRead[] {
  const byName = new Map<string, EnvironmentRead>();
  const add = (name: string, use: string, template: boolean) => {
    const entry = byName.get(name) ?? { name, uses: [], template: false };
    if (!entry.uses.includes(use)) entry.uses.push(use);
    entry.template ||= template;
    byName.set(name, entry);
  };
  for (const server of manifest.mcpServers) {
    for (const [key, value] of Object.entries(server.env)) {
      for (const name of templateVariables(value)) add(name, `mcp_servers.${server.name}.env.${key}`, true);
    }
  }
  for (const tool of manifest.httpTools ?? []) {
    for (const [field, text] of [
      ['endpoint', tool.endpoint],
      ['body_template', tool.bodyTemplate ?? ''],
    ] as const) {
      for (const name of templateVariables(text)) add(name, `http_tools.${tool.name}.${field}`, true);
    }
  }
  if (auth?.source.startsWith('env:')) add(auth.source.slice(4), `runtime ${auth.runtime} credential`, false);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Whether an agent needs the user's consent before its `{{.env.X}}` templates may read host
 * variables: everything that did not come from the working tree (a directory or a YAML file on
 * disk) — a container, a pulled agent, an agent built in memory.
 */
export function envConsentRequired(agent: { source: { kind: string } }): boolean {
  return agent.source.kind !== 'directory' && agent.source.kind !== 'file';
}

/**
 * Throws `RESOLVE_ENV_CONSENT` unless every template-read variable in `reads` is in `allowed`
 * (`--allow-env NAME`). Names only, never values.
 */
export function assertEnvConsent(reads: readonly EnvironmentRead[], allowed: readonly string[], label: string): void {
  const refused = reads.filter((r) => r.template && !allowed.includes(r.name));
  if (refused.length === 0) return;
  const names = refused.map((r) => r.name);
  throw new ResolveError(
    'RESOLVE_ENV_CONSENT',
    `${label} did not come from your working tree and reads host environment variable${names.length === 1 ? '' : 's'} ${names.join(', ')} (${refused.map((r) => r.uses.join(', ')).join('; ')}); nothing was passed to it. Allow each one explicitly with ${names.map((n) => `--allow-env ${n}`).join(' ')} if you trust it with ${names.length === 1 ? 'that value' : 'those values'}`,
    { details: { variables: names, uses: Object.fromEntries(refused.map((r) => [r.name, r.uses])) } },
  );
}
