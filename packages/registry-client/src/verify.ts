import { readFile } from 'node:fs/promises';
import { inspectContainer, verifyContainer } from '@agentlang/container';
import { loadAgentFromFiles, sniffInput } from '@agentlang/manifest';
import { RegistryClientError } from './errors.js';

/** What a pulled artifact was found to be after verification. */
export interface VerifiedArtifact {
  kind: 'manifest' | 'container';
  name: string;
  version: string;
  digest: string;
}

/** What the pulled artifact must be. */
export interface ArtifactExpectation {
  name: string;
  version: string;
  /** `ag1:` digest promised by the server or an annotation. */
  digest?: string;
  /** When given, a container's signature must verify against one of these Ed25519 public keys (hex). */
  publicKeys?: string[];
  /** Where it came from, for messages. */
  source: string;
}

/**
 * Verifies a downloaded file by content: a container through its signed index (every entry's
 * sha256, and the signature when keys are given), a YAML manifest by reloading it; then checks that
 * it is the agent that was asked for and that its `ag1:` digest is the promised one.
 */
export async function verifyArtifactFile(path: string, expect: ArtifactExpectation): Promise<VerifiedArtifact> {
  const kind = await sniffInput(path);
  // A public key means "signed by it or refused": a YAML manifest carries no signature at all, so
  // under a key it is refused (a hostile registry or an overwritten OCI tag cannot swap one in).
  if (kind !== 'container' && expect.publicKeys && expect.publicKeys.length > 0) {
    throw new RegistryClientError(
      'REGISTRY_DIGEST_MISMATCH',
      `${expect.source} served ${expect.name}@${expect.version} as an unsigned YAML manifest, but a public key was given: only a container signed by that key is accepted; refusing it (publish a signed container with \`agentlang publish --sign-key-env VAR\`)`,
      { details: { source: expect.source, received: 'manifest', expected: 'a signed container' } },
    );
  }
  let found: VerifiedArtifact;
  try {
    if (kind === 'container') {
      if (expect.publicKeys && expect.publicKeys.length > 0)
        await verifyContainer(path, { publicKeys: expect.publicKeys });
      const info = await inspectContainer(path);
      found = { kind: 'container', name: info.agent.name, version: info.agent.version, digest: info.agent.digest };
    } else {
      const agent = await loadAgentFromFiles(
        { 'agent.yaml': await readFile(path) },
        { entry: 'agent.yaml', label: expect.source },
      );
      found = {
        kind: 'manifest',
        name: agent.manifest.name,
        version: agent.manifest.version ?? '',
        digest: agent.digest,
      };
    }
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new RegistryClientError(
      'REGISTRY_DIGEST_MISMATCH',
      `the artifact pulled from ${expect.source} failed verification: ${(cause as Error).message}`,
      { details: { source: expect.source, cause: code ?? null }, cause },
    );
  }
  if (found.name !== expect.name || found.version !== expect.version) {
    throw new RegistryClientError(
      'REGISTRY_DIGEST_MISMATCH',
      `asked ${expect.source} for ${expect.name}@${expect.version} but received ${found.name}@${found.version}; refusing it`,
      { details: { expected: `${expect.name}@${expect.version}`, received: `${found.name}@${found.version}` } },
    );
  }
  if (expect.digest !== undefined && found.digest !== expect.digest) {
    throw new RegistryClientError(
      'REGISTRY_DIGEST_MISMATCH',
      `${expect.name}@${expect.version} from ${expect.source} has digest ${found.digest} but ${expect.digest} was promised; refusing it`,
      { details: { expected: expect.digest, received: found.digest } },
    );
  }
  return found;
}
