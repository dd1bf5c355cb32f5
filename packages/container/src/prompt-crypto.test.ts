import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateX25519Identity } from './keys.js';
import { CHUNK_SIZE, decryptPrompt, encryptPrompt, readEncryptionHeader } from './prompt-crypto.js';

const id = generateX25519Identity();
const fast = { N: 1024, r: 8, p: 1 };

function code(fn: () => unknown): string {
  try {
    fn();
    return 'ACCEPTED';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('agentlang-encrypted/v1', () => {
  it.each([0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE])(
    'round-trips %i bytes for a recipient and a passphrase',
    (n) => {
      const plain = randomBytes(n);
      const sealed = encryptPrompt(plain, 'a@1.0.0', { recipients: [id.recipient], passphrase: 'pw', scrypt: fast });
      expect(decryptPrompt(sealed, 'a@1.0.0', { identity: id.identity }).equals(plain)).toBe(true);
      expect(decryptPrompt(sealed, 'a@1.0.0', { passphrase: 'pw' }).equals(plain)).toBe(true);
      const chunks = Math.max(1, Math.ceil(n / CHUNK_SIZE));
      expect(readEncryptionHeader(sealed).body.length).toBe(n + 16 * chunks);
    },
  );

  it('uses a fresh key every time: same plaintext, different ciphertext', () => {
    const a = encryptPrompt(Buffer.from('same'), 'a@1.0.0', { recipients: [id.recipient] });
    const b = encryptPrompt(Buffer.from('same'), 'a@1.0.0', { recipients: [id.recipient] });
    expect(a.equals(b)).toBe(false);
    expect(a.length).toBe(b.length);
  });

  it('refuses truncation, extension, chunk reordering, a changed header and another agent', () => {
    const plain = randomBytes(3 * CHUNK_SIZE + 10);
    const sealed = encryptPrompt(plain, 'a@1.0.0', { recipients: [id.recipient] });
    const { headerLine, body } = readEncryptionHeader(sealed);
    const head = sealed.subarray(0, sealed.length - body.length);
    const sc = CHUNK_SIZE + 16;
    const chunks = [0, 1, 2, 3].map((i) => body.subarray(i * sc, (i + 1) * sc));
    const open = (b: Buffer) =>
      code(() => decryptPrompt(Buffer.concat([head, b]), 'a@1.0.0', { identity: id.identity }));
    expect(open(Buffer.concat(chunks.slice(0, 3)))).toBe('CONTAINER_DECRYPT_FAILED');
    expect(open(Buffer.concat([...chunks, chunks[3]!]))).toBe('CONTAINER_DECRYPT_FAILED');
    expect(open(Buffer.concat([chunks[1]!, chunks[0]!, chunks[2]!, chunks[3]!]))).toBe('CONTAINER_DECRYPT_FAILED');
    expect(open(body.subarray(0, body.length - 1))).toBe('CONTAINER_DECRYPT_FAILED');
    const otherHeader = Buffer.from(headerLine.toString().replace('"chunkSize":65536', '"chunkSize":65536 '));
    expect(
      code(() =>
        decryptPrompt(Buffer.concat([Buffer.from('agentlang-encrypted/v1\n'), otherHeader, body]), 'a@1.0.0', {
          identity: id.identity,
        }),
      ),
    ).toBe('CONTAINER_DECRYPT_FAILED');
    expect(code(() => decryptPrompt(sealed, 'b@1.0.0', { identity: id.identity }))).toBe('CONTAINER_DECRYPT_FAILED');
    expect(code(() => decryptPrompt(sealed, 'a@1.0.0', { identity: generateX25519Identity().identity }))).toBe(
      'CONTAINER_DECRYPT_NO_MATCH',
    );
  });

  it('refuses keys in the wrong place, with clear errors', () => {
    expect(code(() => encryptPrompt(Buffer.from('x'), 'a@1', { recipients: [id.identity] }))).toBe(
      'CONTAINER_KEY_INVALID',
    );
    expect(
      code(() =>
        decryptPrompt(encryptPrompt(Buffer.from('x'), 'a@1', { recipients: [id.recipient] }), 'a@1', {
          identity: id.recipient,
        }),
      ),
    ).toBe('CONTAINER_KEY_INVALID');
    expect(code(() => encryptPrompt(Buffer.from('x'), 'a@1', { recipients: ['agentlang-x25519-abcd'] }))).toBe(
      'CONTAINER_KEY_INVALID',
    );
    expect(code(() => encryptPrompt(Buffer.from('x'), 'a@1', {}))).toBe('CONTAINER_OPTIONS_INVALID');
  });

  it('bounds the scrypt cost a header may ask for', () => {
    const sealed = encryptPrompt(Buffer.from('x'), 'a@1', { passphrase: 'pw', scrypt: fast });
    const text = sealed.toString('latin1').replace('"N":1024', '"N":4194304');
    expect(code(() => decryptPrompt(Buffer.from(text, 'latin1'), 'a@1', { passphrase: 'pw' }))).toBe(
      'CONTAINER_DECRYPT_FAILED',
    );
  });
});
