import { toLockError } from '@agentlang/lock';
import {
  type Envelope,
  SigningError,
  signEnvelope,
  signingKeyFromEnv as readSigningKey,
  verifyEnvelope,
} from '@agentlang/signing';
import { RunnerError } from './errors.js';
import { type ExecutionRecord, RECORD_PAYLOAD_TYPE } from './record.js';
import { readRecord, readRecordEnvelope, serializeRecord } from './record-store.js';

/** Signs the exact record bytes written to disk as a DSSE envelope (payload type `application/vnd.agentlang.record.v1+json`). */
export function signRecord(record: ExecutionRecord, privateKeyHex: string): Envelope {
  try {
    return signEnvelope(RECORD_PAYLOAD_TYPE, Buffer.from(serializeRecord(record)), [{ privateKey: privateKeyHex }]);
  } catch (error) {
    throw toLockError(error);
  }
}

/**
 * Verifies a signed record envelope against trusted public keys and returns the record it holds;
 * a lock or container envelope never verifies here (the payload type is part of what is signed).
 */
export function verifyRecordEnvelope(envelope: Envelope | string | Uint8Array, publicKeys: string[]): ExecutionRecord {
  const bytes = verifyRecordBytes(envelope, publicKeys);
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as ExecutionRecord;
  } catch (error) {
    throw new RunnerError('RUNNER_RECORD_INVALID', 'the signed record payload is not JSON', {
      details: {},
      cause: error,
    });
  }
}

/**
 * Reads a hex Ed25519 private key from the environment variable `name` (never from a flag), as
 * `@agentlang/signing` does; any failure is RUNNER_SIGN_KEY, naming the variable, never the key.
 */
export function signingKeyFromEnv(name: string, env: Record<string, string | undefined>): string {
  try {
    return readSigningKey(name, env).privateKey;
  } catch (error) {
    if (!(error instanceof SigningError)) throw error;
    throw new RunnerError('RUNNER_SIGN_KEY', `--sign-key-env ${name}: ${error.message}`, {
      details: { variable: name },
      cause: error,
    });
  }
}

/** Verifies a record envelope; a signature failure is reported in the LOCK family (exit 12), as for every signed document the runner checks. */
function verifyRecordBytes(envelope: Envelope | string | Uint8Array, publicKeys: string[]): Uint8Array {
  try {
    return verifyEnvelope(envelope, { publicKeys, payloadType: RECORD_PAYLOAD_TYPE });
  } catch (error) {
    throw toLockError(error);
  }
}

/**
 * Reads record `id` from `dir` and verifies its stored envelope against `publicKeys`; the record
 * file must be byte-for-byte the signed payload (an edited record fails even if its envelope is intact).
 */
export function verifyStoredRecord(dir: string, id: string, publicKeys: string[]): ExecutionRecord {
  const record = readRecord(dir, id);
  const envelope = readRecordEnvelope(dir, id);
  if (envelope === null) {
    throw new RunnerError(
      'RUNNER_RECORD_UNSIGNED',
      `record ${id} is not signed (no ${id}.dsse.json beside it); sign records with \`agentlang run … --sign-key-env AGENTLANG_RECORD_KEY\``,
      { details: { id } },
    );
  }
  const bytes = verifyRecordBytes(envelope as Envelope, publicKeys);
  if (Buffer.from(bytes).toString('utf8') !== serializeRecord(record)) {
    throw new RunnerError(
      'RUNNER_RECORD_INVALID',
      `record ${id} differs from its signed envelope: the record file was modified after signing`,
      { details: { id } },
    );
  }
  return record;
}
