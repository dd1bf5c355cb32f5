import type { ManifestErrorCode } from './errors.js';

/** One problem found in an agent: where it is, what was expected, what was found. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  code: ManifestErrorCode;
  message: string;
  /** File relative to the agent root (`agent.yaml`, `skills/x/SKILL.md`). */
  file: string;
  /** 1-based line; 0 when the problem has no position (e.g. a missing file). */
  line: number;
  /** 1-based column; 0 when unknown. */
  column: number;
  /** JSON-pointer-like path in the document, e.g. `/tools/0/version`; `` for the whole file. */
  path: string;
  expected?: string;
  found?: string;
}

/** Formats a diagnostic as `agent.yaml:12:5: error MANIFEST_SCHEMA <message> (expected …, found …)`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  let text = `${where}: ${d.severity} ${d.code} ${d.message}`;
  if (d.path) text += ` at ${d.path}`;
  const extra: string[] = [];
  if (d.expected !== undefined) extra.push(`expected ${d.expected}`);
  if (d.found !== undefined) extra.push(`found ${d.found}`);
  if (extra.length) text += ` (${extra.join(', ')})`;
  return text;
}

/** `agent.yaml:12:5` (or just the file when the line is unknown). */
export function formatPosition(position: { file: string; line: number; column: number }): string {
  return position.line > 0 ? `${position.file}:${position.line}:${position.column}` : position.file;
}
