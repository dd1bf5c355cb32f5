import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openAtomicFile } from '@agentlang/utils';
import { DEFAULT_MAX_PULL_BYTES } from './client.js';
import { RegistryClientError } from './errors.js';
import { readBody } from './http.js';
import {
  OCI_ANNOTATIONS,
  OCI_MANIFEST_MEDIA_TYPE,
  type OciOptions,
  type OciAgentManifest,
  type OciPullResult,
  parseAgentManifest,
  sha256Of,
} from './oci-format.js';
import { OciSession } from './oci-session.js';
import { type OciReference, parseOciReference } from './reference.js';
import { encodeTarHeader, TAR_END, tarPadding } from './tar.js';
import { verifyArtifactFile } from './verify.js';

/**
 * Pulls an agent artifact from an OCI registry into `out`: checks the manifest digest, every
 * layer's sha256 and size, reassembles the container byte for byte (its sha256 must equal the
 * annotation), verifies it through the signed index and its `ag1:` digest, then renames it into place.
 */
export async function pullOci(
  reference: string | OciReference,
  options: OciOptions & { out?: string; cwd?: string; publicKeys?: string[]; maxBytes?: number } = {},
): Promise<OciPullResult> {
  const ref =
    typeof reference === 'string'
      ? parseOciReference(reference, options.insecure !== undefined ? { insecure: options.insecure } : {})
      : reference;
  const session = new OciSession(ref, options);
  const where = `oci://${ref.host}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
  const { manifest, manifestDigest } = await fetchAgentManifest(session, ref, where);
  const a = manifest.annotations;
  const name = a[OCI_ANNOTATIONS.name]!;
  const version = a[OCI_ANNOTATIONS.agentVersion]!;
  const kind = a[OCI_ANNOTATIONS.kind] as 'manifest' | 'container';
  const declared = manifest.layers.reduce((sum, l) => sum + l.size, 0);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PULL_BYTES;
  if (declared > maxBytes) {
    throw new RegistryClientError(
      'REGISTRY_TOO_LARGE',
      `${where} declares ${declared} bytes of layers, more than the pull limit of ${maxBytes}; nothing was written (raise it with --max-size-mib if you expect an artifact this large)`,
      { details: { declared, limitBytes: maxBytes } },
    );
  }
  const out = resolve(
    options.cwd ?? process.cwd(),
    options.out ?? `${ref.repository.split('/').at(-1)}@${ref.tag ?? 'pulled'}.agent`,
  );
  if ((await stat(out).catch(() => undefined))?.isDirectory())
    throw new RegistryClientError('REGISTRY_OUTPUT', `--out ${out} is a directory; name the file to write`, {
      details: { out },
    });
  const file = await openAtomicFile(out, { suffix: '.partial' });
  const handle = file.handle;
  const whole = createHash('sha256');
  let size = 0;
  const write = async (chunk: Buffer) => {
    whole.update(chunk);
    size += chunk.length;
    await handle.write(chunk);
  };
  try {
    await writeLayers(session, manifest, {
      where,
      kind,
      label: `${name}@${version}`,
      write,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (kind === 'container') {
      await write(TAR_END);
      const rebuilt = `sha256:${whole.digest('hex')}`;
      if (rebuilt !== a[OCI_ANNOTATIONS.containerSha256]) {
        throw new RegistryClientError(
          'REGISTRY_DIGEST_MISMATCH',
          `the container reassembled from ${where} hashes to ${rebuilt} but the artifact promises ${a[OCI_ANNOTATIONS.containerSha256]}`,
          { details: { expected: a[OCI_ANNOTATIONS.containerSha256], received: rebuilt } },
        );
      }
    }
    await file.close();
    const verified = await verifyArtifactFile(file.tempPath, {
      name,
      version,
      digest: a[OCI_ANNOTATIONS.digest]!,
      ...(options.publicKeys ? { publicKeys: options.publicKeys } : {}),
      source: where,
    });
    await file.commit();
    const sha256 =
      kind === 'container' ? a[OCI_ANNOTATIONS.containerSha256]!.slice(7) : manifest.layers[0]!.digest.slice(7);
    return { ...verified, path: out, manifestDigest, sha256, size };
  } catch (error) {
    await file.discard();
    throw error;
  }
}

/** GETs the OCI manifest `ref` points at, checks its digest against the one promised, and parses it as an agent artifact. */
async function fetchAgentManifest(
  session: OciSession,
  ref: OciReference,
  where: string,
): Promise<{ manifest: OciAgentManifest; manifestDigest: string }> {
  const pointer = ref.digest ?? ref.tag!;
  const answer = await session.call(
    {
      method: 'GET',
      url: session.url(`/v2/${ref.repository}/manifests/${pointer}`),
      headers: session.headers({ accept: OCI_MANIFEST_MEDIA_TYPE }),
    },
    `fetching manifest ${where}`,
    [200],
  );
  const bytes = await readBody(answer, 4 << 20);
  const manifestDigest = sha256Of(bytes);
  const echoed = answer.headers['docker-content-digest'];
  if ((ref.digest && ref.digest !== manifestDigest) || (typeof echoed === 'string' && echoed !== manifestDigest)) {
    throw new RegistryClientError(
      'REGISTRY_DIGEST_MISMATCH',
      `the manifest of ${where} hashes to ${manifestDigest} but ${ref.digest ?? echoed} was promised`,
      { details: { expected: ref.digest ?? echoed, received: manifestDigest } },
    );
  }
  return { manifest: parseAgentManifest(bytes, where), manifestDigest };
}

/** Where and how {@link writeLayers} writes: a container's layers become tar entries again; a manifest's one layer is the file. */
interface LayerSink {
  where: string;
  kind: 'manifest' | 'container';
  label: string;
  write: (chunk: Buffer) => Promise<void>;
  onProgress?: OciOptions['onProgress'];
}

/** Streams every layer into `at.write`, each checked against its descriptor's sha256 and size. */
async function writeLayers(session: OciSession, manifest: OciAgentManifest, at: LayerSink): Promise<void> {
  let done = 0;
  const total = manifest.layers.reduce((sum, l) => sum + l.size, 0);
  for (const layer of manifest.layers) {
    const title = layer.annotations?.[OCI_ANNOTATIONS.title];
    if (at.kind === 'container') {
      if (typeof title !== 'string')
        throw new RegistryClientError(
          'REGISTRY_OCI',
          `a layer of ${at.where} has no ${OCI_ANNOTATIONS.title} annotation`,
        );
      await at.write(encodeTarHeader(title, layer.size));
    }
    const blob = await session.fetchBlob(layer.digest);
    const hash = createHash('sha256');
    let got = 0;
    for await (const chunk of blob.stream) {
      got += (chunk as Buffer).length;
      if (got > layer.size) {
        blob.stream.destroy();
        throw new RegistryClientError(
          'REGISTRY_TOO_LARGE',
          `layer ${layer.digest} of ${at.where} streams more than its descriptor's ${layer.size} bytes; nothing was kept`,
          { details: { declared: layer.size } },
        );
      }
      hash.update(chunk as Buffer);
      await at.write(chunk as Buffer);
    }
    const digest = `sha256:${hash.digest('hex')}`;
    if (digest !== layer.digest || got !== layer.size) {
      throw new RegistryClientError(
        'REGISTRY_DIGEST_MISMATCH',
        `layer ${title ?? ''} of ${at.where} hashes to ${digest} (${got} bytes) but its descriptor says ${layer.digest} (${layer.size} bytes)`,
        { details: { expected: layer.digest, received: digest } },
      );
    }
    if (at.kind === 'container') await at.write(tarPadding(layer.size));
    done += layer.size;
    at.onProgress?.({ direction: 'download', label: at.label, bytes: done, total });
  }
}
