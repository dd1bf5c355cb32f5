import { createReadStream, createWriteStream, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeAgentInput, openAgentInput } from '@agentlang/agent-input';
import { type AgentEvent, createJsonlUiActions, jsonlEventWriter } from '@agentlang/harness';
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

/** `--events PATH|-`: the harness run's typed events as JSONL, to a file (created or truncated) or stdout (the agent's output then goes to stderr). */
function eventsFromFlags(ctx: CommandContext): { listener: (event: AgentEvent) => void; toStdout: boolean; close(): Promise<void> } | undefined {
  const value = str(ctx.values.events);
  if (value === undefined) return undefined;
  if (value === '-') {
    if (ctx.json) throw new RunUsageError('--events - and --json both want stdout; write the events to a file (--events PATH)');
    return { listener: jsonlEventWriter(process.stdout), toStdout: true, close: async () => {} };
  }
  const path = resolve(ctx.cwd, value);
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw new RunUsageError(`--events: cannot write ${path}: ${(error as Error).message}`);
  }
  const stream = createWriteStream('', { fd });
  return { listener: jsonlEventWriter(stream), toStdout: false, close: () => new Promise<void>((done) => stream.end(done)) };
}

/** `--ui-actions PATH|-`: the JSONL control channel of UI actions (`{"type":"ui_action","render_id","action","values"}` lines). */
function uiActionsFromFlags(ctx: CommandContext): ReturnType<typeof createJsonlUiActions> | undefined {
  const value = str(ctx.values['ui-actions']);
  if (value === undefined) return undefined;
  const input = value === '-' ? process.stdin : createReadStream(resolve(ctx.cwd, value));
  input.on('error', (error: Error) => ctx.log(`--ui-actions: ${error.message}`));
  return createJsonlUiActions(input, (line, reason) => ctx.log(`--ui-actions: ignored ${JSON.stringify(line.slice(0, 80))}: ${reason}`));
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
  const events = eventsFromFlags(ctx);
  // Agent output streams through as it comes; under --json stdout holds only the JSON document.
  const out = ctx.json || events?.toStdout ? process.stderr : process.stdout;
  // The probe executor follows the run's own backend (runAgent's default); consent is the run's.
  const { allowEnv, probeExecutor: _sandboxed, ...resolveOptions } = await resolveOptionsFromFlags(ctx);
  const uiActions = uiActionsFromFlags(ctx);
  const harness = { ...(approval ? { approval } : {}), ...(events ? { events: [events.listener] } : {}), ...(uiActions ? { uiActions } : {}) };
  const result = await runAgent(agent, {
    agentLabel: target,
    cwd: ctx.cwd,
    env: ctx.env,
    ...(lock ? { lock: { bytes: lock.bytes, label: lock.label, ...(lock.verified && lock.signature ? { verified: { by: lock.signature, keyIds: lock.keyIds } } : {}) } } : {}),
    ...(userPrompt !== undefined ? { userPrompt } : {}),
    ...(str(ctx.values.runtime) ? { runtime: str(ctx.values.runtime) } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(Object.keys(harness).length > 0 ? { harness } : {}),
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
  }).finally(async () => {
    // The events file is complete, and the control channel released, before the command returns.
    uiActions?.stop();
    await events?.close();
  });
  if (ctx.values['unsafe-no-isolation'] === true) ctx.log('warning: --unsafe-no-isolation: the agent ran WITHOUT a sandbox');
  const data = {
    plan: result.plan,
    outcome: result.outcome,
    exitCode: result.exitCode,
    record: result.record,
    recordPath: result.recordPath,
    sandbox: result.sandbox,
    // The built-in harness runtime: { outcome, answer, usage, toolCalls, costUsd? } (the answer also went to stdout, unless --json).
    ...(result.harness
      ? {
          harness: {
            outcome: result.harness.outcome,
            answer: result.harness.answer,
            usage: result.harness.usage,
            toolCalls: result.harness.toolCalls,
            ...(result.harness.costUsd !== undefined ? { costUsd: result.harness.costUsd } : {}),
          },
        }
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
