import type { CommandModule } from './command.js';

/**
 * Loads a verb's module from sources (src/commands/<verb>.ts), for running `main()` in-process, as
 * tests do; the built CLI has each verb's module in its own bundle instead (src/verb-entry.ts).
 */
export function loadCommand(name: string): Promise<CommandModule> {
  // Resolved when called (not a glob a bundler would expand): one verb loads one module.
  return import(/* @vite-ignore */ `./commands/${name}.js`) as Promise<CommandModule>;
}
