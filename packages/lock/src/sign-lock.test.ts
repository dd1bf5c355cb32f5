import {
  type Envelope,
  generateSigningKeyPair,
  keyIdFor,
  parseEnvelope,
  serializeEnvelope,
  SigningError,
  signEnvelope,
  verifyEnvelope,
} from '@agentlang/signing';
import { thrownBy } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { createLock, LOCK_PAYLOAD_TYPE, LockError, serializeLock, signLock, verifyLock } from './index.js';
import { researchPlan } from './testing/plans.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const codeOf = (fn: () => unknown): string => thrownBy(LockError, fn).code;
const signingCodeOf = (fn: () => unknown): string => thrownBy(SigningError, fn).code;

/** Every leaf of a JSON value as a path of keys/indices. */
function leaves(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    // An empty object is a leaf too: adding a key to it must also be caught.
    if (entries.length === 0) return [path];
    return entries.flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [path];
}

function mutateAt(root: unknown, path: Array<string | number>): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const value = path.length === 0 ? copy : parent[last];
  let next: unknown;
  if (typeof value === 'string')
    next =
      value.length > 0 && /[0-9a-f]$/.test(value)
        ? value.slice(0, -1) + (value.endsWith('0') ? '1' : '0')
        : `${value}x`;
  else if (typeof value === 'number') next = value + 1;
  else if (typeof value === 'boolean') next = !value;
  else if (value === null) next = 'x';
  else next = { injected: true };
  parent[last] = next;
  return copy;
}

describe('signed locks', () => {
  const signer = generateSigningKeyPair();
  const other = generateSigningKeyPair();
  const lockBytes = serializeLock(createLock(researchPlan(), { manifestPath: 'agent.yaml' }));
  const signed = signLock(lockBytes, [signer]);
  const envelope = parseEnvelope(signed);
  const trust = { publicKeys: [signer.publicKey] };

  it('is a JSON DSSE envelope whose payload is the exact unsigned lock bytes', () => {
    expect(Object.keys(JSON.parse(dec.decode(signed)))).toEqual(['payloadType', 'payload', 'signatures']);
    expect(envelope.payloadType).toBe('application/vnd.agentlang.lock.v1+json');
    expect(Buffer.from(envelope.payload, 'base64').equals(Buffer.from(lockBytes))).toBe(true);
    expect(envelope.signatures).toEqual([
      { keyid: keyIdFor(signer.publicKey), sig: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/) },
    ]);
    // Deterministic: re-signing identical bytes with the same key gives an identical file.
    expect(dec.decode(signLock(createLock(researchPlan(), { manifestPath: 'agent.yaml' }), [signer]))).toBe(
      dec.decode(signed),
    );
  });

  it('verifies with the right key and returns the lock and key id', () => {
    const { lock, keyids, payload } = verifyLock(signed, trust);
    expect(lock.manifest.name).toBe('research-assistant');
    expect(keyids).toEqual([keyIdFor(signer.publicKey)]);
    expect(dec.decode(payload)).toBe(dec.decode(lockBytes));
  });

  it('accepts several signatures; any trusted one suffices, a threshold can demand more', () => {
    const both = signLock(lockBytes, [other, signer]);
    expect(verifyLock(both, trust).keyids).toEqual([keyIdFor(signer.publicKey)]);
    expect(verifyLock(both, { publicKeys: [signer.publicKey, other.publicKey], threshold: 2 }).keyids).toHaveLength(2);
    expect(codeOf(() => verifyLock(signed, { publicKeys: [signer.publicKey, other.publicKey], threshold: 2 }))).toBe(
      'LOCK_SIGNATURE_INVALID',
    );
  });

  it('attack: every field of the signed lock, mutated in turn, is rejected', () => {
    const payload = JSON.parse(dec.decode(lockBytes));
    const paths = leaves(payload);
    expect(paths.length).toBeGreaterThan(40);
    for (const path of paths) {
      const mutated = mutateAt(payload, path);
      expect(JSON.stringify(mutated)).not.toBe(JSON.stringify(payload));
      const forged: Envelope = {
        ...envelope,
        payload: Buffer.from(`${JSON.stringify(mutated, null, 2)}\n`).toString('base64'),
      };
      const code = codeOf(() => verifyLock(serializeEnvelope(forged), trust));
      expect(code, `mutating ${path.join('.')} was not caught`).toBe('LOCK_SIGNATURE_INVALID');
    }
  });

  it("attack: seed 000's scenario — resolved.runtime set to malicious-cli with the manifest hash intact", () => {
    const payload = JSON.parse(dec.decode(lockBytes));
    payload.resolved.runtime = 'malicious-cli';
    const forged = { ...envelope, payload: Buffer.from(`${JSON.stringify(payload, null, 2)}\n`).toString('base64') };
    expect(codeOf(() => verifyLock(serializeEnvelope(forged), trust))).toBe('LOCK_SIGNATURE_INVALID');
  });

  it('attack: the same lock re-encoded (whitespace only) no longer verifies: the exact bytes are signed', () => {
    const compact = JSON.stringify(JSON.parse(dec.decode(lockBytes)));
    const forged = { ...envelope, payload: Buffer.from(compact).toString('base64') };
    expect(codeOf(() => verifyLock(serializeEnvelope(forged), trust))).toBe('LOCK_SIGNATURE_INVALID');
  });

  it('attack: each envelope field mutated is rejected', () => {
    const sig = envelope.signatures[0]!;
    const cases: Array<[Envelope, string]> = [
      [{ ...envelope, payloadType: `${LOCK_PAYLOAD_TYPE}x` }, 'LOCK_PAYLOAD_TYPE'],
      [{ ...envelope, signatures: [{ ...sig, keyid: keyIdFor(other.publicKey) }] }, 'LOCK_SIGNATURE_INVALID'],
      [
        {
          ...envelope,
          signatures: [{ ...sig, keyid: `${sig.keyid.slice(0, -1)}${sig.keyid.endsWith('0') ? '1' : '0'}` }],
        },
        'LOCK_SIGNATURE_INVALID',
      ],
      [
        {
          ...envelope,
          signatures: [
            { ...sig, sig: `${sig.sig.slice(0, 10)}${sig.sig[10] === 'A' ? 'B' : 'A'}${sig.sig.slice(11)}` },
          ],
        },
        'LOCK_SIGNATURE_INVALID',
      ],
    ];
    for (const [forged, code] of cases) expect(codeOf(() => verifyLock(serializeEnvelope(forged), trust))).toBe(code);
  });

  it('attack: the wrong public key is rejected, naming the key ids involved', () => {
    try {
      verifyLock(signed, { publicKeys: [other.publicKey] });
      throw new Error('accepted');
    } catch (error) {
      expect((error as LockError).code).toBe('LOCK_SIGNATURE_INVALID');
      expect((error as Error).message).toContain(keyIdFor(signer.publicKey));
      expect((error as Error).message).toContain('not one of the trusted keys');
    }
  });

  it('attack: truncated and padded signatures are rejected', () => {
    const raw = Buffer.from(envelope.signatures[0]!.sig, 'base64');
    for (const bad of [raw.subarray(0, 63), Buffer.concat([raw, Buffer.alloc(1)]), Buffer.concat([raw, raw])]) {
      const forged = {
        ...envelope,
        signatures: [{ keyid: envelope.signatures[0]!.keyid, sig: bad.toString('base64') }],
      };
      expect(codeOf(() => verifyLock(serializeEnvelope(forged), trust))).toBe('LOCK_SIGNATURE_INVALID');
    }
  });

  it('attack: a malleated signature (S + L) is rejected', () => {
    const raw = Buffer.from(envelope.signatures[0]!.sig, 'base64');
    const s = BigInt(`0x${Buffer.from(raw.subarray(32)).reverse().toString('hex')}`);
    const sPrime = Buffer.from((s + L).toString(16).padStart(64, '0'), 'hex').reverse();
    const forged = {
      ...envelope,
      signatures: [
        { keyid: envelope.signatures[0]!.keyid, sig: Buffer.concat([raw.subarray(0, 32), sPrime]).toString('base64') },
      ],
    };
    expect(codeOf(() => verifyLock(serializeEnvelope(forged), trust))).toBe('LOCK_SIGNATURE_INVALID');
  });

  it('attack: a lock signature presented as a container signature fails, and a container signature as a lock', () => {
    // A container-style verifier (payload type of its own) refuses the lock envelope …
    const containerType = 'application/vnd.agentlang.container.v1+json';
    expect(
      signingCodeOf(() => verifyEnvelope(signed, { publicKeys: [signer.publicKey], payloadType: containerType })),
    ).toBe('SIGNING_PAYLOAD_TYPE');
    expect(
      signingCodeOf(() =>
        verifyEnvelope(
          { ...envelope, payloadType: containerType },
          { publicKeys: [signer.publicKey], payloadType: containerType },
        ),
      ),
    ).toBe('SIGNING_SIGNATURE_INVALID');
    // … and a signature made over the same bytes for another payload type never passes as a lock,
    // whether the type field is left alone (LOCK_PAYLOAD_TYPE) or rewritten (PAE mismatch).
    const container = signEnvelope(containerType, lockBytes, [signer]);
    expect(codeOf(() => verifyLock(serializeEnvelope(container), trust))).toBe('LOCK_PAYLOAD_TYPE');
    expect(codeOf(() => verifyLock(serializeEnvelope({ ...container, payloadType: LOCK_PAYLOAD_TYPE }), trust))).toBe(
      'LOCK_SIGNATURE_INVALID',
    );
  });

  it('attack: an unsigned lock where a signed one is required fails with LOCK_UNSIGNED', () => {
    expect(codeOf(() => verifyLock(lockBytes, trust))).toBe('LOCK_UNSIGNED');
  });

  it('a validly signed payload that is not a lock is still refused (verify, then parse)', () => {
    const junk = serializeEnvelope(
      signEnvelope(LOCK_PAYLOAD_TYPE, enc.encode('{"schema":"agentlang.lock/v1"}'), [signer]),
    );
    expect(codeOf(() => verifyLock(junk, trust))).toBe('LOCK_MALFORMED');
    expect(codeOf(() => signLock(enc.encode('{}'), [signer]))).toBe('LOCK_SCHEMA_UNSUPPORTED');
  });
});
