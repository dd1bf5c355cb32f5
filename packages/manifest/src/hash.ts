import { createHash } from 'node:crypto';

/** Lower-case hex sha256 of bytes or a UTF-8 string. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `sha256:<64 hex>` of bytes or a UTF-8 string (the form used for files in digests and locks). */
export function sha256Tagged(data: Uint8Array | string): string {
  return `sha256:${sha256Hex(data)}`;
}
