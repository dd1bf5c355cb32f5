/** Agent names the registry stores (`@agentlang/registry` uses this rule): lower-case letters, digits, inner `-`/`_`, 1–128 characters. */
const PUBLISHABLE = /^[a-z0-9](?:[a-z0-9_-]{0,126}[a-z0-9])?$/;

/** True when `name` is an agent name a registry accepts (no dots, no upper case, no leading or trailing `-`/`_`). */
export function isPublishableName(name: string): boolean {
  return PUBLISHABLE.test(name);
}

/** The nearest publishable spelling of a name (`my.agent` → `my-agent`), or undefined when none is obvious. */
export function publishableSpelling(name: string): string | undefined {
  const fixed = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 128);
  return isPublishableName(fixed) ? fixed : undefined;
}
