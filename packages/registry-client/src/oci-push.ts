import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { readPushable } from './artifact.js';
import { RegistryClientError } from './errors.js';
import {
  type Descriptor,
  layerMediaType,
  OCI_ANNOTATIONS,
  OCI_ARTIFACT_TYPE,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_LAYER_MEDIA_TYPES,
  OCI_MANIFEST_MEDIA_TYPE,
  type OciAgentManifest,
  type OciOptions,
  type OciPushResult,
  sha256Of,
} from './oci-format.js';
import { OciSession } from './oci-session.js';
import { type OciReference, parseOciReference } from './reference.js';
import { listTarEntries } from './tar.js';

async function hashSpan(path: string, offset: number, size: number): Promise<string> {
  const hash = createHash('sha256');
  if (size > 0)
    for await (const chunk of createReadStream(path, { start: offset, end: offset + size - 1, highWaterMark: 1 << 20 }))
      hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Pushes a YAML manifest or a container to an OCI distribution registry as an artifact: one layer
 * per container entry (titled with the entry's path) or one layer holding the YAML, an image config
 * carrying the identity as labels, and annotations for name, version and digest.
 */
export async function pushOci(
  path: string,
  reference: string | OciReference,
  options: OciOptions = {},
): Promise<OciPushResult> {
  const ref =
    typeof reference === 'string'
      ? parseOciReference(reference, options.insecure !== undefined ? { insecure: options.insecure } : {})
      : reference;
  const tag = ref.tag;
  if (!tag)
    throw new RegistryClientError(
      'REGISTRY_BAD_REFERENCE',
      `an OCI push needs a tag (oci://${ref.host}/${ref.repository}:<tag>)`,
    );
  const read = await readPushable(path);
  if (read.kind === 'tool')
    throw new RegistryClientError(
      'REGISTRY_INPUT',
      `${path} is a tool definition; tools are published to an AgentLang registry (agentlang push ${path} --registry URL), not as OCI artifacts`,
      { details: { path } },
    );
  const artifact = { ...read, kind: read.kind };
  const session = new OciSession(ref, options);
  const spans =
    artifact.kind === 'container'
      ? await listTarEntries(path)
      : [{ path: basename(path), offset: 0, size: artifact.size }];
  const layers: Descriptor[] = [];
  let sent = 0;
  const label = `${artifact.name}@${artifact.version}`;
  for (const span of spans) {
    const digest = await hashSpan(path, span.offset, span.size);
    await session.uploadBlob(digest, span.size, () =>
      span.size === 0
        ? Buffer.alloc(0)
        : createReadStream(path, { start: span.offset, end: span.offset + span.size - 1, highWaterMark: 1 << 20 }),
    );
    sent += span.size;
    options.onProgress?.({ direction: 'upload', label, bytes: sent, total: artifact.size });
    layers.push({
      mediaType: artifact.kind === 'container' ? layerMediaType(span.path) : OCI_LAYER_MEDIA_TYPES.manifest,
      digest,
      size: span.size,
      annotations: { [OCI_ANNOTATIONS.title]: span.path },
    });
  }
  const annotations: Record<string, string> = {
    [OCI_ANNOTATIONS.title]: artifact.name,
    [OCI_ANNOTATIONS.version]: artifact.version,
    [OCI_ANNOTATIONS.name]: artifact.name,
    [OCI_ANNOTATIONS.agentVersion]: artifact.version,
    [OCI_ANNOTATIONS.digest]: artifact.digest,
    [OCI_ANNOTATIONS.kind]: artifact.kind,
    ...(artifact.kind === 'container'
      ? {
          [OCI_ANNOTATIONS.containerSha256]: `sha256:${artifact.sha256}`,
          [OCI_ANNOTATIONS.containerSize]: String(artifact.size),
        }
      : {}),
  };
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'unknown',
      os: 'unknown',
      config: { Labels: annotations },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    }),
  );
  const configDigest = sha256Of(config);
  await session.uploadBlob(configDigest, config.length, () => config);
  const manifest: OciAgentManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    artifactType: OCI_ARTIFACT_TYPE,
    config: { mediaType: OCI_CONFIG_MEDIA_TYPE, digest: configDigest, size: config.length },
    layers,
    annotations,
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = sha256Of(bytes);
  const put = await session.call(
    {
      method: 'PUT',
      url: session.url(`/v2/${ref.repository}/manifests/${tag}`),
      headers: session.headers({ 'content-type': OCI_MANIFEST_MEDIA_TYPE, 'content-length': bytes.length }),
      body: () => bytes,
    },
    `putting manifest ${ref.repository}:${tag}`,
    [201],
  );
  put.stream.resume();
  const echoed = put.headers['docker-content-digest'];
  if (typeof echoed === 'string' && echoed !== manifestDigest) {
    throw new RegistryClientError(
      'REGISTRY_OCI',
      `the registry stored manifest ${echoed} but we sent ${manifestDigest}`,
      { details: { sent: manifestDigest, stored: echoed } },
    );
  }
  return {
    reference: `oci://${ref.host}/${ref.repository}:${tag}`,
    name: artifact.name,
    version: artifact.version,
    digest: artifact.digest,
    kind: artifact.kind,
    manifestDigest,
    layers: layers.length,
  };
}
