import type { CommandContext, CommandResult } from '../command.js';
import { resolveOptionsFromFlags, sandboxProbeExecutor } from '../resolve-flags.js';

class PublishUsageError extends Error {
  readonly code = 'USAGE_ARGUMENTS';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** `agentlang publish <agent>`: builds the signed container and pushes it. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [target, destination, ...extra] = ctx.positionals;
  if (!target || extra.length > 0) throw new PublishUsageError('expected: agentlang publish <agent> --registry URL --api-key KEY [--sign-key-env VAR]  (or: agentlang publish <agent> oci://host:port/repo:tag)');
  const { resolve } = await import('node:path');
  const { signingKeyFromEnv } = await import('@agentlang/lock');
  const client = await import('@agentlang/registry-client');
  const signEnv = str(ctx.values['sign-key-env']) ?? (ctx.env.AGENTLANG_SIGNING_KEY ? 'AGENTLANG_SIGNING_KEY' : undefined);
  const signingKeys = signEnv ? [signingKeyFromEnv(signEnv, ctx.env).privateKey] : [];
  const recipients = list(ctx.values.recipient);
  if (recipients.length === 0 && ctx.env.AGENTLANG_RECIPIENT) recipients.push(...ctx.env.AGENTLANG_RECIPIENT.split(/[\s,]+/).filter(Boolean));
  const passEnv = str(ctx.values['passphrase-env']);
  const passphrase = passEnv ? ctx.env[passEnv] : undefined;
  if (passEnv && !passphrase) throw new PublishUsageError(`environment variable ${passEnv} (named by --passphrase-env) is not set or empty`);
  const onProgress = client.progressLogger(ctx.log);
  const registry = str(ctx.values.registry) ?? ctx.env.AGENTLANG_REGISTRY;
  let to: InstanceType<typeof client.RegistryClient> | string;
  let insecure: boolean | undefined;
  if (destination !== undefined) to = destination;
  else if (ctx.values.oci === true) {
    if (!registry) throw new PublishUsageError('--oci needs --registry http://host:port[/prefix]');
    const target = client.parseOciRegistry(registry);
    insecure = target.insecure;
    to = `${target.base}/{name}:{version}`;
  } else {
    if (!registry) throw new PublishUsageError('no registry: pass --registry URL (e.g. http://127.0.0.1:8765) or set AGENTLANG_REGISTRY');
    const apiKey = str(ctx.values['api-key']) ?? ctx.env.AGENTLANG_API_KEY;
    to = new client.RegistryClient({ url: registry, ...(apiKey ? { apiKey } : {}), onProgress });
  }
  const tenant = str(ctx.values.tenant);
  const out = str(ctx.values.out);
  const result = await client.publishAgent(resolve(ctx.cwd, target), {
    build: {
      cwd: ctx.cwd,
      ...(out ? { out: resolve(ctx.cwd, out) } : {}),
      signingKeys,
      recipients,
      ...(passphrase ? { passphrase } : {}),
      ...(ctx.values.frozen === true ? { frozen: true } : {}),
      env: ctx.env,
      // Dependency checks and MCP servers run in the agent's sandbox, never on the host.
      resolve: { ...(await resolveOptionsFromFlags(ctx)), ...(str(ctx.values.runtime) ? { runtime: str(ctx.values.runtime) } : {}), probeExecutor: sandboxProbeExecutor(ctx) },
    },
    to,
    ...(tenant ? { tenant } : {}),
    allowUnsigned: ctx.values['allow-unsigned'] === true,
    oci: { onProgress, ...(insecure !== undefined ? { insecure } : {}), ...client.ociCredentialsFromEnv(ctx.env) },
  });
  const { relative } = await import('node:path');
  const where = 'tenant' in result.pushed ? `tenant '${result.pushed.tenant}'` : result.pushed.reference;
  return {
    text: [`Built ${relative(ctx.cwd, result.container)} (${result.signed ? 'signed' : 'UNSIGNED'})`, `Published ${result.pushed.name}@${result.pushed.version}  ${where}`].join('\n'),
    data: result,
  };
}
