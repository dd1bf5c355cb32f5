import { describe, expect, it } from 'vitest';
import * as signing from './index.js';

describe('@agentlang/signing exports', () => {
  it('pins the public surface (adding or removing an export is a deliberate act)', () => {
    expect(Object.keys(signing).sort()).toEqual([
      'MAX_SIGNATURES',
      'SigningError',
      'SigningErrorCode',
      'decodeBase64Strict',
      'decodeKeyHex',
      'envelopeFromJson',
      'generateSigningKeyPair',
      'keyIdFor',
      'keyIdOf',
      'looksLikeEnvelope',
      'parseEnvelope',
      'preAuthEncoding',
      'privateKeyObject',
      'publicKeyFor',
      'publicKeyObject',
      'rawPublicKey',
      'serializeEnvelope',
      'signEnvelope',
      'signingKeyFromEnv',
      'verifyEnvelope',
      'verifyEnvelopeDetailed',
    ]);
  });

  it('every error code is SIGNING_-prefixed', () => {
    for (const code of Object.values(signing.SigningErrorCode)) expect(code).toMatch(/^SIGNING_[A-Z_]+$/);
  });
});
