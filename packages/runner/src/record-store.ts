import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@agentlang/utils';
import { RunnerError } from './errors.js';
import { type ExecutionRecord, checkRecordShape } from './record.js';
import { isUlid } from './ulid.js';

/** Where records live for a working directory: `<cwd>/.agentlang/records`. */
export function recordsDirFor(cwd: string): string {
  return join(cwd, '.agentlang', 'records');
}

/** Serialises a record exactly as it is written to disk (2-space JSON and a final newline). */
export function serializeRecord(record: ExecutionRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/**
 * Writes `<dir>/<run_id>.json` atomically (temp file, fsync, rename; no directory fsync) and, when given, the signed
 * DSSE envelope beside it as `<run_id>.dsse.json`; returns the record's path.
 */
export function writeRecord(dir: string, record: ExecutionRecord, envelope?: unknown): string {
  if (!isUlid(record.run_id))
    throw new RunnerError('RUNNER_RECORD_ID', `record run_id ${JSON.stringify(record.run_id)} is not a ULID`, {
      details: { runId: record.run_id },
    });
  const path = join(dir, `${record.run_id}.json`);
  try {
    // The envelope first: a record file never exists without the signature that was asked for.
    // Each file is fsynced before its rename (never torn); the directory fsync is skipped — it costs
    // as much again on every run, and without it a power cut can only lose the newest record whole.
    if (envelope !== undefined)
      writeFileAtomicSync(join(dir, `${record.run_id}.dsse.json`), `${JSON.stringify(envelope, null, 2)}\n`, {
        syncDirectory: false,
        createDirectory: true,
      });
    writeFileAtomicSync(path, serializeRecord(record), { syncDirectory: false, createDirectory: true });
  } catch (error) {
    throw new RunnerError(
      'RUNNER_RECORD_WRITE',
      `could not write the execution record ${path}: ${(error as Error).message}; check that ${dir} is writable`,
      { details: { path }, cause: error },
    );
  }
  return path;
}

function parseRecordFile(path: string, id: string): ExecutionRecord {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RunnerError('RUNNER_RECORD_INVALID', `record ${path} is not valid JSON: ${(error as Error).message}`, {
      details: { path },
      cause: error,
    });
  }
  const problems = checkRecordShape(value);
  if (problems.length > 0) {
    throw new RunnerError(
      'RUNNER_RECORD_INVALID',
      `record ${path} is not an agentlang.record/v1 document: ${problems.join('; ')}`,
      { details: { path, problems } },
    );
  }
  const record = value as ExecutionRecord;
  if (record.run_id !== id) {
    throw new RunnerError(
      'RUNNER_RECORD_INVALID',
      `record ${path} holds run_id ${record.run_id}, expected ${id} (file renamed?)`,
      { details: { path, runId: record.run_id } },
    );
  }
  return record;
}

/** A record file {@link scanRecords} could not use, and why. */
export interface SkippedRecord {
  path: string;
  id: string;
  /** The error code (`RUNNER_RECORD_INVALID`) and the message, which names the problem. */
  code: string;
  reason: string;
}

/** What {@link scanRecords} found: the good records, oldest first, and the files it skipped. */
export interface RecordScan {
  records: ExecutionRecord[];
  skipped: SkippedRecord[];
}

/**
 * Every record in `dir`, oldest first (ULID order), and every record file that is unreadable or
 * malformed — skipped, so one bad file never hides the others. A missing directory means no records.
 */
export function scanRecords(dir: string): RecordScan {
  if (!existsSync(dir)) return { records: [], skipped: [] };
  const ids = readdirSync(dir)
    .filter((name) => name.endsWith('.json') && isUlid(name.slice(0, -5)))
    .map((name) => name.slice(0, -5))
    .sort();
  const records: ExecutionRecord[] = [];
  const skipped: SkippedRecord[] = [];
  for (const id of ids) {
    const path = join(dir, `${id}.json`);
    try {
      records.push(parseRecordFile(path, id));
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'RUNNER_RECORD_INVALID';
      skipped.push({ path, id, code, reason: (error as Error).message });
    }
  }
  return { records, skipped };
}

/** Every readable record in `dir`, oldest first (ULID order); malformed ones are left out (see {@link scanRecords}). */
export function listRecords(dir: string): ExecutionRecord[] {
  return scanRecords(dir).records;
}

/**
 * Reads one record by run id. The id must be a ULID, so it can never name a path outside `dir`
 * (`../x`, absolute paths, separators are refused before the filesystem is touched).
 */
export function readRecord(dir: string, id: string): ExecutionRecord {
  if (!isUlid(id)) {
    throw new RunnerError(
      'RUNNER_RECORD_ID',
      `record id ${JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id)} is not a ULID (26 characters of Crockford base32, e.g. 01HT8Z6S41TSV4RRFFQ69G5FAV); run \`agentlang records list\` to see the ids`,
      { details: { id: id.slice(0, 200) } },
    );
  }
  const path = join(dir, `${id}.json`);
  if (!existsSync(path)) {
    throw new RunnerError(
      'RUNNER_RECORD_NOT_FOUND',
      `no record ${id} in ${dir}; run \`agentlang records list\` to see the ids`,
      { details: { id, dir } },
    );
  }
  return parseRecordFile(path, id);
}

/** The signed envelope stored beside a record, or null when the record was not signed. */
export function readRecordEnvelope(dir: string, id: string): unknown | null {
  if (!isUlid(id))
    throw new RunnerError('RUNNER_RECORD_ID', `record id ${JSON.stringify(id.slice(0, 64))} is not a ULID`, {
      details: { id: id.slice(0, 200) },
    });
  const path = join(dir, `${id}.dsse.json`);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new RunnerError('RUNNER_RECORD_INVALID', `signed envelope ${path} is not valid JSON`, {
      details: { path },
      cause: error,
    });
  }
}
