import type { CommandContext, CommandResult } from '../command.js';

/** Placeholder until @agentlang/manifest lands (issue 2). */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  return { text: `not implemented: validate ${ctx.positionals.join(' ')}`, exitCode: 1 };
}
