import { createHash } from 'node:crypto';
import { RegistryClientError } from './errors.js';
import type { RetryOptions } from './http.js';
import type { TransferProgress } from './progress.js';
import type { VerifiedArtifact } from './verify.js';

/** `artifactType` of an agent stored in an OCI registry. */
export const OCI_ARTIFACT_TYPE = 'application/vnd.agentlang.agent.v1';
/** The OCI image manifest media type used. */
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
/**
 * The config is a minimal OCI image config (architecture/os `unknown`, the agent's identity as
 * labels, diff_ids = layer digests): with the empty config, `skopeo inspect` and similar tools
 * refuse the artifact as "non-image", so the standard config keeps it inspectable everywhere.
 */
export const OCI_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';

/** Layer media types: one per kind of container entry, and one for a bare YAML manifest. */
export const OCI_LAYER_MEDIA_TYPES = {
  manifest: 'application/vnd.agentlang.manifest.v1+yaml',
  index: 'application/vnd.agentlang.container.index.v1+json',
  signature: 'application/vnd.agentlang.container.signature.v1+json',
  prompt: 'application/vnd.agentlang.prompt.v1.encrypted',
  lock: 'application/vnd.agentlang.lock.v1+json',
  context: 'application/vnd.agentlang.context.v1',
  source: 'application/vnd.agentlang.source.v1',
} as const;

/** Annotation keys set on the OCI manifest. */
export const OCI_ANNOTATIONS = {
  title: 'org.opencontainers.image.title',
  version: 'org.opencontainers.image.version',
  name: 'dev.agentlang.name',
  agentVersion: 'dev.agentlang.version',
  digest: 'dev.agentlang.digest',
  kind: 'dev.agentlang.kind',
  containerSha256: 'dev.agentlang.container.sha256',
  containerSize: 'dev.agentlang.container.size',
} as const;

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** The OCI image manifest we write (and expect on pull). */
export interface OciAgentManifest {
  schemaVersion: 2;
  mediaType: typeof OCI_MANIFEST_MEDIA_TYPE;
  artifactType: typeof OCI_ARTIFACT_TYPE;
  config: Descriptor;
  layers: Descriptor[];
  annotations: Record<string, string>;
}

/** Options of the OCI calls. */
export interface OciOptions {
  /** Force plain HTTP (default: only for loopback hosts). */
  insecure?: boolean;
  /** Bearer token sent to the registry, when it needs one (skips the token exchange). */
  token?: string;
  /**
   * Credentials for the registry's token service (`WWW-Authenticate: Bearer realm=…`, as GHCR,
   * Harbor, ECR and distribution with token auth answer) or for Basic auth. Without them the token
   * exchange is tried anonymously, which is how public repositories are pulled.
   */
  username?: string;
  password?: string;
  retry?: RetryOptions;
  onProgress?: (progress: TransferProgress) => void;
}

/** What an OCI push stored. */
export interface OciPushResult {
  reference: string;
  name: string;
  version: string;
  digest: string;
  kind: 'manifest' | 'container';
  /** `sha256:<hex>` of the OCI manifest. */
  manifestDigest: string;
  layers: number;
}

/** What an OCI pull wrote. */
export interface OciPullResult extends VerifiedArtifact {
  path: string;
  manifestDigest: string;
  sha256: string;
  size: number;
}

/** The layer media type of a container entry at `path`. */
export function layerMediaType(path: string): string {
  if (path === 'manifest.json') return OCI_LAYER_MEDIA_TYPES.index;
  if (path === 'signature.sig') return OCI_LAYER_MEDIA_TYPES.signature;
  if (path === 'prompt.yaml.enc') return OCI_LAYER_MEDIA_TYPES.prompt;
  if (path === 'agent.lock') return OCI_LAYER_MEDIA_TYPES.lock;
  if (path.startsWith('context/')) return OCI_LAYER_MEDIA_TYPES.context;
  return OCI_LAYER_MEDIA_TYPES.source;
}

/** `sha256:<hex>` of bytes. */
export function sha256Of(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Parses and checks an OCI manifest as an AgentLang artifact; throws REGISTRY_OCI naming `where`. */
export function parseAgentManifest(bytes: Buffer, where: string): OciAgentManifest {
  const fail = (why: string): never => {
    throw new RegistryClientError('REGISTRY_OCI', `${where} is not an AgentLang OCI artifact: ${why}`, {
      details: { where },
    });
  };
  let value: OciAgentManifest;
  try {
    value = JSON.parse(bytes.toString('utf8')) as OciAgentManifest;
  } catch {
    return fail('the manifest is not JSON');
  }
  if (value.mediaType !== OCI_MANIFEST_MEDIA_TYPE) fail(`mediaType is ${JSON.stringify(value.mediaType)}`);
  if (value.artifactType !== OCI_ARTIFACT_TYPE)
    fail(`artifactType is ${JSON.stringify(value.artifactType)}, expected ${OCI_ARTIFACT_TYPE}`);
  if (!Array.isArray(value.layers) || value.layers.length === 0) fail('it has no layers');
  for (const layer of value.layers) {
    if (
      typeof layer.digest !== 'string' ||
      !/^sha256:[0-9a-f]{64}$/.test(layer.digest) ||
      !Number.isSafeInteger(layer.size) ||
      layer.size < 0
    )
      fail('a layer descriptor is malformed');
  }
  const a = value.annotations ?? {};
  for (const key of [OCI_ANNOTATIONS.name, OCI_ANNOTATIONS.agentVersion, OCI_ANNOTATIONS.digest, OCI_ANNOTATIONS.kind])
    if (typeof a[key] !== 'string') fail(`annotation ${key} is missing`);
  if (a[OCI_ANNOTATIONS.kind] !== 'manifest' && a[OCI_ANNOTATIONS.kind] !== 'container')
    fail(`annotation ${OCI_ANNOTATIONS.kind} is ${a[OCI_ANNOTATIONS.kind]}`);
  if (a[OCI_ANNOTATIONS.kind] === 'manifest' && value.layers.length !== 1)
    fail('a manifest artifact has exactly one layer');
  if (
    a[OCI_ANNOTATIONS.kind] === 'container' &&
    !/^sha256:[0-9a-f]{64}$/.test(a[OCI_ANNOTATIONS.containerSha256] ?? '')
  )
    fail(`annotation ${OCI_ANNOTATIONS.containerSha256} is missing`);
  return value;
}
