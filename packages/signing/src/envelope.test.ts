import { createPrivateKey, sign } from 'node:crypto';
import fc from 'fast-check';
import { thrownBy } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import {
  generateSigningKeyPair,
  keyIdFor,
  keyIdOf,
  parseEnvelope,
  preAuthEncoding,
  publicKeyFor,
  SigningError,
  serializeEnvelope,
  signEnvelope,
  verifyEnvelope,
  verifyEnvelopeDetailed,
} from './index.js';

const TYPE = 'application/vnd.agentlang.lock.v1+json';
const bytes = (s: string) => new TextEncoder().encode(s);
// RFC 8032 §7.1 TEST 1 (empty message).
const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC_SIG =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
// Order of the Ed25519 base point.
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const codeOf = (fn: () => unknown): string => thrownBy(SigningError, fn).code;

function withSig(envelope: ReturnType<typeof signEnvelope>, sig: Buffer) {
  return { ...envelope, signatures: [{ keyid: envelope.signatures[0]!.keyid, sig: sig.toString('base64') }] };
}

describe('preAuthEncoding', () => {
  it('matches the DSSE v1 specification example', () => {
    const pae = preAuthEncoding('http://example.com/HelloWorld', bytes('hello world'));
    expect(Buffer.from(pae).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });
  it('property: PAE is injective, so no (type, payload) pair can pose as another', () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array(), fc.string(), fc.uint8Array(), (t1, p1, t2, p2) => {
        fc.pre(t1 !== t2 || Buffer.compare(Buffer.from(p1), Buffer.from(p2)) !== 0);
        expect(Buffer.from(preAuthEncoding(t1, p1)).equals(Buffer.from(preAuthEncoding(t2, p2)))).toBe(false);
      }),
      { numRuns: 300 },
    );
    // The classic ambiguity of naive concatenation: the length prefixes tell these apart.
    expect(Buffer.from(preAuthEncoding('a b', bytes('c'))).toString()).not.toBe(
      Buffer.from(preAuthEncoding('a', bytes('b c'))).toString(),
    );
  });

  it('property: any payload signed under one type verifies under that type only', () => {
    const k = generateSigningKeyPair();
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.uint8Array({ maxLength: 256 }),
        (type, other, payload) => {
          fc.pre(type !== other);
          const env = signEnvelope(type, payload, [k]);
          expect(
            Buffer.from(verifyEnvelope(env, { publicKeys: [k.publicKey], payloadType: type })).equals(
              Buffer.from(payload),
            ),
          ).toBe(true);
          expect(
            codeOf(() =>
              verifyEnvelope({ ...env, payloadType: other }, { publicKeys: [k.publicKey], payloadType: other }),
            ),
          ).toBe('SIGNING_SIGNATURE_INVALID');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses payload types that are not well-formed Unicode (lone surrogates would collide in UTF-8)', () => {
    expect(codeOf(() => preAuthEncoding('t\uD800', bytes('x')))).toBe('SIGNING_PAYLOAD_TYPE');
    expect(codeOf(() => preAuthEncoding('t\uDFFF', bytes('x')))).toBe('SIGNING_PAYLOAD_TYPE');
    expect(Buffer.from(preAuthEncoding('t\u{1F600}', bytes('x'))).toString()).toBe('DSSEv1 5 t\u{1F600} 1 x');
  });

  it('counts bytes, not UTF-16 units', () => {
    expect(Buffer.from(preAuthEncoding('t/é', bytes('ü'))).toString()).toBe('DSSEv1 4 t/é 2 ü');
  });
});

describe('keys', () => {
  it('derives the RFC 8032 public key from its seed (NaCl-compatible seed form)', () => {
    expect(publicKeyFor(RFC_SEED)).toBe(RFC_PUB);
    expect(publicKeyFor(RFC_SEED + RFC_PUB)).toBe(RFC_PUB);
  });
  it('produces the RFC 8032 signature through node:crypto from a raw seed', () => {
    const key = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(RFC_SEED, 'hex')]),
      format: 'der',
      type: 'pkcs8',
    });
    expect(sign(null, Buffer.alloc(0), key).toString('hex')).toBe(RFC_SIG);
  });
  it('generates 64-hex seed and public key that belong together, fresh each time', () => {
    const a = generateSigningKeyPair();
    const b = generateSigningKeyPair();
    expect(a.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(a.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(publicKeyFor(a.privateKey)).toBe(a.publicKey);
    expect(a.privateKey).not.toBe(b.privateKey);
  });
  it('key id is the sha256 of the raw public key', () => {
    expect(keyIdFor(RFC_PUB)).toBe('21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9');
    expect(keyIdFor(RFC_PUB.toUpperCase())).toBe(keyIdFor(RFC_PUB));
    expect(keyIdOf(Buffer.from(RFC_PUB, 'hex'))).toBe(keyIdFor(RFC_PUB));
  });
  it('rejects keys of the wrong length or alphabet, and NaCl secret keys whose halves disagree', () => {
    expect(codeOf(() => publicKeyFor('abc'))).toBe('SIGNING_KEY_INVALID');
    expect(codeOf(() => publicKeyFor(`${RFC_SEED}00`))).toBe('SIGNING_KEY_INVALID');
    expect(codeOf(() => publicKeyFor('z'.repeat(64)))).toBe('SIGNING_KEY_INVALID');
    expect(codeOf(() => keyIdFor(RFC_SEED.slice(2)))).toBe('SIGNING_KEY_INVALID');
    expect(codeOf(() => publicKeyFor(RFC_SEED + RFC_SEED))).toBe('SIGNING_KEY_INVALID');
  });
});

describe('signEnvelope / verifyEnvelope', () => {
  const k1 = generateSigningKeyPair();
  const k2 = generateSigningKeyPair();
  const payload = bytes('{"schema":"agentlang.lock/v1"}\n');

  it('round-trips the exact payload bytes and reports the verifying key id', () => {
    const env = signEnvelope(TYPE, payload, [k1]);
    expect(env.signatures).toEqual([{ keyid: keyIdFor(k1.publicKey), sig: expect.any(String) }]);
    expect(verifyEnvelope(env, { publicKeys: [k1.publicKey], payloadType: TYPE })).toEqual(payload);
    const detailed = verifyEnvelopeDetailed(serializeEnvelope(env), {
      publicKeys: [k2.publicKey, k1.publicKey],
      payloadType: TYPE,
    });
    expect(detailed.keyids).toEqual([keyIdFor(k1.publicKey)]);
  });

  it('holds several signatures and enforces a threshold of distinct keys', () => {
    const env = signEnvelope(TYPE, payload, [k1, k2]);
    expect(env.signatures).toHaveLength(2);
    const both = { publicKeys: [k1.publicKey, k2.publicKey], payloadType: TYPE, threshold: 2 };
    expect(verifyEnvelopeDetailed(env, both).keyids).toHaveLength(2);
    const dup = signEnvelope(TYPE, payload, [k1, k1]);
    expect(codeOf(() => verifyEnvelope(dup, both))).toBe('SIGNING_SIGNATURE_INVALID');
  });

  it('serialises deterministically (Ed25519 is deterministic) and parses back', () => {
    const a = serializeEnvelope(signEnvelope(TYPE, payload, [k1]));
    const b = serializeEnvelope(signEnvelope(TYPE, payload, [k1]));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(parseEnvelope(a)).toEqual(signEnvelope(TYPE, payload, [k1]));
  });

  it('attack: the wrong public key is rejected', () => {
    const env = signEnvelope(TYPE, payload, [k1]);
    expect(codeOf(() => verifyEnvelope(env, { publicKeys: [k2.publicKey], payloadType: TYPE }))).toBe(
      'SIGNING_SIGNATURE_INVALID',
    );
  });

  it('attack: a signature relabelled with the trusted key id is rejected', () => {
    const env = signEnvelope(TYPE, payload, [k2]);
    const forged = { ...env, signatures: [{ keyid: keyIdFor(k1.publicKey), sig: env.signatures[0]!.sig }] };
    expect(codeOf(() => verifyEnvelope(forged, { publicKeys: [k1.publicKey], payloadType: TYPE }))).toBe(
      'SIGNING_SIGNATURE_INVALID',
    );
  });

  it('attack: a signature made for one payload type is refused for another, even if the type field is rewritten', () => {
    const container = signEnvelope('application/vnd.agentlang.container.v1+json', payload, [k1]);
    const opts = { publicKeys: [k1.publicKey], payloadType: TYPE };
    expect(codeOf(() => verifyEnvelope(container, opts))).toBe('SIGNING_PAYLOAD_TYPE');
    // Rewriting payloadType does not help: the PAE binds the type into what was signed.
    expect(codeOf(() => verifyEnvelope({ ...container, payloadType: TYPE }, opts))).toBe('SIGNING_SIGNATURE_INVALID');
    expect(codeOf(() => verifyEnvelope(container, { publicKeys: [k1.publicKey], payloadType: '' }))).toBe(
      'SIGNING_PAYLOAD_TYPE',
    );
  });

  it('attack: truncated or padded signatures are rejected', () => {
    const env = signEnvelope(TYPE, payload, [k1]);
    const sig = Buffer.from(env.signatures[0]!.sig, 'base64');
    const opts = { publicKeys: [k1.publicKey], payloadType: TYPE };
    for (const bad of [
      sig.subarray(0, 63),
      sig.subarray(0, 32),
      Buffer.concat([sig, Buffer.from([0])]),
      Buffer.alloc(0),
    ]) {
      expect(codeOf(() => verifyEnvelope(withSig(env, bad), opts))).toBe('SIGNING_SIGNATURE_INVALID');
    }
    // Non-canonical base64 spellings of the same 64 bytes are also refused.
    const b64 = env.signatures[0]!.sig;
    for (const spelling of [
      `${b64}=`,
      `${b64.slice(0, -2)}==`.replace(/==$/, 'A='),
      ` ${b64}`,
      b64.replace(/=+$/, ''),
    ]) {
      const e = { ...env, signatures: [{ keyid: env.signatures[0]!.keyid, sig: spelling }] };
      expect(codeOf(() => verifyEnvelope(e, opts))).toBe('SIGNING_SIGNATURE_INVALID');
    }
  });

  it('attack: a malleated signature (S + L) is rejected', () => {
    const env = signEnvelope(TYPE, payload, [k1]);
    const sig = Buffer.from(env.signatures[0]!.sig, 'base64');
    const s = BigInt(`0x${Buffer.from(sig.subarray(32)).reverse().toString('hex')}`);
    const malleated = s + L;
    expect(malleated < 2n ** 256n).toBe(true);
    const sPrime = Buffer.from(malleated.toString(16).padStart(64, '0'), 'hex').reverse();
    const forged = Buffer.concat([sig.subarray(0, 32), sPrime]);
    expect(forged.equals(sig)).toBe(false);
    expect(codeOf(() => verifyEnvelope(withSig(env, forged), { publicKeys: [k1.publicKey], payloadType: TYPE }))).toBe(
      'SIGNING_SIGNATURE_INVALID',
    );
  });

  it('attack: any flipped bit of payload or signature is rejected', () => {
    const env = signEnvelope(TYPE, payload, [k1]);
    const opts = { publicKeys: [k1.publicKey], payloadType: TYPE };
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 7 }), (inPayload, at, bit) => {
        const buf = Buffer.from(inPayload ? env.payload : env.signatures[0]!.sig, 'base64');
        buf[at % buf.length]! ^= 1 << bit;
        const tampered = inPayload
          ? { ...env, payload: buf.toString('base64') }
          : { ...env, signatures: [{ keyid: env.signatures[0]!.keyid, sig: buf.toString('base64') }] };
        expect(codeOf(() => verifyEnvelope(tampered, opts))).toBe('SIGNING_SIGNATURE_INVALID');
      }),
      { numRuns: 200 },
    );
  });

  it('rejects malformed envelopes with SIGNING_MALFORMED before any signature work', () => {
    const env = signEnvelope(TYPE, payload, [k1]);
    const opts = { publicKeys: [k1.publicKey], payloadType: TYPE };
    const cases: unknown[] = [
      'not json',
      '[]',
      JSON.stringify({ ...env, extra: 1 }),
      JSON.stringify({ payloadType: TYPE, payload: env.payload }),
      JSON.stringify({ ...env, signatures: [] }),
      JSON.stringify({ ...env, payload: `${env.payload}\n` }),
      JSON.stringify({ ...env, signatures: [{ ...env.signatures[0], extra: true }] }),
      JSON.stringify({ ...env, signatures: [{ sig: env.signatures[0]!.sig }] }),
      JSON.stringify({ ...env, signatures: Array(17).fill(env.signatures[0]) }),
    ];
    for (const c of cases) expect(codeOf(() => verifyEnvelope(bytes(c as string), opts))).toBe('SIGNING_MALFORMED');
  });

  it('needs at least one trusted key, and valid ones', () => {
    const env = signEnvelope(TYPE, payload, [k1]);
    expect(codeOf(() => verifyEnvelope(env, { publicKeys: [], payloadType: TYPE }))).toBe('SIGNING_KEY_MISSING');
    expect(codeOf(() => verifyEnvelope(env, { publicKeys: ['00'], payloadType: TYPE }))).toBe('SIGNING_KEY_INVALID');
    expect(codeOf(() => signEnvelope(TYPE, payload, []))).toBe('SIGNING_KEY_MISSING');
  });
});
