import {
  type Envelope,
  parseEnvelope,
  SigningError,
  serializeEnvelope,
  signEnvelope,
  verifyEnvelopeDetailed,
} from '@agentlang/signing';
import { ContainerError, ContainerErrorCode } from './errors.js';

export type { Envelope };

/** DSSE payload type of a container index; a lock's envelope type is different, so neither replays as the other. */
export const CONTAINER_PAYLOAD_TYPE = 'application/vnd.agentlang.container-index.v1+json';

/**
 * The exact bytes of `signature.sig`: a DSSE envelope from `@agentlang/signing` over the index, in
 * its file form; with no key, the same envelope shape with an empty `signatures` list.
 */
export function signatureFileBytes(payload: Uint8Array, signingKeys: string[]): Buffer {
  if (signingKeys.length === 0) {
    return Buffer.from(
      serializeEnvelope({
        payloadType: CONTAINER_PAYLOAD_TYPE,
        payload: Buffer.from(payload).toString('base64'),
        signatures: [],
      }),
    );
  }
  try {
    return Buffer.from(
      serializeEnvelope(
        signEnvelope(
          CONTAINER_PAYLOAD_TYPE,
          payload,
          signingKeys.map((privateKey) => ({ privateKey })),
        ),
      ),
    );
  } catch (cause) {
    throw new ContainerError(ContainerErrorCode.KeyInvalid, `cannot sign the container: ${(cause as Error).message}`, {
      details: {},
      cause,
    });
  }
}

/** What the signature file says, before and after checking against trusted keys. */
export interface EnvelopeCheck {
  envelope: Envelope;
  /** Key ids the envelope claims. */
  keyIds: string[];
  /** Key ids that verified under a trusted key (empty when no keys were given). */
  verifiedBy: string[];
}

function malformed(why: string, cause?: unknown): ContainerError {
  return new ContainerError(ContainerErrorCode.SignatureMalformed, `signature.sig ${why}`, {
    details: {},
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Checks `signature.sig` bytes: the exact form the builder writes, the container payload type
 * (a lock signature is refused), a payload equal to the `manifest.json` bytes, and — when
 * `publicKeys` are given — a signature verifying under one of them (DSSE PAE, Ed25519).
 */
export function checkSignatureFile(bytes: Uint8Array, indexBytes: Uint8Array, publicKeys: string[]): EnvelopeCheck {
  let value: { payloadType?: unknown; payload?: unknown; signatures?: unknown };
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw malformed('is not UTF-8 JSON; expected a DSSE envelope {payloadType, payload, signatures}', cause);
  }
  if (typeof value !== 'object' || value === null) throw malformed('is not a DSSE envelope object');
  if (value.payloadType !== CONTAINER_PAYLOAD_TYPE) {
    throw new ContainerError(
      ContainerErrorCode.SignatureMalformed,
      `signature.sig has payload type ${JSON.stringify(value.payloadType)}, expected ${JSON.stringify(CONTAINER_PAYLOAD_TYPE)}; a signature made for something else (e.g. a lock) is never accepted for a container`,
      { details: { found: value.payloadType, expected: CONTAINER_PAYLOAD_TYPE } },
    );
  }
  let envelope: Envelope;
  if (Array.isArray(value.signatures) && value.signatures.length === 0 && typeof value.payload === 'string') {
    envelope = { payloadType: CONTAINER_PAYLOAD_TYPE, payload: value.payload, signatures: [] };
  } else {
    try {
      envelope = parseEnvelope(bytes);
    } catch (cause) {
      throw malformed(`is not a valid DSSE envelope: ${(cause as Error).message}`, cause);
    }
  }
  // Only the exact bytes the builder writes are accepted, so no byte can change unnoticed.
  if (!Buffer.from(serializeEnvelope(envelope)).equals(Buffer.from(bytes))) {
    throw malformed('is not in the exact form the builder writes (key order, whitespace, base64); it was altered');
  }
  if (
    !Buffer.from(envelope.payload, 'base64').equals(Buffer.from(indexBytes)) ||
    Buffer.from(indexBytes).toString('base64') !== envelope.payload
  ) {
    throw malformed('signs different bytes than manifest.json holds; the container was altered');
  }
  const keyIds = envelope.signatures.map((s) => s.keyid);
  if (publicKeys.length === 0 || keyIds.length === 0) return { envelope, keyIds, verifiedBy: [] };
  try {
    const verified = verifyEnvelopeDetailed(envelope, { publicKeys, payloadType: CONTAINER_PAYLOAD_TYPE });
    return { envelope, keyIds, verifiedBy: verified.keyids };
  } catch (cause) {
    if (cause instanceof SigningError && cause.code === 'SIGNING_SIGNATURE_INVALID')
      return { envelope, keyIds, verifiedBy: [] };
    if (cause instanceof SigningError)
      throw new ContainerError(ContainerErrorCode.KeyInvalid, `cannot check the signature: ${cause.message}`, {
        cause,
      });
    throw cause;
  }
}
