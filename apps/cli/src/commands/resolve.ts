import { resolve } from 'node:path';
import type { LoadedAgent } from '@agentlang/manifest';
import { type CommandContext, type CommandResult, UsageError } from '../command.js';
import { EXIT_CODES } from '../exit-codes.js';
import { resolveOptionsFromFlags } from '../resolve-flags.js';

async function load(path: string): Promise<LoadedAgent> {
  const { loadAgent, loadAgentFromFiles, sniffInput } = await import('@agentlang/manifest');
  if ((await sniffInput(path)) !== 'container') return loadAgent(path);
  // A packed agent: resolve what its verified files declare (the prompt stays encrypted).
  const { openContainer } = await import('@agentlang/container');
  const opened = await openContainer(path);
  return loadAgentFromFiles(opened.files, { entry: opened.index.entry, label: path });
}

/** `agentlang resolve <agent>`: prints what `run` would use (seed 000 step 2), or the whole plan with --json. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [input, ...extra] = ctx.positionals;
  if (input === undefined || extra.length > 0) {
    throw new UsageError(input === undefined ? 'resolve needs one agent: a directory, a YAML manifest or a .agent container' : `resolve takes one agent, got ${ctx.positionals.length}`);
  }
  const agent = await load(resolve(ctx.cwd, input));
  const { formatPlanText, resolvePlan } = await import('@agentlang/resolver');
  const runtime = ctx.values.runtime;
  const plan = await resolvePlan(agent, {
    ...(await resolveOptionsFromFlags(ctx)),
    ...(typeof runtime === 'string' ? { runtime } : {}),
    ...(ctx.values['no-mcp'] === true ? { probeMcp: false } : {}),
  });
  return {
    text: formatPlanText(plan, { verbose: ctx.verbose }),
    data: plan,
    // Something the run needs is missing: say so in the exit status too (the resolve family).
    exitCode: plan.missing.length > 0 ? EXIT_CODES.RESOLVE! : 0,
  };
}
