import type { Capability, PermissionsSpec } from '@agentlang/manifest';
import { ResolveError } from './errors.js';
import type { HostProfile } from './host-profiles.js';
import type { ResolvedPermissions } from './plan.js';

function refusal(cap: Capability, spec: PermissionsSpec | undefined, host: HostProfile): string | undefined {
  if (!host.capabilities.includes(cap)) return `${host.name} does not offer ${cap}`;
  const mode = spec?.settings[cap]?.mode;
  if (mode && !host.modes.includes(mode))
    return `${host.name} does not allow mode ${mode} for ${cap} (allows: ${host.modes.join(', ')})`;
  return undefined;
}

/**
 * Checks required and optional capabilities (and their modes) against a host profile. A missing
 * required capability throws before anything runs; missing optional ones are `degraded`.
 */
export function checkPermissions(
  spec: PermissionsSpec | undefined,
  host: HostProfile,
  label: string,
): { permissions: ResolvedPermissions; warnings: string[]; decisions: string[] } {
  const required = [...(spec?.required ?? [])];
  const optional = [...(spec?.optional ?? [])];
  const denied = required.map((c) => ({ cap: c, why: refusal(c, spec, host) })).filter((d) => d.why !== undefined);
  if (denied.length > 0) {
    throw new ResolveError(
      'RESOLVE_PERMISSION_DENIED',
      `host profile ${label} cannot grant required capabilit${denied.length === 1 ? 'y' : 'ies'}: ${denied.map((d) => d.why).join('; ')}. Run on a host that offers ${denied.length === 1 ? 'it' : 'them'} (--host rush-desktop, raw-os, …) or move ${denied.map((d) => d.cap).join(', ')} to permissions.optional`,
      { details: { host: label, denied: denied.map((d) => ({ capability: d.cap, reason: d.why })) } },
    );
  }
  const warnings: string[] = [];
  const decisions: string[] = [];
  const degraded: Capability[] = [];
  for (const cap of optional) {
    const why = refusal(cap, spec, host);
    if (why) {
      degraded.push(cap);
      warnings.push(`optional capability ${cap} unavailable: ${why}; the agent runs degraded`);
    }
  }
  const granted = [...required, ...optional.filter((c) => !degraded.includes(c))];
  decisions.push(
    `permissions: host ${label} grants ${granted.length > 0 ? granted.join(', ') : 'nothing requested'}${degraded.length > 0 ? `; degraded: ${degraded.join(', ')}` : ''}`,
  );
  return { permissions: { host: label, required, optional, granted, degraded }, warnings, decisions };
}
