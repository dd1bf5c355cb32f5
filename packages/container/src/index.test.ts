import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@agentlang/container exports', () => {
  it('pins the public API', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'CONTAINER_PAYLOAD_TYPE',
        'CONTEXT_DIR',
        'ContainerError',
        'ContainerErrorCode',
        'DEFAULT_SCRYPT',
        'ENCRYPTED_PROMPT_ENTRY',
        'IDENTITY_PREFIX',
        'INDEX_ENTRY',
        'INDEX_FORMAT',
        'LOCK_ENTRY',
        'PROMPT_FILE',
        'RECIPIENT_PREFIX',
        'SIGNATURE_ENTRY',
        'buildContainer',
        'decryptPrompt',
        'encryptPrompt',
        'generateX25519Identity',
        'inspectContainer',
        'keyIdOf',
        'loadContainerAgent',
        'openContainer',
        'packContainer',
        'parseIdentity',
        'parseIndex',
        'parseRecipient',
        'serializeIndex',
        'unpackContainer',
        'verifyContainer',
        'walkContainer',
        'TAR_BLOCK',
        'encodeTarHeader',
        'listTarEntries',
        'tarPaddingFor',
      ].sort(),
    );
    expect(Object.values(api.ContainerErrorCode).every((c) => c.startsWith('CONTAINER_'))).toBe(true);
  });
});
