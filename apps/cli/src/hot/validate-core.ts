import { resolve } from 'node:path';
import { sniffInput } from '@agentlang/manifest';
import { hasRegistryBase } from '../registry-base.js';
import { COMMANDS } from '../commands/index.js';
import { runCli } from '../main.js';

// The validate fast path as one CommonJS bundle (dist/hot/validate-core.cjs), run by the launcher
// through V8's code cache (hot-load.ts): the CLI's main logic with only the validate verb, and
// validate's command module bundled in (tsup.config.ts keeps every other verb, and the container
// package, out of it).

/**
 * Runs `agentlang validate …` from the process arguments; resolves false, having done nothing,
 * when the input is a packed container, which the full CLI validates. A choice of bundle only (this
 * one leaves the container and lock code out): both run the same command, through openAgentInput.
 */
export async function run(): Promise<boolean> {
  // validate's own flags are all boolean, so its input is the first bare argument after the verb.
  const input = process.argv.slice(2).filter((arg) => !arg.startsWith('-'))[1];
  if (input !== undefined) {
    const kind = await sniffInput(resolve(input)).catch(() => undefined);
    if (kind === 'container' || hasRegistryBase(resolve(input))) return false;
  }
  runCli(COMMANDS.filter((c) => c.name === 'validate'));
  return true;
}
