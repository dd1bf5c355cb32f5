import { describe, expect, it } from 'vitest';
import * as registry from './index.js';

describe('@agentlang/registry export map', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(registry).sort()).toEqual(
      [
        'ARTIFACT_MEDIA_TYPES',
        'DirectoryStorage',
        'MAX_TOOL_BYTES',
        'REGISTRY_API_VERSION',
        'REGISTRY_ERROR_STATUS',
        'RegistryError',
        'RegistryErrorCode',
        'assertCoordinates',
        'authenticate',
        'compareVersions',
        'createRegistryServer',
        'hashApiKey',
        'identifyArtifact',
        'identifyTool',
        'isAgentName',
        'isRegistryError',
        'isTenant',
        'isToolName',
        'isVersion',
        'namespaceOf',
        'parseApiKeysEnv',
        'parseBind',
        'readKeysFile',
        'startRegistry',
      ].sort(),
    );
  });
  it('documents every error code with a status', () => {
    expect(Object.keys(registry.REGISTRY_ERROR_STATUS).sort()).toEqual(
      Object.values(registry.RegistryErrorCode).sort(),
    );
    for (const [code, status] of Object.entries(registry.REGISTRY_ERROR_STATUS)) {
      expect(code).toMatch(/^REGISTRY_[A-Z_]+$/);
      expect(status).toBeGreaterThanOrEqual(400);
    }
  });
});
