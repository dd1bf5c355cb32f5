import { describe, expect, it } from 'vitest';
import { assertCoordinates, compareVersions, isAgentName, isTenant, isToolName, isVersion } from './names.js';
import { parseBind } from './start.js';

describe('coordinates', () => {
  it('accepts canonical tenants, names and versions', () => {
    expect(isTenant('alice')).toBe(true);
    expect(isTenant('team-42')).toBe(true);
    expect(isAgentName('research-assistant')).toBe(true);
    expect(isAgentName('demo_2')).toBe(true);
    expect(isToolName('web_search')).toBe(true);
    expect(isToolName('fs.read')).toBe(true);
    expect(isVersion('0.1.0')).toBe(true);
    expect(isVersion('1.0.0-rc.1')).toBe(true);
  });
  it.each(['Alice', 'alice.', '.alice', 'al/ice', '%61lice', '..', '', '-alice', 'alice-', 'a'.repeat(41)])(
    'refuses tenant %j',
    (t) => expect(isTenant(t)).toBe(false),
  );
  it.each(['Demo', 'demo.', 'de.mo', 'de/mo', '..', '%2e%2e', 'demo%2F..', ''])('refuses agent name %j', (n) =>
    expect(isAgentName(n)).toBe(false),
  );
  it.each(['fs..read', '.hidden', 'trailing.', 'a/b'])('refuses tool name %j', (n) =>
    expect(isToolName(n)).toBe(false),
  );
  it.each(['1.0', '01.0.0', '1.0.0+build', '1.0.0-', '1.0.0-a..b', 'v1.0.0', '1.0.0/..'])('refuses version %j', (v) =>
    expect(isVersion(v)).toBe(false),
  );
  it('reports every bad coordinate at once', () => {
    expect(() => assertCoordinates('Alice', 'de.mo', '1.0')).toThrow(/tenant 'Alice'.*name 'de\.mo'.*version '1\.0'/);
  });
});

describe('compareVersions', () => {
  it('orders by semver precedence', () => {
    const sorted = ['1.10.0', '1.2.0', '1.2.0-rc.1', '1.2.0-rc.10', '1.2.0-alpha', '0.9.9', '1.2.0-rc.2'].sort(
      compareVersions,
    );
    expect(sorted).toEqual(['0.9.9', '1.2.0-alpha', '1.2.0-rc.1', '1.2.0-rc.2', '1.2.0-rc.10', '1.2.0', '1.10.0']);
  });
  it('orders every version isVersion accepts, including a pre-release number with a leading zero', () => {
    expect(isVersion('1.0.0-rc.01')).toBe(true);
    expect(['1.0.0', '1.0.0-rc.01', '0.9.0'].sort(compareVersions)).toEqual(['0.9.0', '1.0.0-rc.01', '1.0.0']);
  });
});

describe('parseBind', () => {
  it('parses host:port forms', () => {
    expect(parseBind('127.0.0.1:8765')).toEqual({ host: '127.0.0.1', port: 8765 });
    expect(parseBind(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseBind('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
  });
  it.each(['8765', '127.0.0.1', 'host:99999', 'a:b'])('refuses %j', (b) =>
    expect(() => parseBind(b)).toThrow(expect.objectContaining({ code: 'REGISTRY_CONFIG' })),
  );
});
