import { isPublishableName } from '@agentlang/manifest';
import semver from 'semver';
import { RegistryError } from './errors.js';

const TENANT = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const TOOL = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,126}[A-Za-z0-9])?$/;
const VERSION = /^(?:0|[1-9]\d{0,8})\.(?:0|[1-9]\d{0,8})\.(?:0|[1-9]\d{0,8})(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** True when `value` is a canonical tenant: lower-case letters, digits and inner dashes, 1–40 chars. */
export function isTenant(value: string): boolean {
  return TENANT.test(value);
}

/** True when `value` is a canonical agent name: lower-case letters, digits, inner `-`/`_`, 1–128 chars. */
export function isAgentName(value: string): boolean {
  // One rule, owned by @agentlang/manifest, so `validate` warns about exactly the names refused here.
  return isPublishableName(value);
}

/** True when `value` is a tool name as the resolver's catalogs spell it (letters, digits, `_.-`, no leading/trailing dot or dash). */
export function isToolName(value: string): boolean {
  return TOOL.test(value) && !value.includes('..');
}

/** True when `value` is a semver version without build metadata (`1.2.3`, `1.2.3-rc.1`). */
export function isVersion(value: string): boolean {
  return value.length <= 128 && VERSION.test(value);
}

/**
 * Orders two canonical versions (`1.2.3`, `1.2.3-rc.1`) by semver precedence; negative when a < b.
 * Loose, so that every version {@link isVersion} accepts compares (strict semver refuses a
 * pre-release number with a leading zero, `1.0.0-rc.01`) rather than throwing.
 */
export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b, true);
}

/** Throws REGISTRY_BAD_NAME unless tenant, name (agent or tool) and version are all canonical. */
export function assertCoordinates(
  tenant: string,
  name: string,
  version: string,
  namespace: 'agents' | 'tools' = 'agents',
): void {
  const bad: string[] = [];
  if (!isTenant(tenant))
    bad.push(`tenant '${tenant.slice(0, 80)}' (expected e.g. 'alice': [a-z0-9-], no dots, no upper case)`);
  if (namespace === 'tools' && !isToolName(name))
    bad.push(`tool name '${name.slice(0, 140)}' (expected e.g. 'web_search')`);
  if (namespace === 'agents' && !isAgentName(name))
    bad.push(`name '${name.slice(0, 140)}' (expected e.g. 'demo': [a-z0-9_-], no dots or slashes, no upper case)`);
  if (!isVersion(version)) bad.push(`version '${version.slice(0, 140)}' (expected semver such as '0.1.0')`);
  if (bad.length > 0) {
    throw new RegistryError('REGISTRY_BAD_NAME', `not a canonical registry coordinate: ${bad.join('; ')}`, {
      details: { tenant, name, version },
    });
  }
}
