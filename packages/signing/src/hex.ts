import { SigningError } from './errors.js';

/** Decodes a hex key of exactly `bytes` bytes (either case), or throws SIGNING_KEY_INVALID naming `what`. */
export function decodeKeyHex(hex: string, bytes: number[], what: string): Buffer {
  const text = typeof hex === 'string' ? hex.trim() : '';
  if (!/^[0-9a-fA-F]*$/.test(text) || !bytes.includes(text.length / 2)) {
    throw new SigningError(
      'SIGNING_KEY_INVALID',
      `${what} must be ${bytes.map((b) => b * 2).join(' or ')} hex characters (${bytes.join(' or ')} bytes); got ${describe(text)}. ` +
        'Generate a key pair with `agentlang keygen`.',
      { details: { expectedHexLength: bytes.map((b) => b * 2), length: text.length } },
    );
  }
  return Buffer.from(text, 'hex');
}

function describe(text: string): string {
  if (text.length === 0) return 'an empty string';
  const bad = /[^0-9a-fA-F]/.exec(text);
  if (bad) return `a non-hex character at position ${bad.index}`;
  return `${text.length} characters`;
}
