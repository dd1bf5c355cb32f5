import { thrownBy } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, SigningError, signingKeyFromEnv } from './index.js';

describe('signingKeyFromEnv', () => {
  const keys = generateSigningKeyPair();

  it('reads the key from the named variable, trimmed, with its public key', () => {
    expect(signingKeyFromEnv('AGENTLANG_SIGNING_KEY', { AGENTLANG_SIGNING_KEY: keys.privateKey })).toEqual(keys);
    expect(signingKeyFromEnv('K', { K: ` ${keys.privateKey}\n` }).publicKey).toBe(keys.publicKey);
  });

  it('never echoes a key: unset, malformed, or a key passed where a name belongs', () => {
    const unset = thrownBy(SigningError, () => signingKeyFromEnv('NOPE', {}));
    expect(unset.code).toBe('SIGNING_KEY_MISSING');
    expect(unset.message).toContain('NOPE');
    const bad = thrownBy(SigningError, () => signingKeyFromEnv('K', { K: `${keys.privateKey.slice(0, 60)}zz!!` }));
    expect(bad.code).toBe('SIGNING_KEY_INVALID');
    expect(bad.message).not.toContain(keys.privateKey.slice(0, 60));
    const asName = thrownBy(SigningError, () => signingKeyFromEnv(keys.privateKey, {}));
    expect(asName.code).toBe('SIGNING_KEY_MISSING');
    expect(asName.message).not.toContain(keys.privateKey);
    expect(thrownBy(SigningError, () => signingKeyFromEnv('not a name', {})).code).toBe('SIGNING_KEY_MISSING');
  });
});
