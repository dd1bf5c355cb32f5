import type { CommandSpec } from '../command.js';

/**
 * Every verb of `agentlang`. Each entry carries its help text and loads its module lazily,
 * so start-up cost is that of the verb being run. Keep the list alphabetical.
 */
export const COMMANDS: CommandSpec[] = [
  {
    name: 'validate',
    summary: 'check an agent (directory, YAML file of either dialect, or container) and print its digest',
    usage: 'Usage: agentlang validate <agent> [--json] [--strict]\n\n  --strict   treat warnings as errors',
    options: { strict: { type: 'boolean' } },
    load: () => import('./validate.js'),
  },
];
