import { SigningError } from './errors.js';

/**
 * Decodes standard padded base64 strictly. Buffer.from(…, 'base64') silently skips junk and
 * accepts several spellings of the same bytes, so the input must equal the canonical re-encoding
 * of what it decodes to: no whitespace, no URL alphabet, no missing or extra padding, zero spare bits.
 */
export function decodeBase64Strict(text: unknown, where: string): Buffer {
  if (typeof text !== 'string') {
    throw new SigningError('SIGNING_MALFORMED', `${where} must be a base64 string`, { details: { where } });
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) {
    throw new SigningError(
      'SIGNING_MALFORMED',
      `${where} is not canonical padded base64 (RFC 4648 §4, with = padding)`,
      {
        details: { where },
      },
    );
  }
  return bytes;
}
