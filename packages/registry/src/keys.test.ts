import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { authenticate, hashApiKey, parseApiKeysEnv, readKeysFile } from './keys.js';

describe('API keys', () => {
  it('parses AGENTLANG_API_KEYS into hashes only and finds the owner of a key', () => {
    const store = parseApiKeysEnv('alice:alice-key, bob:bob-key,alice:second:key-with-colon');
    expect([...store.tenants.keys()]).toEqual(['alice', 'bob']);
    expect(JSON.stringify([...store.tenants.values()])).not.toContain('alice-key');
    expect(authenticate(store, 'alice-key')).toBe('alice');
    expect(authenticate(store, 'second:key-with-colon')).toBe('alice');
    expect(authenticate(store, 'bob-key')).toBe('bob');
    for (const wrong of ['', 'alice', 'alice-key ', 'ALICE-KEY', 'bob-key\n'])
      expect(authenticate(store, wrong)).toBeUndefined();
  });

  it.each(['alice', 'alice:', ':key', 'Alice:key', 'al.ice:key'])(
    'refuses %j with REGISTRY_CONFIG and an example',
    (value) => {
      expect(() => parseApiKeysEnv(value)).toThrow(expect.objectContaining({ code: 'REGISTRY_CONFIG' }));
    },
  );

  it('reads a keys file of hashes, with private tenants', () => {
    const dir = makeTempDir();
    const file = join(dir, 'keys.json');
    writeFileSync(
      file,
      JSON.stringify({
        schema: 'agentlang.registry.keys/v1',
        tenants: { finance: { keys: [hashApiKey('fin-key')], private: true }, ops: { keys: [hashApiKey('ops-key')] } },
      }),
    );
    const store = readKeysFile(file);
    expect(authenticate(store, 'fin-key')).toBe('finance');
    expect(store.tenants.get('finance')!.private).toBe(true);
    expect(store.tenants.get('ops')!.private).toBe(false);
  });

  it('reads publisher keys (signers) and refuses malformed ones', () => {
    const dir = makeTempDir();
    const file = join(dir, 'keys.json');
    const signer = 'ab'.repeat(32);
    writeFileSync(
      file,
      JSON.stringify({
        schema: 'agentlang.registry.keys/v1',
        tenants: { acme: { keys: [hashApiKey('k')], signers: [signer] } },
      }),
    );
    expect(readKeysFile(file).tenants.get('acme')!.signers).toEqual([signer]);
    writeFileSync(
      file,
      JSON.stringify({
        schema: 'agentlang.registry.keys/v1',
        tenants: { acme: { keys: [hashApiKey('k')], signers: ['not-hex'] } },
      }),
    );
    expect(() => readKeysFile(file)).toThrow(/signers/);
  });

  it('refuses a keys file holding a plain key instead of a hash', () => {
    const dir = makeTempDir();
    const file = join(dir, 'keys.json');
    writeFileSync(
      file,
      JSON.stringify({ schema: 'agentlang.registry.keys/v1', tenants: { ops: { keys: ['ops-key'] } } }),
    );
    expect(() => readKeysFile(file)).toThrow(/store hashes, never keys/);
  });

  it('hashes keys as sha256:<hex>', () => {
    expect(hashApiKey('alice-key')).toBe(`sha256:${createHash('sha256').update('alice-key').digest('hex')}`);
    expect(hashApiKey('alice-key')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
