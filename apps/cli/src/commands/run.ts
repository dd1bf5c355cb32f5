import { createReadStream, createWriteStream, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeAgentInput, openAgentInput } from '@agentlang/agent-input';
import { type AgentEvent, createJsonlUiActions, jsonlEventWriter, validateSessionId } from '@agentlang/harness';
import { formatPlanText } from '@agentlang/resolver';
import { readRunInput, runAgent, signingKeyFromEnv } from '@agentlang/runner';
import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import { inputOptionsFromFlags } from '../input-flags.js';
import { resolveOptionsFromFlags } from '../resolve-flags.js';
import type { RUN } from './index.js';

function readUserPrompt(ctx: ContextOf<typeof RUN>): string | undefined {
  const { prompt, input } = ctx.values;
  if (prompt !== undefined && input !== undefined)
    throw new CliError(CliErrorCode.Flag, 'pass either --prompt or --input, not both', { details: { flag: 'input' } });
  if (input === undefined) return prompt;
  return readRunInput(input, { cwd: ctx.cwd });
}

/** `--approve all|none`, else a terminal to ask on (stdin and stderr both TTYs), else nobody: calls needing approval are denied. */
function approvalFromFlags(
  ctx: ContextOf<typeof RUN>,
): { policy: 'all' | 'none' } | { terminal: { input: NodeJS.ReadStream; output: NodeJS.WriteStream } } | undefined {
  const policy = ctx.values.approve;
  if (policy !== undefined) return { policy };
  return process.stdin.isTTY && process.stderr.isTTY
    ? { terminal: { input: process.stdin, output: process.stderr } }
    : undefined;
}

/** `--events PATH|-`: the harness run's typed events as JSONL, to a file (created or truncated) or stdout (the agent's output then goes to stderr). */
function eventsFromFlags(
  ctx: ContextOf<typeof RUN>,
): { listener: (event: AgentEvent) => void; toStdout: boolean; close(): Promise<void> } | undefined {
  const value = ctx.values.events;
  if (value === undefined) return undefined;
  if (value === '-') {
    if (ctx.json)
      throw new CliError(
        CliErrorCode.Flag,
        '--events - and --json both want stdout; write the events to a file (--events PATH)',
        { details: { flag: 'events' } },
      );
    return { listener: jsonlEventWriter(process.stdout), toStdout: true, close: async () => {} };
  }
  const path = resolve(ctx.cwd, value);
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw new CliError(CliErrorCode.Flag, `--events: cannot write ${path}: ${(error as Error).message}`, {
      details: { flag: 'events', path },
    });
  }
  const stream = createWriteStream('', { fd });
  return {
    listener: jsonlEventWriter(stream),
    toStdout: false,
    close: () => new Promise<void>((done) => stream.end(done)),
  };
}

/** `--ui-actions PATH|-`: the JSONL control channel of UI actions (`{"type":"ui_action","render_id","action","values"}` lines). */
function uiActionsFromFlags(ctx: ContextOf<typeof RUN>): ReturnType<typeof createJsonlUiActions> | undefined {
  const value = ctx.values['ui-actions'];
  if (value === undefined) return undefined;
  const input = value === '-' ? process.stdin : createReadStream(resolve(ctx.cwd, value));
  input.on('error', (error: Error) => ctx.log(`--ui-actions: ${error.message}`));
  return createJsonlUiActions(input, (line, reason) =>
    ctx.log(`--ui-actions: ignored ${JSON.stringify(line.slice(0, 80))}: ${reason}`),
  );
}

/** `--session ID`: a safe file name (it names .agentlang/sessions/ID.jsonl), else a usage error. */
function sessionFromFlags(ctx: ContextOf<typeof RUN>): string | undefined {
  const id = ctx.values.session;
  if (id === undefined) return undefined;
  try {
    return validateSessionId(id);
  } catch (error) {
    throw new CliError(CliErrorCode.Session, `--session: ${(error as Error).message}`, {
      details: { flag: 'session', id: id.slice(0, 80) },
      cause: error,
    });
  }
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `agentlang run <agent>`: resolve, check the lock, run inside the sandbox, write the record. */
export async function run(ctx: ContextOf<typeof RUN>): Promise<CommandResult> {
  const [target] = ctx.positionals as [string];
  const { lock: lockPath, timeout } = ctx.values;
  if (ctx.values['require-signed'] && lockPath === undefined)
    throw new CliError(CliErrorCode.Flag, '--require-signed needs --lock <file> (the signed lock to verify)', {
      details: { flag: 'lock' },
    });
  const userPrompt = readUserPrompt(ctx);
  const timeoutMs = timeout === undefined ? undefined : Math.round(timeout * 1000);
  const approval = approvalFromFlags(ctx);
  const session = sessionFromFlags(ctx);
  // A terminal on both ends and no task: a conversation, one turn per line, kept in a session.
  const interactive =
    userPrompt === undefined &&
    process.stdin.isTTY === true &&
    process.stdout.isTTY === true &&
    !ctx.json &&
    ctx.values['dry-run'] !== true;
  const signKeyEnv = ctx.values['sign-key-env'];
  const signingKey = signKeyEnv ? signingKeyFromEnv(signKeyEnv, ctx.env) : undefined;
  const dryRun = ctx.values['dry-run'];
  // One entry point decides what the input is and verifies it before anything else: a container
  // (signature under --pubkey, every entry, prompt decrypted), or a directory / YAML manifest (under
  // a key: only with a lock signed by it that covers the manifest). Its lock comes back as bytes.
  const input = await openAgentInput(target, {
    ...inputOptionsFromFlags(ctx),
    requirePrompt: true,
    requireContainerKey: true,
    ...(lockPath !== undefined ? { lockPath } : {}),
    ...(ctx.values['require-signed'] ? { requireSigned: true } : {}),
  });
  const { agent, lock } = input;
  const events = eventsFromFlags(ctx);
  // Agent output streams through as it comes; under --json stdout holds only the JSON document.
  const out = ctx.json || events?.toStdout ? process.stderr : process.stdout;
  // The probe executor follows the run's own backend (runAgent's default); consent is the run's.
  const { allowEnv, probeExecutor: _sandboxed, ...resolveOptions } = await resolveOptionsFromFlags(ctx);
  const uiActions = uiActionsFromFlags(ctx);
  const harness = {
    ...(approval ? { approval } : {}),
    ...(events ? { events: [events.listener] } : {}),
    ...(uiActions ? { uiActions } : {}),
    ...(session ? { session: { id: session } } : {}),
  };
  const runOnce = (over: Partial<Parameters<typeof runAgent>[1]>) =>
    runAgent(agent, {
      agentLabel: target,
      cwd: ctx.cwd,
      env: ctx.env,
      ...(lock
        ? {
            lock: {
              bytes: lock.bytes,
              label: lock.label,
              ...(lock.verified && lock.signature ? { verified: { by: lock.signature, keyIds: lock.keyIds } } : {}),
            },
          }
        : {}),
      ...(userPrompt !== undefined ? { userPrompt } : {}),
      ...(ctx.values.runtime !== undefined ? { runtime: ctx.values.runtime } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(Object.keys(harness).length > 0 ? { harness } : {}),
      // --session without a task resumes the session (a call left waiting, a stopped step); no new user message.
      ...(userPrompt === undefined && session ? { userPrompt: '' } : {}),
      ...(signingKey ? { signingKey } : {}),
      resolveOptions,
      ...(allowEnv && allowEnv.length > 0 ? { allowEnv: [...allowEnv] } : {}),
      unsafeNoIsolation: ctx.values['unsafe-no-isolation'],
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
  // The events file is complete, and the control channel released, before the command returns.
  const release = async () => {
    uiActions?.stop();
    await events?.close();
  };
  // Only the built-in harness converses; another runtime on a terminal runs once, as before.
  if (interactive && (await runOnce({ dryRun: true, onPlan: () => {} })).plan.runtime.name === 'harness') {
    const { converse } = await import('../conversation.js');
    const id = session ?? `chat-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    ctx.log(`session ${id}: type a message, Ctrl-C cancels a turn, Ctrl-D ends (resume with --session ${id})`);
    try {
      const exitCode = await converse({
        input: process.stdin,
        output: process.stdout,
        notice: ctx.log,
        turn: async (prompt, turn) => {
          const r = await runOnce({
            userPrompt: prompt,
            signal: turn.signal,
            handleSignals: false,
            harness: {
              ...harness,
              approval: approval && 'policy' in approval ? approval : { approve: turn.approve },
              session: { id },
            },
            ...(turn.first ? {} : { onPlan: () => {} }),
          });
          return r.exitCode;
        },
      });
      return { exitCode };
    } finally {
      await release();
    }
  }
  const result = await runOnce({}).finally(release);
  if (ctx.values['unsafe-no-isolation']) ctx.log('warning: --unsafe-no-isolation: the agent ran WITHOUT a sandbox');
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
  if (result.outcome === 'timeout')
    ctx.log(`agent timed out after ${timeoutMs ?? 600_000} ms and was killed (record ${result.record?.run_id})`);
  if (result.outcome === 'aborted') ctx.log(`run aborted (record ${result.record?.run_id})`);
  if (ctx.verbose && result.record) ctx.log(`record: ${result.recordPath}`);
  return { data, exitCode: result.exitCode };
}
