import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import { trustedKeys } from '../input-flags.js';
import type { PULL } from './index.js';

/** `agentlang pull <tenant/name@version | oci://…> --out FILE`: fetches and verifies an agent. */
export async function run(ctx: ContextOf<typeof PULL>): Promise<CommandResult> {
  const [reference] = ctx.positionals as [string];
  const { out, 'max-size-mib': maxSizeMib } = ctx.values;
  const client = await import('@agentlang/registry-client');
  // --pubkey, else AGENTLANG_PUBKEY: a key given either way means a signed container or nothing.
  const publicKeys = trustedKeys(ctx);
  const common = {
    cwd: ctx.cwd,
    ...(out ? { out } : {}),
    ...(publicKeys.length > 0 ? { publicKeys } : {}),
    ...(maxSizeMib !== undefined ? { maxBytes: maxSizeMib * (1 << 20) } : {}),
  };
  const onProgress = client.progressLogger(ctx.log);
  const { relative } = await import('node:path');
  const shown = (path: string) => out ?? relative(ctx.cwd, path);
  if (client.isOciReference(reference)) {
    const result = await client.pullOci(reference, { ...common, onProgress, ...client.ociCredentialsFromEnv(ctx.env) });
    return { text: `Fetched ${result.name}@${result.version}  ${shown(result.path)}`, data: result };
  }
  const registry = ctx.values.registry ?? ctx.env.AGENTLANG_REGISTRY;
  if (!registry)
    throw new CliError(
      CliErrorCode.Flag,
      'no registry: pass --registry URL (e.g. http://127.0.0.1:8765) or set AGENTLANG_REGISTRY',
      { details: { flag: 'registry' } },
    );
  const apiKey = ctx.values['api-key'] ?? ctx.env.AGENTLANG_API_KEY;
  const result = await new client.RegistryClient({ url: registry, ...(apiKey ? { apiKey } : {}), onProgress }).pull(
    reference,
    common,
  );
  return { text: `Fetched ${result.name}@${result.version}  ${shown(result.path)}`, data: result };
}
