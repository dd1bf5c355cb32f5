import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
  // What the sandbox of a run will and will not allow (the runner decides it; resolve only reports).
  const { describeRunSandbox } = await import('@agentlang/runner');
  let sandbox: unknown;
  let sandboxLines: Array<[string, string]>;
  try {
    const described = describeRunSandbox(plan, {
      workdir: ctx.cwd,
      ...(existsSync(agent.source.root) ? { root: agent.source.root } : {}),
      env: ctx.env,
      agent,
      // As a run would: the host-owned .agentlang/ (records) re-bound read-only under a writable workdir.
      protect: [join(ctx.cwd, '.agentlang'), join(ctx.cwd, '.agentlang', 'records')].filter((p) => existsSync(p)),
    });
    sandbox = described.summary;
    sandboxLines = described.lines;
  } catch (error) {
    const e = error as Error & { code?: string };
    sandbox = { error: { code: e.code ?? 'SANDBOX_INVALID_POLICY', message: e.message } };
    sandboxLines = [['Sandbox', `refused: ${e.message}`]];
  }
  // Decisions are an explanation, not the answer: stderr, as --help says.
  if (ctx.verbose) for (const d of plan.decisions) ctx.log(`  ${'Decision:'.padEnd(10)}${d}`);
  const shown = ctx.values.sandbox === true ? sandboxLines : sandboxLines.filter(([label]) => label === 'Note' || label === 'Sandbox');
  const sandboxText = shown.map(([label, text]) => `  ${`${label === 'Note' ? 'Warning' : label}:`.padEnd(10)}${text}`);
  return {
    text: [formatPlanText(plan), ...sandboxText].join('\n'),
    data: { ...plan, sandbox },
    // Something the run needs is missing: say so in the exit status too (the resolve family).
    exitCode: plan.missing.length > 0 ? EXIT_CODES.RESOLVE! : 0,
  };
}
