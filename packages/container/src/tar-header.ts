import { assertSafeEntryName } from './entry-name.js';
import { ContainerError, ContainerErrorCode } from './errors.js';

/** Size of a tar block; headers and padded contents are multiples of it. */
export const BLOCK = 512;
/** Largest content size an 11-digit octal size field can hold (8 GiB − 1). */
export const MAX_TAR_SIZE = 0o77777777777;

/** Bytes of padding after `size` bytes of content. */
export function paddingFor(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function writeString(block: Buffer, offset: number, length: number, value: Buffer): void {
  value.copy(block, offset, 0, Math.min(length, value.length));
}

function octal(value: number, width: number): Buffer {
  return Buffer.from(`${value.toString(8).padStart(width - 1, '0')}\0`, 'ascii');
}

/** Splits a UTF-8 name into ustar `prefix` (≤155 bytes) and `name` (≤100 bytes) at a `/`. */
function splitName(name: string): { prefix: Buffer; base: Buffer } {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length <= 100) return { prefix: Buffer.alloc(0), base: bytes };
  for (let i = Math.min(bytes.length - 1, 155); i > 0; i--) {
    if (bytes[i] === 0x2f && bytes.length - i - 1 <= 100 && bytes.length - i - 1 > 0) {
      return { prefix: bytes.subarray(0, i), base: bytes.subarray(i + 1) };
    }
  }
  throw new ContainerError(
    ContainerErrorCode.EntryName,
    `entry name ${JSON.stringify(name)} cannot be stored in a ustar header: it needs a "/" leaving at most 155 bytes before and 100 after; shorten the path`,
    { details: { name } },
  );
}

/**
 * Encodes the canonical ustar header the builder writes for a regular file: mode 0644,
 * uid/gid 0, mtime 0, empty user/group names, long names split into `prefix`/`name`.
 */
export function encodeHeader(name: string, size: number): Buffer {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_TAR_SIZE) {
    throw new ContainerError(
      ContainerErrorCode.EntryTooLarge,
      `entry ${name} is ${size} bytes; a container entry holds at most ${MAX_TAR_SIZE} bytes`,
      { details: { name, size } },
    );
  }
  const block = Buffer.alloc(BLOCK);
  const { prefix, base } = splitName(name);
  writeString(block, 0, 100, base);
  writeString(block, 100, 8, octal(0o644, 8));
  writeString(block, 108, 8, octal(0, 8));
  writeString(block, 116, 8, octal(0, 8));
  writeString(block, 124, 12, octal(size, 12));
  writeString(block, 136, 12, octal(0, 12));
  block.fill(0x20, 148, 156);
  block[156] = 0x30; // '0' regular file
  writeString(block, 257, 8, Buffer.from('ustar\x0000', 'latin1'));
  writeString(block, 329, 8, octal(0, 8));
  writeString(block, 337, 8, octal(0, 8));
  writeString(block, 345, 155, prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeString(block, 148, 8, Buffer.from(`${sum.toString(8).padStart(6, '0')}\0 `, 'ascii'));
  return block;
}

/** A decoded, validated header of a regular-file entry. */
export interface TarHeader {
  name: string;
  size: number;
}

function cString(block: Buffer, offset: number, length: number): Buffer {
  const field = block.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return nul === -1 ? field : field.subarray(0, nul);
}

const TYPE_NAMES: Record<string, string> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '5': 'directory',
  '6': 'fifo',
  '7': 'contiguous file',
  x: 'pax extended header',
  g: 'pax global header',
  L: 'GNU long name',
  K: 'GNU long link name',
};

/** True when a 512-byte block is all zero (half of the end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/**
 * Decodes one header block at `offset`, refusing anything but the canonical regular-file header
 * the builder writes: links, devices, directories and extension headers each get a clear error.
 */
export function decodeHeader(block: Buffer, offset: number): TarHeader {
  const at = { offset };
  if (block.subarray(257, 263).toString('latin1') !== 'ustar\0') {
    throw new ContainerError(
      offset === 0 ? ContainerErrorCode.NotAContainer : ContainerErrorCode.TarHeader,
      offset === 0
        ? 'not an agentlang container: no ustar magic at byte 257; build one with `agentlang build <agent>`'
        : `malformed tar header at byte ${offset}: no ustar magic; the archive is corrupt or truncated`,
      { details: at },
    );
  }
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  const storedText = cString(block, 148, 8).toString('latin1').trim();
  if (!/^[0-7]{1,7}$/.test(storedText) || Number.parseInt(storedText, 8) !== sum) {
    throw new ContainerError(
      ContainerErrorCode.TarHeader,
      `tar header at byte ${offset} has a bad checksum (stored ${JSON.stringify(storedText)}, computed ${sum.toString(8)}); the archive is corrupt`,
      { details: at },
    );
  }
  const rawName = Buffer.concat([
    cString(block, 345, 155),
    cString(block, 345, 155).length > 0 ? Buffer.from('/') : Buffer.alloc(0),
    cString(block, 0, 100),
  ]);
  const name = new TextDecoder('utf-8', { fatal: false }).decode(rawName);
  const type = String.fromCharCode(block[156]!);
  if (type !== '0' && type !== '\0') {
    const what = TYPE_NAMES[type] ?? `type ${JSON.stringify(type)}`;
    const link = type === '1' || type === '2';
    const target = link ? cString(block, 157, 100).toString('utf8') : undefined;
    throw new ContainerError(
      link ? ContainerErrorCode.EntryLink : ContainerErrorCode.EntryType,
      `entry ${JSON.stringify(name)} at byte ${offset} is a ${what}${target !== undefined ? ` to ${JSON.stringify(target)}` : ''}; a container holds regular files only`,
      { details: { offset, name, type: what, ...(target !== undefined ? { target } : {}) } },
    );
  }
  assertSafeEntryName(name, `tar header at byte ${offset}`);
  const sizeText = block.subarray(124, 136).toString('latin1');
  if (!/^[0-7]{11}\0$/.test(sizeText)) {
    throw new ContainerError(
      ContainerErrorCode.TarHeader,
      `tar header of ${JSON.stringify(name)} at byte ${offset} has a malformed size field ${JSON.stringify(sizeText)}; expected 11 octal digits and NUL`,
      { details: { offset, name } },
    );
  }
  const size = Number.parseInt(sizeText.slice(0, 11), 8);
  const canonical = encodeHeader(name, size);
  if (!canonical.equals(block)) {
    let differs = 0;
    while (differs < BLOCK && canonical[differs] === block[differs]) differs++;
    throw new ContainerError(
      ContainerErrorCode.TarHeader,
      `tar header of ${JSON.stringify(name)} at byte ${offset} is not canonical (byte ${differs} of the header differs from what the builder writes: mode 0644, uid/gid 0, mtime 0, empty owner); the archive was altered`,
      { details: { offset, name, headerByte: differs } },
    );
  }
  return { name, size };
}
