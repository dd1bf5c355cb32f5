import { describe, expect, it } from 'vitest';
import * as client from './index.js';

describe('@agentlang/registry-client export map', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(client).sort()).toEqual(
      [
        'DEFAULT_MAX_PULL_BYTES',
        'OCI_ANNOTATIONS',
        'OCI_ARTIFACT_TYPE',
        'OCI_CONFIG_MEDIA_TYPE',
        'OCI_LAYER_MEDIA_TYPES',
        'OCI_MANIFEST_MEDIA_TYPE',
        'RegistryClient',
        'RegistryClientError',
        'RegistryClientErrorCode',
        'createRegistryBaseResolver',
        'createRegistryToolSource',
        'hashFile',
        'isLoopbackHost',
        'ociCredentialsFromEnv',
        'isOciReference',
        'ociReferenceFor',
        'parseOciRegistry',
        'isRegistryClientError',
        'parseAgentReference',
        'parseOciReference',
        'progressLogger',
        'publishAgent',
        'pullOci',
        'pushOci',
        'readPushable',
        'verifyArtifactFile',
      ].sort(),
    );
  });
  it('prefixes every client error code with REGISTRY_', () => {
    for (const code of Object.values(client.RegistryClientErrorCode)) expect(code).toMatch(/^REGISTRY_[A-Z_]+$/);
  });
});
