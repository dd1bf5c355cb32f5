import { type CommandContext, type CommandResult, parseIntegerOption } from '../command.js';
import { trustedKeys } from '../input-flags.js';

class PullUsageError extends Error {
  readonly code = 'USAGE_ARGUMENTS';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `agentlang pull <tenant/name@version | oci://…> --out FILE`: fetches and verifies an agent. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [reference, ...extra] = ctx.positionals;
  if (!reference || extra.length > 0) throw new PullUsageError('expected: agentlang pull <tenant/name@version> --registry URL [--out FILE]  (or: agentlang pull oci://host:port/repo:tag --out FILE)');
  const maxSizeMib = parseIntegerOption('max-size-mib', ctx.values['max-size-mib'], { min: 1, max: 1 << 20 });
  const client = await import('@agentlang/registry-client');
  const out = str(ctx.values.out);
  // --pubkey, else AGENTLANG_PUBKEY: a key given either way means a signed container or nothing.
  const publicKeys = trustedKeys(ctx);
  const common = { cwd: ctx.cwd, ...(out ? { out } : {}), ...(publicKeys.length > 0 ? { publicKeys } : {}), ...(maxSizeMib !== undefined ? { maxBytes: maxSizeMib * (1 << 20) } : {}) };
  const onProgress = client.progressLogger(ctx.log);
  const { relative } = await import('node:path');
  const shown = (path: string) => out ?? relative(ctx.cwd, path);
  if (client.isOciReference(reference)) {
    const result = await client.pullOci(reference, { ...common, onProgress, ...client.ociCredentialsFromEnv(ctx.env) });
    return { text: `Fetched ${result.name}@${result.version}  ${shown(result.path)}`, data: result };
  }
  const registry = str(ctx.values.registry) ?? ctx.env.AGENTLANG_REGISTRY;
  if (!registry) throw new PullUsageError('no registry: pass --registry URL (e.g. http://127.0.0.1:8765) or set AGENTLANG_REGISTRY');
  const apiKey = str(ctx.values['api-key']) ?? ctx.env.AGENTLANG_API_KEY;
  const result = await new client.RegistryClient({ url: registry, ...(apiKey ? { apiKey } : {}), onProgress }).pull(reference, common);
  return { text: `Fetched ${result.name}@${result.version}  ${shown(result.path)}`, data: result };
}
