import { readFileSync } from 'node:fs';
import { CAPABILITIES, type Capability, type PermissionMode } from '@agentlang/manifest';
import { parseYaml, SafeYamlError } from '@agentlang/safe-yaml';
import { ResolveError } from './errors.js';

/** What a host grants: the capabilities it offers and the permission modes it allows. */
export interface HostProfile {
  name: string;
  description: string;
  capabilities: Capability[];
  /** Permission modes the host supports; a capability requested in another mode is not granted. */
  modes: PermissionMode[];
}

const ALL_MODES: PermissionMode[] = ['user_triggered', 'on_demand', 'continuous', 'scheduled'];

/**
 * Built-in host profiles for the hosts the AgentLang spec lists (its "host capability matrix"),
 * plus `docker` and `raw-os` (the default: a plain process on this machine).
 */
export const HOST_PROFILES: Readonly<Record<string, HostProfile>> = Object.freeze({
  'claude-desktop': {
    name: 'claude-desktop',
    description: 'Claude Desktop: sandboxed, no background execution, user-triggered actions only',
    capabilities: ['network', 'websocket', 'storage', 'filesystem', 'clipboard', 'oauth'],
    modes: ['user_triggered'],
  },
  replit: {
    name: 'replit',
    description: 'Replit Agent: filesystem and network, no sensors',
    capabilities: ['network', 'websocket', 'storage', 'filesystem', 'shell', 'background', 'oauth'],
    modes: [...ALL_MODES],
  },
  'rush-desktop': {
    name: 'rush-desktop',
    description: 'Rush Desktop: full system access, every permission mode',
    capabilities: [...CAPABILITIES],
    modes: [...ALL_MODES],
  },
  mobile: {
    name: 'mobile',
    description:
      'Mobile app: sensors, location, notifications and scheduled background work, each behind an OS permission prompt; no continuous capture',
    capabilities: [
      'network',
      'websocket',
      'storage',
      'keychain',
      'microphone',
      'camera',
      'location',
      'background',
      'notifications',
      'oauth',
    ],
    modes: ['user_triggered', 'on_demand', 'scheduled'],
  },
  'browser-extension': {
    name: 'browser-extension',
    description:
      'Browser extension: limited to the active tab (network, extension storage, clipboard, tab capture, notifications)',
    capabilities: ['network', 'websocket', 'storage', 'clipboard', 'screen_capture', 'notifications'],
    modes: ['user_triggered', 'on_demand'],
  },
  docker: {
    name: 'docker',
    description: 'Docker container: network, filesystem, shell and long-running work; no sensors, no desktop',
    capabilities: ['network', 'websocket', 'p2p', 'storage', 'filesystem', 'shell', 'background'],
    modes: [...ALL_MODES],
  },
  'raw-os': {
    name: 'raw-os',
    description:
      'A plain process on this machine (the default): everything a user process can do except sensors and wallets',
    capabilities: [
      'network',
      'websocket',
      'p2p',
      'storage',
      'filesystem',
      'keychain',
      'background',
      'notifications',
      'clipboard',
      'shell',
      'oauth',
      'signing',
    ],
    modes: [...ALL_MODES],
  },
});

/** Name of the profile used when none is given. */
export const DEFAULT_HOST_PROFILE = 'raw-os';

function invalid(file: string, why: string): ResolveError {
  return new ResolveError('RESOLVE_HOST_PROFILE', `host profile ${file} is malformed: ${why}`, {
    details: { file, why },
  });
}

/**
 * Reads a custom host profile (`agentlang.host/v1`, JSON or YAML):
 * `{ schema: agentlang.host/v1, name, description?, capabilities: [...], modes?: [...] }`.
 */
export function loadHostProfile(file: string): HostProfile {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'), { file });
  } catch (cause) {
    // A YAML problem is located (`host.yaml:3:1: duplicate key "name"`); an fs error is not.
    const yaml = cause instanceof SafeYamlError ? cause : undefined;
    throw new ResolveError(
      'RESOLVE_HOST_PROFILE',
      `host profile ${yaml ? yaml.message : `${file} cannot be read: ${(cause as Error).message}`}`,
      {
        cause,
        details: { file, ...(yaml && { line: yaml.details.line, column: yaml.details.column }) },
      },
    );
  }
  const d = doc as Record<string, unknown> | null;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw invalid(file, 'expected a mapping');
  if (d.schema !== 'agentlang.host/v1')
    throw invalid(file, `"schema" must be "agentlang.host/v1", found ${JSON.stringify(d.schema)}`);
  if (typeof d.name !== 'string' || d.name === '') throw invalid(file, '"name" must be a non-empty string');
  if (!Array.isArray(d.capabilities)) throw invalid(file, '"capabilities" must be a list');
  for (const c of d.capabilities) {
    if (!CAPABILITIES.includes(c as Capability))
      throw invalid(file, `unknown capability ${JSON.stringify(c)}; known: ${CAPABILITIES.join(', ')}`);
  }
  const modes = d.modes ?? ALL_MODES;
  if (!Array.isArray(modes)) throw invalid(file, '"modes" must be a list');
  for (const m of modes)
    if (!ALL_MODES.includes(m as PermissionMode))
      throw invalid(file, `unknown mode ${JSON.stringify(m)}; known: ${ALL_MODES.join(', ')}`);
  return {
    name: d.name,
    description: typeof d.description === 'string' ? d.description : `custom host profile ${file}`,
    capabilities: [...(d.capabilities as Capability[])],
    modes: [...(modes as PermissionMode[])],
  };
}

/** A profile by built-in name, a path to a custom file (contains `/` or ends in .json/.yaml/.yml), or an object. */
export function getHostProfile(profile: string | HostProfile | undefined): { profile: HostProfile; label: string } {
  if (profile === undefined) return { profile: HOST_PROFILES[DEFAULT_HOST_PROFILE]!, label: DEFAULT_HOST_PROFILE };
  if (typeof profile !== 'string') return { profile, label: profile.name };
  if (Object.hasOwn(HOST_PROFILES, profile)) return { profile: HOST_PROFILES[profile]!, label: profile };
  if (/[\\/]/.test(profile) || /\.(json|ya?ml)$/.test(profile))
    return { profile: loadHostProfile(profile), label: profile };
  throw new ResolveError(
    'RESOLVE_HOST_PROFILE',
    `unknown host profile "${profile}"; built-in profiles: ${Object.keys(HOST_PROFILES).join(', ')}, or give a path to an agentlang.host/v1 file`,
    { details: { profile, known: Object.keys(HOST_PROFILES) } },
  );
}
