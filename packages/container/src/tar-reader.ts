import type { FileHandle } from 'node:fs/promises';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { BLOCK, decodeHeader, isZeroBlock, paddingFor, type TarHeader } from './tar-header.js';

/** Bytes read per call when streaming an entry's content. */
const CHUNK = 1 << 20;
/** Size of the read-ahead window for headers and small entries. */
const WINDOW = 64 * 1024;

/** An entry header together with where its content lies. */
export interface TarEntry extends TarHeader {
  /** Offset of the header block. */
  headerOffset: number;
  /** Offset of the first content byte. */
  dataOffset: number;
}

/**
 * A strict sequential reader of the container's tar stream over an open file: one header at a
 * time, content streamed in chunks through a reused buffer, exact end-of-archive and EOF checks.
 */
export class TarReader {
  private position = 0;
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  private second: Buffer | undefined;
  /** Read-ahead window so that headers and small entries cost one read per 64 KiB, not one each. */
  private readonly window = Buffer.allocUnsafe(WINDOW);
  private windowStart = 0;
  private windowLength = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly fileSize: number,
  ) {}

  private async readExactly(target: Buffer, length: number, position: number, what: string): Promise<void> {
    if (position + length > this.fileSize) {
      throw new ContainerError(
        ContainerErrorCode.Truncated,
        `container is truncated: ${what} needs bytes ${position}..${position + length} but the file has ${this.fileSize}; download or build it again`,
        { details: { position, length, fileSize: this.fileSize } },
      );
    }
    if (length <= WINDOW) {
      if (position < this.windowStart || position + length > this.windowStart + this.windowLength) {
        const want = Math.min(WINDOW, this.fileSize - position);
        let filled = 0;
        while (filled < want) {
          const { bytesRead } = await this.handle.read(this.window, filled, want - filled, position + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        this.windowStart = position;
        this.windowLength = filled;
        if (filled < length) {
          throw new ContainerError(
            ContainerErrorCode.Truncated,
            `container is truncated at byte ${position + filled} (file shrank while reading)`,
            { details: { position: position + filled } },
          );
        }
      }
      this.window.copy(target, 0, position - this.windowStart, position - this.windowStart + length);
      return;
    }
    await this.readDirect(target, length, position, what);
  }

  /** Reads exactly `length` bytes at `position` straight into `target` (no window). */
  private async readDirect(target: Buffer, length: number, position: number, what: string): Promise<void> {
    if (position + length > this.fileSize) {
      throw new ContainerError(
        ContainerErrorCode.Truncated,
        `container is truncated: ${what} needs bytes ${position}..${position + length} but the file has ${this.fileSize}`,
        { details: { position, length, fileSize: this.fileSize } },
      );
    }
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(target, done, length - done, position + done);
      if (bytesRead === 0) {
        throw new ContainerError(
          ContainerErrorCode.Truncated,
          `container is truncated at byte ${position + done} (file shrank while reading)`,
          { details: { position: position + done } },
        );
      }
      done += bytesRead;
    }
  }

  /**
   * Reads the next header; returns null at the end-of-archive marker (two zero blocks), after
   * checking that nothing but EOF follows it.
   */
  async next(): Promise<TarEntry | null> {
    const block = Buffer.allocUnsafe(BLOCK);
    const headerOffset = this.position;
    await this.readExactly(block, BLOCK, headerOffset, 'a tar header');
    if (isZeroBlock(block)) {
      const second = Buffer.allocUnsafe(BLOCK);
      await this.readExactly(second, BLOCK, headerOffset + BLOCK, 'the end-of-archive marker');
      if (!isZeroBlock(second)) {
        throw new ContainerError(
          ContainerErrorCode.TarHeader,
          `malformed end-of-archive marker at byte ${headerOffset}: a zero block followed by a non-zero block`,
          { details: { offset: headerOffset } },
        );
      }
      const end = headerOffset + 2 * BLOCK;
      if (end !== this.fileSize) {
        throw new ContainerError(
          ContainerErrorCode.TrailingData,
          `container has ${this.fileSize - end} bytes of trailing data after the end-of-archive marker at byte ${end}; the file was altered`,
          { details: { offset: end, extra: this.fileSize - end } },
        );
      }
      this.position = end;
      return null;
    }
    const header = decodeHeader(block, headerOffset);
    const dataOffset = headerOffset + BLOCK;
    this.position = dataOffset;
    return { ...header, headerOffset, dataOffset };
  }

  /**
   * Streams the content of `entry` to `onChunk` (the chunk is only valid during the call) and
   * checks that its padding is zero; leaves the reader at the next header.
   */
  async readContent(entry: TarEntry, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void> {
    const needed = entry.dataOffset + entry.size + paddingFor(entry.size) + 2 * BLOCK;
    if (needed > this.fileSize) {
      throw new ContainerError(
        ContainerErrorCode.Truncated,
        `container is truncated: entry ${JSON.stringify(entry.name)} declares ${entry.size} bytes at byte ${entry.dataOffset}, which with the end marker needs ${needed} bytes, but the file has ${this.fileSize}`,
        { details: { name: entry.name, size: entry.size, fileSize: this.fileSize } },
      );
    }
    const end = entry.dataOffset + entry.size;
    if (entry.size <= WINDOW) {
      // Small entries come from the read-ahead window.
      if (entry.size > 0) {
        await this.readExactly(this.buffer, entry.size, entry.dataOffset, `content of ${entry.name}`);
        await onChunk(this.buffer.subarray(0, entry.size));
      }
    } else {
      // Large entries: the next chunk is read (thread pool) while the caller hashes this one.
      const buffers = [this.buffer, (this.second ??= Buffer.allocUnsafe(CHUNK))];
      const readAt = async (buf: Buffer, position: number): Promise<number> => {
        const length = Math.min(CHUNK, end - position);
        await this.readDirect(buf, length, position, `content of ${entry.name}`);
        return length;
      };
      let position = entry.dataOffset;
      let which = 0;
      let pending: Promise<number> | null = readAt(buffers[0]!, position);
      while (pending) {
        const length = await pending;
        pending = null;
        const next = position + length;
        if (next < end) {
          pending = readAt(buffers[which ^ 1]!, next);
          // Awaited next round; this keeps a failure from surfacing as unhandled if onChunk throws first.
          pending.catch(() => undefined);
        }
        await onChunk(buffers[which]!.subarray(0, length));
        position = next;
        which ^= 1;
      }
    }
    const pad = paddingFor(entry.size);
    if (pad > 0) {
      const padding = Buffer.allocUnsafe(pad);
      await this.readExactly(padding, pad, end, `padding of ${entry.name}`);
      if (!isZeroBlock(padding)) {
        throw new ContainerError(
          ContainerErrorCode.TarPadding,
          `padding after entry ${JSON.stringify(entry.name)} (bytes ${end}..${end + pad}) is not zero; the archive was altered`,
          { details: { name: entry.name, offset: end } },
        );
      }
    }
    this.position = end + pad;
  }

  /** Moves past `entry` without reading its content (the padding is not checked); leaves the reader at the next header. */
  skip(entry: TarEntry): void {
    const next = entry.dataOffset + entry.size + paddingFor(entry.size);
    if (next + 2 * BLOCK > this.fileSize) {
      throw new ContainerError(
        ContainerErrorCode.Truncated,
        `container is truncated: entry ${JSON.stringify(entry.name)} declares ${entry.size} bytes at byte ${entry.dataOffset}, which with the end marker needs ${next + 2 * BLOCK} bytes, but the file has ${this.fileSize}`,
        { details: { name: entry.name, size: entry.size, fileSize: this.fileSize } },
      );
    }
    this.position = next;
  }

  /** Reads the whole content of a small entry into a new buffer, refusing it above `limit` bytes. */
  async readSmall(entry: TarEntry, limit: number): Promise<Buffer> {
    if (entry.size > limit) {
      throw new ContainerError(
        ContainerErrorCode.EntryTooLarge,
        `entry ${JSON.stringify(entry.name)} declares ${entry.size} bytes; at most ${limit} are allowed for it`,
        { details: { name: entry.name, size: entry.size, limit } },
      );
    }
    const out = Buffer.allocUnsafe(entry.size);
    let at = 0;
    await this.readContent(entry, (chunk) => {
      chunk.copy(out, at);
      at += chunk.length;
    });
    return out;
  }
}
