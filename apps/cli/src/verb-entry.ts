import * as command from 'agentlang:command';
import { COMMANDS } from './commands/index.js';
import { runCli } from './main.js';

// The entry of every dist/verbs/<verb>.cjs: main.ts, the declarations of every verb (for help and
// argument checks) and the one command module tsup.config.ts resolves `agentlang:command` to.

/** Runs the command line `argv` (the process's arguments after the script). */
export function start(argv: string[]): void {
  runCli(argv, COMMANDS, async (name) => {
    const { run } = command;
    if (typeof run !== 'function')
      throw new Error(`this agentlang install has no bundle for '${name}' (dist/verbs/${name}.cjs); reinstall it`);
    return { run };
  });
}
