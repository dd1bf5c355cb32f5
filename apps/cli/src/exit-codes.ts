/**
 * Exit codes, one per error family. The family is the prefix of the error's `code`
 * (`MANIFEST_SCHEMA` → MANIFEST). `agentlang run` passes the agent's own exit code through.
 */
export const EXIT_CODES: Record<string, number> = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  MANIFEST: 10,
  PROMPT: 10,
  RESOLVE: 11,
  LOCK: 12,
  SIGNATURE: 13,
  SANDBOX: 14,
  RUNNER: 15,
  CONTAINER: 16,
  REGISTRY: 17,
};

/** Maps an error code such as `LOCK_DRIFT` to its family's exit code. */
export function exitCodeFor(code: string): number {
  const family = code.split('_')[0] ?? '';
  return EXIT_CODES[family] ?? EXIT_CODES.INTERNAL!;
}
