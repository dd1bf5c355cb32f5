import { formatPosition, type LoadedAgent, type SourcePosition } from '@agentlang/manifest';
import { nearestWord } from '@agentlang/utils';
import { ResolveError } from './errors.js';

/** Where in the agent's sources a document path was written, or undefined for agents without positions. */
export function positionOf(
  agent: LoadedAgent,
  path: readonly (string | number)[],
  options?: { key?: boolean },
): SourcePosition | undefined {
  const p = agent.locate?.(path, options);
  return p && p.line > 0 ? p : undefined;
}

/**
 * The same error with the declaration that caused it in front (`agent.yaml:12:5: …`) and in
 * `details` (`file`, `line`, `column`, `path`), so every error about an input is located.
 */
export function withPosition(
  error: ResolveError,
  agent: LoadedAgent,
  path: readonly (string | number)[],
  options?: { key?: boolean },
): ResolveError {
  const at = positionOf(agent, path, options);
  if (!at || error.details.line !== undefined) return error;
  return new ResolveError(error.code, `${formatPosition(at)}: ${error.message}`, {
    cause: error.cause,
    details: { ...error.details, file: at.file, line: at.line, column: at.column, path: `/${path.join('/')}` },
  });
}

/** The candidate closest to `word` (other than itself), when one is close enough to be a typo. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  return nearestWord(
    word,
    [...candidates].filter((c) => c !== word),
  );
}

/** `; did you mean "x"?` for a suggestion, or the empty string. */
export function didYouMean(near: string | undefined): string {
  return near === undefined ? '' : `; did you mean "${near}"?`;
}
