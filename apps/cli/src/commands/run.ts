import { describeAgentInput, openAgentInput } from '@agentlang/agent-input';
import { validateSessionId } from '@agentlang/harness';
import { formatPlanText } from '@agentlang/resolver';
import { readRunInput, runAgent, signingKeyFromEnv } from '@agentlang/runner';
import type { CommandContext, CommandResult } from '../command.js';
import { inputOptionsFromFlags } from '../input-flags.js';
import { resolveOptionsFromFlags } from '../resolve-flags.js';

// The launcher runs this verb from the code-cached bundle dist/hot/run-core.cjs (see
// ../hot/run-core.ts), which bundles these packages; the full ES-module CLI loads it as a lazy
// chunk only for what that bundle hands over (containers, whose code it leaves out; --tool-registry).

/** A usage mistake: maps to exit code 2 through its `USAGE_` code. */
class RunUsageError extends Error {
  readonly code = 'USAGE_RUN';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function readUserPrompt(ctx: CommandContext): string | undefined {
  const prompt = str(ctx.values.prompt);
  const input = str(ctx.values.input);
  if (prompt !== undefined && input !== undefined) throw new RunUsageError('pass either --prompt or --input, not both');
  if (input === undefined) return prompt;
  return readRunInput(input, { cwd: ctx.cwd });
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new RunUsageError(`--timeout takes a positive number of seconds; found ${JSON.stringify(value)}`);
  return Math.round(seconds * 1000);
}

/** `--approve all|none`, else a terminal to ask on (stdin and stderr both TTYs), else nobody: calls needing approval are denied. */
function approvalFromFlags(ctx: CommandContext): { policy: 'all' | 'none' } | { terminal: { input: NodeJS.ReadStream; output: NodeJS.WriteStream } } | undefined {
  const value = str(ctx.values.approve);
  if (value !== undefined) {
    if (value !== 'all' && value !== 'none') throw new RunUsageError(`--approve takes all or none; found ${JSON.stringify(value)}`);
    return { policy: value };
  }
  return process.stdin.isTTY && process.stderr.isTTY ? { terminal: { input: process.stdin, output: process.stderr } } : undefined;
}

/** `--session ID`: a safe file name (it names .agentlang/sessions/ID.jsonl), else a usage error. */
function sessionFromFlags(ctx: CommandContext): string | undefined {
  const id = str(ctx.values.session);
  if (id === undefined) return undefined;
  try {
    return validateSessionId(id);
  } catch (error) {
    throw new RunUsageError(`--session: ${(error as Error).message}`);
  }
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `agentlang run <agent>`: resolve, check the lock, run inside the sandbox, write the record. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [target, ...extra] = ctx.positionals;
  if (!target) throw new RunUsageError('missing <agent>: agentlang run <agent> [--lock L] [--prompt P]');
  if (extra.length > 0) throw new RunUsageError(`unexpected argument ${JSON.stringify(extra[0])}; quote a prompt and pass it with --prompt`);
  if (ctx.values['require-signed'] && !str(ctx.values.lock)) throw new RunUsageError('--require-signed needs --lock <file> (the signed lock to verify)');
  const userPrompt = readUserPrompt(ctx);
  const timeoutMs = parseTimeout(str(ctx.values.timeout));
  const approval = approvalFromFlags(ctx);
  const session = sessionFromFlags(ctx);
  // A terminal on both ends and no task: a conversation, one turn per line, kept in a session.
  const interactive = userPrompt === undefined && process.stdin.isTTY === true && process.stdout.isTTY === true && !ctx.json && ctx.values['dry-run'] !== true;
  const signKeyEnv = str(ctx.values['sign-key-env']);
  const signingKey = signKeyEnv ? signingKeyFromEnv(signKeyEnv, ctx.env) : undefined;
  const dryRun = ctx.values['dry-run'] === true;
  // One entry point decides what the input is and verifies it before anything else: a container
  // (signature under --pubkey, every entry, prompt decrypted), or a directory / YAML manifest (under
  // a key: only with a lock signed by it that covers the manifest). Its lock comes back as bytes.
  const input = await openAgentInput(target, {
    ...inputOptionsFromFlags(ctx),
    requirePrompt: true,
    requireContainerKey: true,
    ...(str(ctx.values.lock) ? { lockPath: str(ctx.values.lock) } : {}),
    ...(ctx.values['require-signed'] ? { requireSigned: true } : {}),
  });
  const { agent, lock } = input;
  // Agent output streams through as it comes; under --json stdout holds only the JSON document.
  const out = ctx.json ? process.stderr : process.stdout;
  // The probe executor follows the run's own backend (runAgent's default); consent is the run's.
  const { allowEnv, probeExecutor: _sandboxed, ...resolveOptions } = await resolveOptionsFromFlags(ctx);
  const runOnce = (over: Partial<Parameters<typeof runAgent>[1]>) => runAgent(agent, {
    agentLabel: target,
    cwd: ctx.cwd,
    env: ctx.env,
    ...(lock ? { lock: { bytes: lock.bytes, label: lock.label, ...(lock.verified && lock.signature ? { verified: { by: lock.signature, keyIds: lock.keyIds } } : {}) } } : {}),
    ...(userPrompt !== undefined ? { userPrompt } : {}),
    ...(str(ctx.values.runtime) ? { runtime: str(ctx.values.runtime) } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(approval || session ? { harness: { ...(approval ? { approval } : {}), ...(session ? { session: { id: session } } : {}) } } : {}),
    // --session without a task resumes the session (a call left waiting, a stopped step); no new user message.
    ...(userPrompt === undefined && session ? { userPrompt: '' } : {}),
    ...(signingKey ? { signingKey } : {}),
    resolveOptions,
    ...(allowEnv && allowEnv.length > 0 ? { allowEnv: [...allowEnv] } : {}),
    unsafeNoIsolation: ctx.values['unsafe-no-isolation'] === true,
    dryRun,
    handleSignals: true,
    stdout: out,
    stderr: process.stderr,
    log: ctx.log,
    verbose: ctx.verbose,
    onPlan: (plan) => {
      // Decisions explain; they go to stderr (--help says so), never into the plan on stdout.
      if (ctx.verbose) for (const d of plan.decisions) ctx.log(`  ${'Decision:'.padEnd(10)}${d}`);
      if (ctx.json) return;
      const head = `${[formatPlanText(plan), ...describeAgentInput(input, plan)].join('\n')}\n\n`;
      out.write(dryRun ? head : `${head}Launching ${plan.runtime.name}...\n`);
    },
    ...over,
  });
  // Only the built-in harness converses; another runtime on a terminal runs once, as before.
  if (interactive && (await runOnce({ dryRun: true, onPlan: () => {} })).plan.runtime.name === 'harness') {
    const { converse } = await import('../conversation.js');
    const id = session ?? `chat-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    ctx.log(`session ${id}: type a message, Ctrl-C cancels a turn, Ctrl-D ends (resume with --session ${id})`);
    const exitCode = await converse({
      input: process.stdin,
      output: process.stdout,
      notice: ctx.log,
      turn: async (prompt, turn) => {
        const r = await runOnce({
          userPrompt: prompt,
          signal: turn.signal,
          handleSignals: false,
          harness: { approval: approval && 'policy' in approval ? approval : { approve: turn.approve }, session: { id } },
          ...(turn.first ? {} : { onPlan: () => {} }),
        });
        return r.exitCode;
      },
    });
    return { exitCode };
  }
  const result = await runOnce({});
  if (ctx.values['unsafe-no-isolation'] === true) ctx.log('warning: --unsafe-no-isolation: the agent ran WITHOUT a sandbox');
  const data = {
    plan: result.plan,
    outcome: result.outcome,
    exitCode: result.exitCode,
    record: result.record,
    recordPath: result.recordPath,
    sandbox: result.sandbox,
    // The built-in harness runtime: { outcome, answer, usage, toolCalls } (the answer also went to stdout, unless --json).
    ...(result.harness
      ? { harness: { outcome: result.harness.outcome, answer: result.harness.answer, usage: result.harness.usage, toolCalls: result.harness.toolCalls } }
      : {}),
  };
  if (dryRun) {
    return {
      text: [
        'Dry run: nothing was started.',
        ...result.sandbox.allows.lines.map(([label, text]) => `  ${`${label}:`.padEnd(10)}${text}`),
        `Sandbox (${result.sandbox.backend}):`,
        `  ${result.sandbox.redactedArgv.map(shellQuote).join(' ')}`,
      ].join('\n'),
      data,
      exitCode: 0,
    };
  }
  if (result.outcome === 'timeout') ctx.log(`agent timed out after ${timeoutMs ?? 600_000} ms and was killed (record ${result.record?.run_id})`);
  if (result.outcome === 'aborted') ctx.log(`run aborted (record ${result.record?.run_id})`);
  if (ctx.verbose && result.record) ctx.log(`record: ${result.recordPath}`);
  return { data, exitCode: result.exitCode };
}
