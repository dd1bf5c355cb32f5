import type { PermissionsSpec } from '@agentlang/manifest';
import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { ResolveError } from './errors.js';
import { getHostProfile, HOST_PROFILES } from './host-profiles.js';
import { checkPermissions } from './permissions.js';

const perms = (p: Partial<PermissionsSpec>): PermissionsSpec => ({ required: [], optional: [], settings: {}, ...p });

function denied(fn: () => unknown): ResolveError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ResolveError);
    return error as ResolveError;
  }
  throw new Error('expected a ResolveError');
}

describe('host profiles', () => {
  it('has a built-in profile for every host the spec lists, plus docker and raw-os', () => {
    expect(Object.keys(HOST_PROFILES).sort()).toEqual([
      'browser-extension',
      'claude-desktop',
      'docker',
      'mobile',
      'raw-os',
      'replit',
      'rush-desktop',
    ]);
    expect(getHostProfile(undefined).label).toBe('raw-os');
    expect(HOST_PROFILES['claude-desktop']!.modes).toEqual(['user_triggered']);
    expect(HOST_PROFILES['rush-desktop']!.capabilities).toHaveLength(17);
  });

  it('an unknown profile name lists the built-ins', () => {
    const e = denied(() => getHostProfile('kubernetes'));
    expect(e.code).toBe('RESOLVE_HOST_PROFILE');
    expect(e.message).toContain('claude-desktop');
  });

  it('loads a custom YAML or JSON profile and rejects a malformed one', () => {
    const dir = writeTree(makeTempDir(), {
      'kiosk.yaml':
        'schema: agentlang.host/v1\nname: kiosk\ncapabilities: [network, camera]\nmodes: [user_triggered]\n',
      'bad.json': JSON.stringify({ schema: 'agentlang.host/v1', name: 'bad', capabilities: ['telepathy'] }),
    });
    const { profile, label } = getHostProfile(`${dir}/kiosk.yaml`);
    expect(profile).toMatchObject({ name: 'kiosk', capabilities: ['network', 'camera'], modes: ['user_triggered'] });
    expect(label).toBe(`${dir}/kiosk.yaml`);
    expect(denied(() => getHostProfile(`${dir}/bad.json`)).message).toContain('unknown capability "telepathy"');
  });
});

describe('checkPermissions', () => {
  it('grants what the host offers and lists missing optional capabilities as degraded', () => {
    const p = perms({ required: ['network', 'storage'], optional: ['microphone', 'camera', 'filesystem'] });
    const r = checkPermissions(p, HOST_PROFILES.replit!, 'replit');
    expect(r.permissions).toEqual({
      host: 'replit',
      required: ['network', 'storage'],
      optional: ['microphone', 'camera', 'filesystem'],
      granted: ['network', 'storage', 'filesystem'],
      degraded: ['microphone', 'camera'],
    });
    expect(r.warnings[0]).toContain('optional capability microphone unavailable: replit does not offer microphone');
  });

  it('a missing required capability fails before run, naming it and the fix', () => {
    const p = perms({ required: ['camera', 'background', 'notifications'] });
    const e = denied(() => checkPermissions(p, HOST_PROFILES['claude-desktop']!, 'claude-desktop'));
    expect(e.code).toBe('RESOLVE_PERMISSION_DENIED');
    expect(e.message).toContain('claude-desktop does not offer camera');
    expect(e.message).toContain('claude-desktop does not offer background');
    expect(e.message).toContain('--host');
    expect(e.details.denied).toHaveLength(3);
  });

  it('checks the permission mode: scheduled camera is refused by a host without scheduled mode', () => {
    const p = perms({ required: ['camera'], settings: { camera: { mode: 'scheduled' } } });
    expect(checkPermissions(p, HOST_PROFILES.mobile!, 'mobile').permissions.granted).toEqual(['camera']);
    const e = denied(() => checkPermissions(p, HOST_PROFILES['browser-extension']!, 'browser-extension'));
    expect(e.message).toContain('does not offer camera');
    const continuous = perms({ required: ['microphone'], settings: { microphone: { mode: 'continuous' } } });
    expect(denied(() => checkPermissions(continuous, HOST_PROFILES.mobile!, 'mobile')).message).toContain(
      'does not allow mode continuous for microphone',
    );
    expect(checkPermissions(continuous, HOST_PROFILES['rush-desktop']!, 'rush-desktop').permissions.granted).toEqual([
      'microphone',
    ]);
  });
});
