import { resolve } from 'node:path';
import type { ProbeExecutor, ResolveOptions } from '@agentlang/resolver';
import type { CommandContext } from './command.js';
import { CliError, CliErrorCode } from './errors.js';
import type { RESOLVE_FLAGS } from './commands/index.js';

/** Splits `http://host:port[/prefix]/<tenant>` into the registry URL and the tenant. */
export function parseToolRegistry(value: string): { url: string; tenant: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(
      CliErrorCode.Flag,
      `--tool-registry takes URL/<tenant> (e.g. http://127.0.0.1:8765/alice); found ${JSON.stringify(value)}`,
      { details: { flag: 'tool-registry', value } },
    );
  }
  const parts = url.pathname.split('/').filter(Boolean);
  const tenant = parts.pop();
  if (!tenant || !['http:', 'https:'].includes(url.protocol)) {
    throw new CliError(
      CliErrorCode.Flag,
      `--tool-registry takes an http(s) URL ending in the tenant (e.g. http://127.0.0.1:8765/alice); found ${JSON.stringify(value)}`,
      {
        details: { flag: 'tool-registry', value },
      },
    );
  }
  url.pathname = parts.length > 0 ? `/${parts.join('/')}` : '/';
  return { url: url.toString(), tenant };
}

/**
 * The runner's sandboxed probe executor (dependency checks and MCP servers run in the agent's
 * sandbox), loaded only when the agent has something to probe.
 */
export function sandboxProbeExecutor(
  ctx: Pick<CommandContext, 'env' | 'log'>,
  options: { unsafeNoIsolation?: boolean } = {},
): ProbeExecutor {
  let inner: ProbeExecutor | undefined;
  return {
    get name() {
      return inner?.name ?? 'sandbox';
    },
    async start(request) {
      if (!inner) {
        const { createSandboxProbeExecutor } = await import('@agentlang/runner');
        inner = createSandboxProbeExecutor({
          env: ctx.env,
          log: ctx.log,
          ...(options.unsafeNoIsolation ? { unsafeNoIsolation: true } : {}),
        });
      }
      return inner.start(request);
    },
  };
}

/** Builds the resolver options those flags describe; the registry client loads only when asked for. */
export async function resolveOptionsFromFlags(ctx: CommandContext<typeof RESOLVE_FLAGS>): Promise<ResolveOptions> {
  const host = ctx.values.host;
  const models = ctx.values.models;
  const registries = ctx.values['tool-registry'].map(parseToolRegistry);
  const toolSources =
    registries.length === 0
      ? []
      : await import('@agentlang/registry-client').then(({ createRegistryToolSource }) =>
          registries.map((r) =>
            createRegistryToolSource({
              url: r.url,
              tenant: r.tenant,
              ...(ctx.env.AGENTLANG_API_KEY ? { apiKey: ctx.env.AGENTLANG_API_KEY } : {}),
            }),
          ),
        );
  return {
    env: ctx.env,
    strict: ctx.values.strict,
    toolCatalogs: ctx.values.catalog.map((d) => resolve(ctx.cwd, d)),
    ...(toolSources.length > 0 ? { toolSources } : {}),
    ...(host !== undefined ? { hostProfile: /[\\/]|\.(json|ya?ml)$/.test(host) ? resolve(ctx.cwd, host) : host } : {}),
    ...(models !== undefined ? { modelCatalog: resolve(ctx.cwd, models) } : {}),
    allowEnv: ctx.values['allow-env'],
    probeExecutor: sandboxProbeExecutor(ctx),
  };
}
