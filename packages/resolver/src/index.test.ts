import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@agentlang/resolver exports', () => {
  it('pins the runtime export map (adding or removing a symbol is deliberate)', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "BUILTIN_MODELS",
        "BUILTIN_TOOLS",
        "CAPABILITY_TIERS",
        "DEFAULT_HOST_PROFILE",
        "DEFAULT_MAX_DEPTH",
        "HOST_PROFILES",
        "HOST_RUNTIME_ENV",
        "LOCAL_PROVIDERS",
        "MCP_CLIENT_CAPABILITIES",
        "PROVIDER_BASE_URL_ENV",
        "PROVIDER_KEY_ENV",
        "PROVIDER_PREFIXES",
        "RUNTIMES",
        "RUNTIME_ALIASES",
        "ResolveError",
        "ResolveErrorCode",
        "agentEnvironment",
        "assertEnvConsent",
        "assertNoArgvTemplates",
        "canonicalJson",
        "checkDependencies",
        "checkPermissions",
        "compileSystemPrompt",
        "createBuiltinToolSource",
        "createLocalCatalogSource",
        "detectAuth",
        "digestJson",
        "envConsentRequired",
        "findRuntime",
        "formatPlanText",
        "getHostProfile",
        "hostInfo",
        "inferProvider",
        "installHintFor",
        "isLocalBaseUrl",
        "loadHostProfile",
        "loadModelCatalog",
        "lookupModel",
        "probeAgentOf",
        "probeMcpServer",
        "promptTargetFor",
        "redact",
        "renderEnvTemplate",
        "resolvePlan",
        "resolveSubAgents",
        "resolveTool",
        "selectRuntime",
        "sha256",
        "stripProviderPrefix",
        "subAgentFiles",
        "templateVariables",
      ]
    `);
  });

  it('every error code starts with RESOLVE_', () => {
    for (const code of Object.values(api.ResolveErrorCode)) expect(code).toMatch(/^RESOLVE_[A-Z_]+$/);
    const e = new api.ResolveError('RESOLVE_MISSING', 'x', { details: { a: 1 }, cause: new Error('c') });
    expect([e.code, e.details, (e.cause as Error).message, e.name]).toEqual([
      'RESOLVE_MISSING',
      { a: 1 },
      'c',
      'ResolveError',
    ]);
  });
});
