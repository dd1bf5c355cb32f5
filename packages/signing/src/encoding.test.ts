import { thrownBy } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, decodeKeyHex, SigningError } from './index.js';

describe('decodeBase64Strict', () => {
  it('decodes canonical padded base64', () => {
    expect(decodeBase64Strict('aGk=', 'x').toString()).toBe('hi');
    expect(decodeBase64Strict('', 'x').length).toBe(0);
  });

  it('refuses every other spelling of the same bytes, naming where', () => {
    for (const text of ['aGk', 'aGk==', ' aGk=', 'aGl=', 'a-k=', 'aG\nk=']) {
      const error = thrownBy(SigningError, () => decodeBase64Strict(text, 'payload'));
      expect(error.code).toBe('SIGNING_MALFORMED');
      expect(error.details).toEqual({ where: 'payload' });
    }
    expect(thrownBy(SigningError, () => decodeBase64Strict(42, 'payload')).code).toBe('SIGNING_MALFORMED');
  });
});

describe('decodeKeyHex', () => {
  it('decodes either case and trims, at any of the allowed lengths', () => {
    expect(decodeKeyHex(` ${'aB'.repeat(32)}\n`, [32], 'public key')).toEqual(Buffer.alloc(32, 0xab));
    expect(decodeKeyHex('00'.repeat(64), [32, 64], 'private key').length).toBe(64);
  });

  it('says what length was expected and what was found, never the value', () => {
    const short = thrownBy(SigningError, () => decodeKeyHex('abcd', [32], 'public key'));
    expect(short.code).toBe('SIGNING_KEY_INVALID');
    expect(short.message).toMatch(/public key must be 64 hex characters \(32 bytes\); got 4 characters/);
    expect(thrownBy(SigningError, () => decodeKeyHex(`${'0'.repeat(63)}g`, [32], 'k')).message).toMatch(
      /non-hex character at position 63/,
    );
    expect(thrownBy(SigningError, () => decodeKeyHex('', [32], 'k')).message).toMatch(/an empty string/);
  });
});
