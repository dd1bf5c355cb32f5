import type { HostInfo } from './host.js';

/** The schema tag of an execution record. */
export const RECORD_SCHEMA = 'agentlang.record/v1';

/** DSSE payload type of a signed record (never valid for a lock or a container). */
export const RECORD_PAYLOAD_TYPE = 'application/vnd.agentlang.record.v1+json';

/** How a run ended. */
export type RunOutcome = 'success' | 'failure' | 'timeout' | 'aborted';

/**
 * `agentlang.record/v1`: the audit trail of one run. It holds no prompt, no output and no secret
 * values — only what ran, where, under which isolation, and how it ended.
 */
export interface ExecutionRecord {
  schema: typeof RECORD_SCHEMA;
  /** ULID: sortable by start time, and the record's file name. */
  run_id: string;
  agent: { name: string; version: string | null; hash: string };
  /**
   * The lock the run was checked against, else null: `digest` is `sha256:<hex>` of the lock's bytes,
   * `signed` whether a signature covers it, `verified` whether that signature verified against a
   * trusted key in this run, `signature` which one (`lock`: the lock's own envelope; `container`:
   * the signature of the container the lock came in, which covers every entry), `key_ids` the ids
   * of the keys that verified. `portable_digest` is the digest of the portable part the run was
   * checked on, and `host` the host part the lock was made with (runtime, model, auth source, os,
   * arch) — the run's own host part is `runtime`, `model`, `auth_source` and `host` below.
   */
  lock: {
    digest: string;
    signed: boolean;
    verified: boolean;
    signature: 'lock' | 'container' | null;
    key_ids: string[];
    portable_digest?: string;
    host?: {
      runtime: string;
      /** The built-in harness's version the lock was made with (v2 locks for `harness`). */
      runtime_version?: string;
      model: string | null;
      auth_source: string;
      os: string;
      arch: string;
    };
  } | null;
  runtime: string;
  /** First line of `<binary> --version`, or null when the runtime does not say. */
  runtime_version: string | null;
  model: string | null;
  /** Where the runtime's credentials came from on this host (`local socket`, `env:NAME`): re-resolved, never taken from the lock. */
  auth_source?: string;
  /** UTC, second precision: `2026-04-21T10:30:45Z`. */
  started_at: string;
  ended_at: string;
  duration_ms: number;
  /** The agent's exit code; null when it was killed by a signal. */
  exit_code: number | null;
  /** The signal that ended the agent (`SIGKILL` on timeout, …), or null. */
  signal: string | null;
  outcome: RunOutcome;
  host: HostInfo;
  /** The isolation backend that actually ran the agent (`bwrap`, `noether`, `none`). */
  isolation: { backend: string };
  /**
   * Names (never values) of the host environment variables handed to the agent: the runtime's
   * credentials and what its MCP `{{.env.X}}` templates read. Absent in records written before it existed.
   */
  env?: string[];
  /**
   * Runs of the built-in `harness` runtime: how the loop ended (a `LoopOutcome`, or `model_error`),
   * model requests, tokens per model (rolled up over the agent and its sub-agents) and calls per tool
   * name; `sub_agents` holds each sub-agent's run on its own (agent, parent, depth, model, outcome,
   * turns, usage, tool calls) when the agent delegates. Never prompt text, tasks, tool arguments or
   * output, or keys.
   */
  harness?: {
    outcome: string;
    turns: number;
    usage: Record<string, { input_tokens: number; output_tokens: number }>;
    tool_calls: Record<string, number>;
    /** Cost in USD at the model's catalog price (list price unless the host's catalog says otherwise); absent when no price is known. */
    cost_usd?: number;
    sub_agents?: Array<{
      agent: string;
      parent: string;
      depth: number;
      model: string;
      outcome: string;
      turns: number;
      usage: { input_tokens: number; output_tokens: number };
      tool_calls: Record<string, number>;
    }>;
  };
}

/** Formats a time as seed 000 does: UTC with second precision and a `Z`. */
export function formatRecordTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Decides the outcome from how the process ended and whether the host stopped it. */
export function decideOutcome(end: { exitCode: number | null; timedOut: boolean; aborted: boolean }): RunOutcome {
  if (end.aborted) return 'aborted';
  if (end.timedOut) return 'timeout';
  return end.exitCode === 0 ? 'success' : 'failure';
}

/** One line of `agentlang records list`: time, name@version, exit, duration, full digest. */
export function formatRecordLine(record: ExecutionRecord): string {
  const who = record.agent.version ? `${record.agent.name}@${record.agent.version}` : record.agent.name;
  const exit = record.exit_code === null ? (record.signal ?? 'signal') : String(record.exit_code);
  const outcome = record.outcome === 'timeout' || record.outcome === 'aborted' ? `  ${record.outcome}` : '';
  return `${record.started_at}  ${who}  exit=${exit}  ${record.duration_ms}ms  ${record.agent.hash}${outcome}`;
}

/** Checks the shape of a parsed record; returns a list of problems (empty when valid). */
export function checkRecordShape(value: unknown): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['not a JSON object'];
  const r = value as Record<string, unknown>;
  if (r.schema !== RECORD_SCHEMA) problems.push(`schema is ${JSON.stringify(r.schema)}, expected "${RECORD_SCHEMA}"`);
  if (typeof r.run_id !== 'string') problems.push('run_id is not a string');
  const agent = r.agent as Record<string, unknown> | undefined;
  if (typeof agent !== 'object' || agent === null || typeof agent.name !== 'string' || typeof agent.hash !== 'string') {
    problems.push('agent { name, hash } missing');
  }
  if (typeof r.started_at !== 'string') problems.push('started_at is not a string');
  if (typeof r.duration_ms !== 'number') problems.push('duration_ms is not a number');
  if (!['success', 'failure', 'timeout', 'aborted'].includes(r.outcome as string))
    problems.push('outcome is not one of success|failure|timeout|aborted');
  return problems;
}
