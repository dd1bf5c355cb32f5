import type { ContainerIndex } from './container-index.js';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { walkContainer } from './read-container.js';

/** A container whose signature verified under a trusted key and whose every byte matched the index. */
export interface VerifiedContainer {
  file: string;
  index: ContainerIndex;
  /** Key ids (sha256 of the public key) whose signatures verified. */
  verifiedBy: string[];
}

/**
 * Verifies a container by streaming it once: the DSSE signature over `manifest.json` under one of
 * `publicKeys` (hex Ed25519), then every entry's name, order, size and sha256, then the end marker.
 */
export async function verifyContainer(file: string, options: { publicKeys: string[] }): Promise<VerifiedContainer> {
  if (options.publicKeys.length === 0) {
    throw new ContainerError(
      ContainerErrorCode.KeyInvalid,
      'verifying a container needs at least one trusted Ed25519 public key (--pubkey HEX)',
      { details: { file } },
    );
  }
  const result = await walkContainer(file, { publicKeys: options.publicKeys, requireSignature: true });
  if (result.signature.state !== 'verified') throw new Error('internal: walk returned without a verified signature');
  return { file, index: result.index, verifiedBy: result.signature.verifiedBy };
}
