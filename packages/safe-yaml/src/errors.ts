import type { YamlIssue, YamlIssueCode } from './read-yaml.js';

/** Thrown by {@link parseYaml}: the first issue found, with every issue in `details.issues`. */
export class SafeYamlError extends Error {
  readonly code: YamlIssueCode;
  readonly details: { file?: string; line: number; column: number; path: string; issues: YamlIssue[] };

  constructor(issues: YamlIssue[], file?: string) {
    const first = issues[0]!;
    super(`${file ?? '<yaml>'}:${first.line}:${first.column}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`);
    this.name = 'SafeYamlError';
    this.code = first.code;
    this.details = { ...(file !== undefined ? { file } : {}), line: first.line, column: first.column, path: first.path, issues };
  }
}
