import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import type { PUSH } from './index.js';

/** `agentlang push <agent|container> [oci://…]`: pushes to the AgentLang registry or an OCI registry. */
export async function run(ctx: ContextOf<typeof PUSH>): Promise<CommandResult> {
  const [target, destination] = ctx.positionals as [string, string | undefined];
  const { resolve } = await import('node:path');
  const client = await import('@agentlang/registry-client');
  const path = resolve(ctx.cwd, target);
  const registry = ctx.values.registry ?? ctx.env.AGENTLANG_REGISTRY;
  const onProgress = client.progressLogger(ctx.log);
  if (destination !== undefined || ctx.values.oci) {
    let reference = destination;
    let insecure: boolean | undefined;
    if (reference === undefined) {
      if (!registry)
        throw new CliError(
          CliErrorCode.Flag,
          '--oci needs --registry http://host:port[/prefix] (or an oci://host:port/repo:tag argument)',
          { details: { flag: 'registry' } },
        );
      const artifact = await client.readPushable(path);
      const target = client.ociReferenceFor(registry, artifact.name, artifact.version);
      insecure = target.insecure;
      reference = `oci://${target.host}/${target.repository}:${target.tag}`;
    }
    if (!client.isOciReference(reference))
      throw new CliError(CliErrorCode.Argument, `'${reference}' is not an oci:// reference`, {
        details: { argument: 'oci-reference', value: reference.slice(0, 80) },
      });
    const result = await client.pushOci(path, reference, {
      onProgress,
      ...(insecure !== undefined ? { insecure } : {}),
      ...client.ociCredentialsFromEnv(ctx.env),
    });
    return {
      text: `Pushed ${result.name}@${result.version}  ${result.reference}  ${result.manifestDigest}`,
      data: result,
    };
  }
  if (!registry)
    throw new CliError(
      CliErrorCode.Flag,
      'no registry: pass --registry URL (e.g. http://127.0.0.1:8765) or set AGENTLANG_REGISTRY',
      { details: { flag: 'registry' } },
    );
  const apiKey = ctx.values['api-key'] ?? ctx.env.AGENTLANG_API_KEY;
  const { tenant } = ctx.values;
  const result = await new client.RegistryClient({ url: registry, ...(apiKey ? { apiKey } : {}), onProgress }).push(
    path,
    tenant ? { tenant } : {},
  );
  const note = result.created ? '' : '  (already there, unchanged)';
  return { text: `Pushed ${result.name}@${result.version}  tenant '${result.tenant}'${note}`, data: result };
}
