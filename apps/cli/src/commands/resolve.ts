import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandResult, ContextOf } from '../command.js';
import { EXIT_CODES } from '../exit-codes.js';
import { inputOptionsFromFlags } from '../input-flags.js';
import { resolveOptionsFromFlags } from '../resolve-flags.js';
import type { RESOLVE } from './index.js';

/** `agentlang resolve <agent>`: prints what `run` would use (seed 000 step 2), or the whole plan with --json. */
export async function run(ctx: ContextOf<typeof RESOLVE>): Promise<CommandResult> {
  const [input] = ctx.positionals as [string];
  // Lazy: the container code loads only for containers (inside openAgentInput).
  const { describeAgentInput, openAgentInput } = await import('@agentlang/agent-input');
  // A container's files (sub-agents included) are read from the verified container; with an identity
  // its prompt is decrypted, so the plan has the prompt's digest.
  const opened = await openAgentInput(resolve(ctx.cwd, input), inputOptionsFromFlags(ctx));
  const { agent } = opened;
  const { formatPlanText, resolvePlan } = await import('@agentlang/resolver');
  const { runtime } = ctx.values;
  const plan = await resolvePlan(agent, {
    ...(await resolveOptionsFromFlags(ctx)),
    ...(runtime !== undefined ? { runtime } : {}),
    ...(ctx.values['no-mcp'] ? { probeMcp: false } : {}),
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
  const shown = ctx.values.sandbox
    ? sandboxLines
    : sandboxLines.filter(([label]) => label === 'Note' || label === 'Sandbox');
  const sandboxText = shown.map(([label, text]) => `  ${`${label === 'Note' ? 'Warning' : label}:`.padEnd(10)}${text}`);
  return {
    text: [formatPlanText(plan), ...describeAgentInput(opened, plan), ...sandboxText].join('\n'),
    data: { ...plan, sandbox },
    // Something the run needs is missing: say so in the exit status too (the resolve family).
    exitCode: plan.missing.length > 0 ? EXIT_CODES.RESOLVE! : 0,
  };
}
