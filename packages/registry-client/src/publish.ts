import { type BuildOptions, buildContainer } from '@agentlang/container';
import { readPushable } from './artifact.js';
import type { PushResult, RegistryClient } from './client.js';
import { RegistryClientError } from './errors.js';
import { type OciOptions, type OciPushResult, pushOci } from './oci.js';
import { isOciReference } from './reference.js';

/** Options of {@link publishAgent}. */
export interface PublishOptions {
  /** How the container is built (signing keys, prompt recipients, output path, …). */
  build: BuildOptions;
  /** An AgentLang registry client, or an `oci://host/repo:tag` reference (`{name}`/`{version}` are filled in). */
  to: RegistryClient | string;
  /** Tenant to push under (default: the API key's). */
  tenant?: string;
  /** Refuse to publish an unsigned container unless this is true. */
  allowUnsigned?: boolean;
  oci?: OciOptions;
}

/** What {@link publishAgent} built and pushed. */
export interface PublishResult {
  /** The container file written by the build. */
  container: string;
  signed: boolean;
  pushed: PushResult | OciPushResult;
}

/**
 * `agentlang publish`: builds the signed container of an agent (resolve, lock, encrypt the prompt,
 * sign) with @agentlang/container, then pushes that container to a registry or an OCI registry.
 */
export async function publishAgent(agentPath: string, options: PublishOptions): Promise<PublishResult> {
  const signed = (options.build.signingKeys ?? []).length > 0;
  if (!signed && !options.allowUnsigned) {
    throw new RegistryClientError(
      'REGISTRY_CONFIG',
      'publish pushes a signed container: pass --sign-key-env VAR (or set AGENTLANG_SIGNING_KEY) with an Ed25519 key from `agentlang keygen`, or --allow-unsigned to publish it unsigned',
      { details: { agent: agentPath } },
    );
  }
  const built = await buildContainer(agentPath, options.build);
  if (typeof options.to === 'string') {
    if (!isOciReference(options.to))
      throw new RegistryClientError(
        'REGISTRY_BAD_REFERENCE',
        `publish target '${options.to}' is not an oci:// reference`,
        { details: { target: options.to } },
      );
    const reference = options.to
      .replaceAll('{name}', built.index.agent.name)
      .replaceAll('{version}', built.index.agent.version);
    return { container: built.path, signed, pushed: await pushOci(built.path, reference, options.oci ?? {}) };
  }
  const artifact = await readPushable(built.path);
  const tenant = options.tenant ?? (await options.to.whoami());
  return { container: built.path, signed, pushed: await options.to.pushArtifact(artifact, tenant) };
}
