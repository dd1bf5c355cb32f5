import { describe, expect, it } from 'vitest';
import { ociReferenceFor, parseAgentReference, parseOciRegistry, parseOciReference } from './reference.js';

describe('parseAgentReference', () => {
  it('parses tenant/name@version with an optional sha256 pin', () => {
    expect(parseAgentReference('alice/demo@0.1.0')).toEqual({ tenant: 'alice', name: 'demo', version: '0.1.0' });
    expect(parseAgentReference(`alice/demo@1.0.0-rc.1#sha256:${'a'.repeat(64)}`)).toMatchObject({
      version: '1.0.0-rc.1',
      sha256: 'a'.repeat(64),
    });
  });
  it.each([
    'demo@0.1.0',
    'alice/demo',
    'Alice/demo@0.1.0',
    'alice/../demo@0.1.0',
    'alice/demo@01.0.0',
    'alice/demo@0.1',
    'alice/de/mo@0.1.0',
    'alice/demo.@0.1.0',
  ])('rejects %s with REGISTRY_BAD_REFERENCE', (text) => {
    expect(() => parseAgentReference(text)).toThrow(expect.objectContaining({ code: 'REGISTRY_BAD_REFERENCE' }));
  });
});

describe('parseOciReference', () => {
  it('parses host, repository, tag and digest; loopback defaults to plain HTTP', () => {
    expect(parseOciReference('oci://127.0.0.1:5000/agents/demo:0.1.0')).toEqual({
      host: '127.0.0.1:5000',
      repository: 'agents/demo',
      tag: '0.1.0',
      insecure: true,
    });
    expect(parseOciReference(`oci://ghcr.io/acme/demo@sha256:${'b'.repeat(64)}`)).toEqual({
      host: 'ghcr.io',
      repository: 'acme/demo',
      digest: `sha256:${'b'.repeat(64)}`,
      insecure: false,
    });
  });
  it.each([
    'oci://127.0.0.1:5000/demo',
    'oci://127.0.0.1:5000/Demo:1',
    'oci:///demo:1',
    'docker://x/y:1',
    'oci://h/a/../b:1',
  ])('rejects %s', (text) => {
    expect(() => parseOciReference(text)).toThrow(expect.objectContaining({ code: 'REGISTRY_BAD_REFERENCE' }));
  });
});

describe('parseOciRegistry / ociReferenceFor', () => {
  it('takes host:port[/prefix], oci:// and http(s):// URLs alike', () => {
    const expected = { host: '127.0.0.1:5000', repository: 'agents/demo', tag: '0.1.0', insecure: true };
    for (const registry of [
      '127.0.0.1:5000/agents',
      'oci://127.0.0.1:5000/agents/',
      'http://127.0.0.1:5000/agents',
      'HTTP://127.0.0.1:5000/agents//',
    ]) {
      expect(ociReferenceFor(registry, 'demo', '0.1.0')).toEqual(expected);
    }
    expect(ociReferenceFor('https://127.0.0.1:5000', 'demo', '0.1.0')).toEqual({
      host: '127.0.0.1:5000',
      repository: 'demo',
      tag: '0.1.0',
      insecure: false,
    });
    expect(ociReferenceFor('http://registry.internal:5000/team', 'demo', '1.0.0')).toMatchObject({
      host: 'registry.internal:5000',
      insecure: true,
    });
    expect(parseOciRegistry('ghcr.io/acme')).toEqual({ base: 'oci://ghcr.io/acme', insecure: false });
  });
  it.each(['http://', 'http://user:pw@host/agents', 'http://host/Agents', 'ftp://host/x', 'http://host:5000/a?b=c'])(
    'rejects %s',
    (text) => {
      expect(() => parseOciRegistry(text)).toThrow(
        expect.objectContaining({
          code: 'REGISTRY_BAD_REFERENCE',
          message: expect.stringContaining('http://127.0.0.1:5000/agents'),
        }),
      );
    },
  );
});
