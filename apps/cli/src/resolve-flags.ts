import { resolve } from 'node:path';
import type { ProbeExecutor, ResolveOptions } from '@agentlang/resolver';
import type { CommandContext, CommandOptions } from './command.js';

/**
 * The resolver flags `resolve`, `lock` and `run` share: a lock only matches a plan resolved the
 * same way, so the three verbs must read them identically.
 */
export const RESOLVE_FLAGS: CommandOptions = {
  strict: { type: 'boolean' },
  catalog: { type: 'string', multiple: true },
  'tool-registry': { type: 'string', multiple: true },
  host: { type: 'string' },
  models: { type: 'string' },
  'allow-env': { type: 'string', multiple: true },
};

/** Help lines for {@link RESOLVE_FLAGS}. */
export const RESOLVE_FLAGS_HELP =
  '  --strict             unknown models and anything missing (runtime binary, dependency, credentials) fail\n' +
  '  --catalog DIR        a local tool catalog (DIR/<tool>/<version>.json); repeatable, searched before built-ins\n' +
  '  --tool-registry URL  tools a tenant published to a registry, as URL/<tenant>\n' +
  '                       (e.g. http://127.0.0.1:8765/alice); repeatable\n' +
  '  --host PROFILE       host capability profile: claude-desktop, replit, rush-desktop, mobile,\n' +
  '                       browser-extension, docker, raw-os (default), or an agentlang.host/v1 file\n' +
  '  --models FILE        extra models (an agentlang.models/v1 file)\n' +
  '  --allow-env NAME     let a packed agent (container, pull) read host variable NAME through its\n' +
  '                       {{.env.NAME}} templates; repeatable (working-tree agents need no consent)\n';

function strings(value: string | boolean | string[] | undefined): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  return Array.isArray(value) ? value : [value];
}

/** A usage mistake in a resolver flag (exit 2). */
class ResolveFlagError extends Error {
  readonly code = 'USAGE_RESOLVE_FLAG';
}

/** Splits `http://host:port[/prefix]/<tenant>` into the registry URL and the tenant. */
export function parseToolRegistry(value: string): { url: string; tenant: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ResolveFlagError(`--tool-registry takes URL/<tenant> (e.g. http://127.0.0.1:8765/alice); found ${JSON.stringify(value)}`);
  }
  const parts = url.pathname.split('/').filter(Boolean);
  const tenant = parts.pop();
  if (!tenant || !['http:', 'https:'].includes(url.protocol)) {
    throw new ResolveFlagError(`--tool-registry takes an http(s) URL ending in the tenant (e.g. http://127.0.0.1:8765/alice); found ${JSON.stringify(value)}`);
  }
  url.pathname = parts.length > 0 ? `/${parts.join('/')}` : '/';
  return { url: url.toString(), tenant };
}

/**
 * The runner's sandboxed probe executor (dependency checks and MCP servers run in the agent's
 * sandbox), loaded only when the agent has something to probe.
 */
export function sandboxProbeExecutor(ctx: CommandContext, options: { unsafeNoIsolation?: boolean } = {}): ProbeExecutor {
  let inner: ProbeExecutor | undefined;
  return {
    get name() {
      return inner?.name ?? 'sandbox';
    },
    async start(request) {
      if (!inner) {
        const { createSandboxProbeExecutor } = await import('@agentlang/runner');
        inner = createSandboxProbeExecutor({ env: ctx.env, log: ctx.log, ...(options.unsafeNoIsolation ? { unsafeNoIsolation: true } : {}) });
      }
      return inner.start(request);
    },
  };
}

/** Builds the resolver options those flags describe; the registry client loads only when asked for. */
export async function resolveOptionsFromFlags(ctx: CommandContext): Promise<ResolveOptions> {
  const host = ctx.values.host;
  const models = ctx.values.models;
  const registries = strings(ctx.values['tool-registry']).map(parseToolRegistry);
  const toolSources =
    registries.length === 0
      ? []
      : await import('@agentlang/registry-client').then(({ createRegistryToolSource }) =>
          registries.map((r) => createRegistryToolSource({ url: r.url, tenant: r.tenant, ...(ctx.env.AGENTLANG_API_KEY ? { apiKey: ctx.env.AGENTLANG_API_KEY } : {}) })),
        );
  return {
    env: ctx.env,
    strict: ctx.values.strict === true,
    toolCatalogs: strings(ctx.values.catalog).map((d) => resolve(ctx.cwd, d)),
    ...(toolSources.length > 0 ? { toolSources } : {}),
    ...(typeof host === 'string' ? { hostProfile: /[\\/]|\.(json|ya?ml)$/.test(host) ? resolve(ctx.cwd, host) : host } : {}),
    ...(typeof models === 'string' ? { modelCatalog: resolve(ctx.cwd, models) } : {}),
    allowEnv: strings(ctx.values['allow-env']),
    probeExecutor: sandboxProbeExecutor(ctx),
  };
}
