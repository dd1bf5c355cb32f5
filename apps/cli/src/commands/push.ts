import type { CommandContext, CommandResult } from '../command.js';

class PushUsageError extends Error {
  readonly code = 'USAGE_ARGUMENTS';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `agentlang push <agent|container> [oci://…]`: pushes to the AgentLang registry or an OCI registry. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [target, destination, ...extra] = ctx.positionals;
  if (!target || extra.length > 0) throw new PushUsageError('expected: agentlang push <agent.yaml | container> --registry URL --api-key KEY  (or: agentlang push <file> oci://host:port/repo:tag)');
  const { resolve } = await import('node:path');
  const client = await import('@agentlang/registry-client');
  const path = resolve(ctx.cwd, target);
  const registry = str(ctx.values.registry) ?? ctx.env.AGENTLANG_REGISTRY;
  const onProgress = client.progressLogger(ctx.log);
  if (destination !== undefined || ctx.values.oci === true) {
    let reference = destination;
    let insecure: boolean | undefined;
    if (reference === undefined) {
      if (!registry) throw new PushUsageError('--oci needs --registry http://host:port[/prefix] (or an oci://host:port/repo:tag argument)');
      const artifact = await client.readPushable(path);
      const target = client.ociReferenceFor(registry, artifact.name, artifact.version);
      insecure = target.insecure;
      reference = `oci://${target.host}/${target.repository}:${target.tag}`;
    }
    if (!client.isOciReference(reference)) throw new PushUsageError(`'${reference}' is not an oci:// reference`);
    const result = await client.pushOci(path, reference, { onProgress, ...(insecure !== undefined ? { insecure } : {}), ...client.ociCredentialsFromEnv(ctx.env) });
    return { text: `Pushed ${result.name}@${result.version}  ${result.reference}  ${result.manifestDigest}`, data: result };
  }
  if (!registry) throw new PushUsageError('no registry: pass --registry URL (e.g. http://127.0.0.1:8765) or set AGENTLANG_REGISTRY');
  const apiKey = str(ctx.values['api-key']) ?? ctx.env.AGENTLANG_API_KEY;
  const tenant = str(ctx.values.tenant);
  const result = await new client.RegistryClient({ url: registry, ...(apiKey ? { apiKey } : {}), onProgress }).push(path, tenant ? { tenant } : {});
  const note = result.created ? '' : '  (already there, unchanged)';
  return { text: `Pushed ${result.name}@${result.version}  tenant '${result.tenant}'${note}`, data: result };
}
