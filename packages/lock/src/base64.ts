import { LockError } from './errors.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard padded base64 strictly: Buffer.from(…, 'base64') silently skips junk and
 * accepts several spellings of the same bytes, so anything but the one canonical encoding is
 * rejected here (no whitespace, no URL alphabet, no missing or extra padding, zero spare bits).
 */
export function decodeBase64Strict(text: unknown, where: string): Buffer {
  if (typeof text !== 'string' || !BASE64.test(text)) {
    throw new LockError('LOCK_MALFORMED', `${where} is not canonical padded base64`, { details: { where } });
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) {
    throw new LockError('LOCK_MALFORMED', `${where} is not canonical base64 (non-zero padding bits)`, {
      details: { where },
    });
  }
  return bytes;
}
