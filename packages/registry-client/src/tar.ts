import { encodeTarHeader, listTarEntries, TAR_BLOCK, tarPaddingFor } from '@agentlang/container';

const BLOCK = TAR_BLOCK;

/** The end-of-archive marker: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK);

/** Zero bytes that pad `size` bytes of content to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc(tarPaddingFor(size));
}

/**
 * The canonical header @agentlang/container writes for a regular file, so a container
 * reassembled from OCI layers is byte-identical to the one pushed.
 */
export { encodeTarHeader };

/** The container's own strict reader lists the entries to publish as OCI layers. */
export { listTarEntries };
