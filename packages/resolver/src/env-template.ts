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
