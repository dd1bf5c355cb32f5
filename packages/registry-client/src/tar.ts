import { open } from 'node:fs/promises';
import { RegistryClientError } from './errors.js';

const BLOCK = 512;

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
      if (bytesRead < BLOCK) throw new RegistryClientError('REGISTRY_INPUT', `${path} is truncated at byte ${position}`, { path, position });
      if (block.every((b) => b === 0)) return spans;
      if (field(block, 257, 5) !== 'ustar' || (block[156] !== 0x30 && block[156] !== 0)) {
        throw new RegistryClientError('REGISTRY_INPUT', `${path}: entry at byte ${position} is not a ustar regular file`, { path, position });
      }
      const prefix = field(block, 345, 155);
      const name = field(block, 0, 100);
      const size = Number.parseInt(field(block, 124, 12).trim() || '0', 8);
      if (!Number.isSafeInteger(size) || size < 0 || position + BLOCK + size > fileSize) {
        throw new RegistryClientError('REGISTRY_INPUT', `${path}: entry ${name} at byte ${position} has a bad size`, { path, position });
      }
      spans.push({ path: prefix ? `${prefix}/${name}` : name, offset: position + BLOCK, size });
      position += BLOCK + size + ((BLOCK - (size % BLOCK)) % BLOCK);
    }
  } finally {
    await handle.close();
  }
}

function octal(value: number, width: number): Buffer {
  return Buffer.from(`${value.toString(8).padStart(width - 1, '0')}\0`, 'ascii');
}

/**
 * The canonical header @agentlang/container writes for a regular file (mode 0644, uid/gid 0,
 * mtime 0, empty owner names, long names split at `/` into prefix and name), so a container
 * reassembled from OCI layers is byte-identical to the one pushed.
 */
export function encodeTarHeader(name: string, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const bytes = Buffer.from(name, 'utf8');
  let prefix = Buffer.alloc(0);
  let base = bytes;
  if (bytes.length > 100) {
    let split = -1;
    for (let i = Math.min(bytes.length - 1, 155); i > 0; i--) {
      if (bytes[i] === 0x2f && bytes.length - i - 1 <= 100 && bytes.length - i - 1 > 0) {
        split = i;
        break;
      }
    }
    if (split < 0) throw new RegistryClientError('REGISTRY_OCI', `layer title ${JSON.stringify(name.slice(0, 300))} cannot be a container entry name`, { name: name.slice(0, 300) });
    prefix = bytes.subarray(0, split);
    base = bytes.subarray(split + 1);
  }
  base.copy(block, 0, 0, 100);
  octal(0o644, 8).copy(block, 100);
  octal(0, 8).copy(block, 108);
  octal(0, 8).copy(block, 116);
  octal(size, 12).copy(block, 124);
  octal(0, 12).copy(block, 136);
  block.fill(0x20, 148, 156);
  block[156] = 0x30;
  Buffer.from('ustar\x0000', 'latin1').copy(block, 257);
  octal(0, 8).copy(block, 329);
  octal(0, 8).copy(block, 337);
  prefix.copy(block, 345, 0, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  Buffer.from(`${sum.toString(8).padStart(6, '0')}\0 `, 'ascii').copy(block, 148);
  return block;
}

/** Zero bytes that pad `size` bytes of content to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The end-of-archive marker: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK);
