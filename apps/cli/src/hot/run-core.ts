import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sniffInput } from '@agentlang/manifest';
import { hasRegistryBase } from '../registry-base.js';
import { COMMANDS } from '../commands/index.js';
import { runCli } from '../main.js';

// The `agentlang run` fast path as one CommonJS bundle (dist/hot/run-core.cjs), run by the launcher
// through V8's code cache (hot-load.ts) like validate's: the CLI's main logic with only the run verb,
// and run's command module with manifest, yaml, resolver, lock, isolation and runner bundled in
// (tsup.config.ts keeps every other verb, the container package and the registry client out of it).
// Going through the full ES-module CLI first cost ~20 ms of module loading on every run.

/**
 * Runs `agentlang run …` from the process arguments; resolves false, having done nothing, when the
 * full CLI must handle it: a packed container or `--tool-registry` (the registry client). This is
 * a choice of bundle only — this one leaves the container code out — not of meaning: both run the
 * same command module, which opens every input through @agentlang/agent-input's openAgentInput.
 */
export async function run(): Promise<boolean> {
  const spec = COMMANDS.find((c) => c.name === 'run');
  if (!spec) return false;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    // Lenient: main.ts parses strictly and reports mistakes; this only finds the input.
    parsed = parseArgs({ args: process.argv.slice(2), options: spec.options, allowPositionals: true, strict: false });
  } catch {
    return false;
  }
  if (parsed.values['tool-registry'] !== undefined) return false;
  const input = parsed.positionals[1];
  if (typeof input === 'string') {
    const kind = await sniffInput(resolve(input)).catch(() => undefined);
    if (kind === 'container' || hasRegistryBase(resolve(input))) return false;
  }
  runCli([spec]);
  return true;
}
