/**
 * Exit codes, one per error family. The family is the prefix of the error's `code`
 * (`MANIFEST_SCHEMA` → MANIFEST). `agentlang run` passes the agent's own exit code through.
 * A signature failure exits with the family of what was signed (12 lock, 16 container, 17 registry).
 * A test pins this table: changing a number is a breaking change for every script using the CLI.
 */
export const EXIT_CODES: Record<string, number> = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  MANIFEST: 10,
  PROMPT: 10,
  RESOLVE: 11,
  LOCK: 12,
  SANDBOX: 14,
  RUNNER: 15,
  CONTAINER: 16,
  REGISTRY: 17,
};

/** The exit-code table as printed by `agentlang --help` (and documented in apps/cli/README.md). */
export const EXIT_CODE_HELP: readonly string[] = [
  'Exit codes: 0 ok, 1 internal, 2 usage, 10 manifest or prompt, 11 resolve, 12 lock (drift and',
  '            signatures), 14 sandbox, 15 runner, 16 container, 17 registry; `run` passes the agent exit code.',
];

/** Maps an error code such as `LOCK_DRIFT` to its family's exit code (unknown families: 1). */
export function exitCodeFor(code: string): number {
  const family = code.split('_')[0] ?? '';
  if (family === 'OK') return EXIT_CODES.INTERNAL!; // an error never exits 0
  return EXIT_CODES[family] ?? EXIT_CODES.INTERNAL!;
}
