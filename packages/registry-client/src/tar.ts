import { open } from 'node:fs/promises';
import { encodeTarHeader, TAR_BLOCK, tarPaddingFor } from '@agentlang/container';
import { RegistryClientError } from './errors.js';

const BLOCK = TAR_BLOCK;

/** One regular-file entry of a container's tar stream. */
export interface TarSpan {
  path: string;
  /** Offset of the first content byte in the file. */
  offset: number;
  size: number;
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

/**
 * Lists the entries of a container (a ustar archive of regular files, as @agentlang/container
 * writes it) without reading their contents. Used to publish each entry as an OCI layer; the
 * entries themselves are verified against the signed index by @agentlang/container.
 */
export async function listTarEntries(path: string): Promise<TarSpan[]> {
  const handle = await open(path, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const spans: TarSpan[] = [];
    const block = Buffer.alloc(BLOCK);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(block, 0, BLOCK, position);
      if (bytesRead < BLOCK) throw new RegistryClientError('REGISTRY_INPUT', `${path} is truncated at byte ${position}`, { details: { path, position } });
      if (block.every((b) => b === 0)) return spans;
      if (field(block, 257, 5) !== 'ustar' || (block[156] !== 0x30 && block[156] !== 0)) {
        throw new RegistryClientError('REGISTRY_INPUT', `${path}: entry at byte ${position} is not a ustar regular file`, { details: { path, position } });
      }
      const prefix = field(block, 345, 155);
      const name = field(block, 0, 100);
      const size = Number.parseInt(field(block, 124, 12).trim() || '0', 8);
      if (!Number.isSafeInteger(size) || size < 0 || position + BLOCK + size > fileSize) {
        throw new RegistryClientError('REGISTRY_INPUT', `${path}: entry ${name} at byte ${position} has a bad size`, { details: { path, position } });
      }
      spans.push({ path: prefix ? `${prefix}/${name}` : name, offset: position + BLOCK, size });
      position += BLOCK + size + ((BLOCK - (size % BLOCK)) % BLOCK);
    }
  } finally {
    await handle.close();
  }
}

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
