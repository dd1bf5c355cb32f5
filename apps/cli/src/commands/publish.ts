import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import { resolveOptionsFromFlags, sandboxProbeExecutor } from '../resolve-flags.js';
import type { PUBLISH } from './index.js';

/** `agentlang publish <agent>`: builds the signed container and pushes it. */
export async function run(ctx: ContextOf<typeof PUBLISH>): Promise<CommandResult> {
  const [target, destination] = ctx.positionals as [string, string | undefined];
  const { resolve } = await import('node:path');
  const { signingKeyFromEnv } = await import('@agentlang/lock');
  const client = await import('@agentlang/registry-client');
  const signEnv = ctx.values['sign-key-env'] ?? (ctx.env.AGENTLANG_SIGNING_KEY ? 'AGENTLANG_SIGNING_KEY' : undefined);
  const signingKeys = signEnv ? [signingKeyFromEnv(signEnv, ctx.env).privateKey] : [];
  const recipients = [...ctx.values.recipient];
  if (recipients.length === 0 && ctx.env.AGENTLANG_RECIPIENT)
    recipients.push(...ctx.env.AGENTLANG_RECIPIENT.split(/[\s,]+/).filter(Boolean));
  const passEnv = ctx.values['passphrase-env'];
  const passphrase = passEnv ? ctx.env[passEnv] : undefined;
  if (passEnv && !passphrase)
    throw new CliError(
      CliErrorCode.Env,
      `environment variable ${passEnv} (named by --passphrase-env) is not set or empty`,
      { details: { flag: 'passphrase-env', variable: passEnv } },
    );
  const onProgress = client.progressLogger(ctx.log);
  const registry = ctx.values.registry ?? ctx.env.AGENTLANG_REGISTRY;
  let to: InstanceType<typeof client.RegistryClient> | string;
  let insecure: boolean | undefined;
  if (destination !== undefined) to = destination;
  else if (ctx.values.oci) {
    if (!registry)
      throw new CliError(CliErrorCode.Flag, '--oci needs --registry http://host:port[/prefix]', {
        details: { flag: 'registry' },
      });
    const target = client.parseOciRegistry(registry);
    insecure = target.insecure;
    to = `${target.base}/{name}:{version}`;
  } else {
    if (!registry)
      throw new CliError(
        CliErrorCode.Flag,
        'no registry: pass --registry URL (e.g. http://127.0.0.1:8765) or set AGENTLANG_REGISTRY',
        { details: { flag: 'registry' } },
      );
    const apiKey = ctx.values['api-key'] ?? ctx.env.AGENTLANG_API_KEY;
    to = new client.RegistryClient({ url: registry, ...(apiKey ? { apiKey } : {}), onProgress });
  }
  const { tenant, out } = ctx.values;
  const result = await client.publishAgent(resolve(ctx.cwd, target), {
    build: {
      cwd: ctx.cwd,
      ...(out ? { out: resolve(ctx.cwd, out) } : {}),
      signingKeys,
      recipients,
      ...(passphrase ? { passphrase } : {}),
      ...(ctx.values.frozen ? { frozen: true } : {}),
      env: ctx.env,
      // Dependency checks and MCP servers run in the agent's sandbox, never on the host.
      resolve: {
        ...(await resolveOptionsFromFlags(ctx)),
        ...(ctx.values.runtime !== undefined ? { runtime: ctx.values.runtime } : {}),
        probeExecutor: sandboxProbeExecutor(ctx),
      },
    },
    to,
    ...(tenant ? { tenant } : {}),
    allowUnsigned: ctx.values['allow-unsigned'],
    oci: { onProgress, ...(insecure !== undefined ? { insecure } : {}), ...client.ociCredentialsFromEnv(ctx.env) },
  });
  const { relative } = await import('node:path');
  const where = 'tenant' in result.pushed ? `tenant '${result.pushed.tenant}'` : result.pushed.reference;
  return {
    text: [
      `Built ${relative(ctx.cwd, result.container)} (${result.signed ? 'signed' : 'UNSIGNED'})`,
      `Published ${result.pushed.name}@${result.pushed.version}  ${where}`,
    ].join('\n'),
    data: result,
  };
}
