import { dirname, relative, resolve, sep } from 'node:path';
import {
  checkLock,
  LockError,
  lockPathFor,
  runtimeVersionChange,
  signingKeyFromEnv,
  writeLockFile,
} from '@agentlang/lock';
import { sniffInput } from '@agentlang/manifest';
import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import { inputOptionsFromFlags } from '../input-flags.js';
import { manifestLoadOptions } from '../registry-base.js';
import { resolveOptionsFromFlags } from '../resolve-flags.js';
import type { LOCK } from './index.js';

/** `agentlang lock <agent>`: resolve the agent on this host and pin the plan in its lock file. */
export async function run(ctx: ContextOf<typeof LOCK>): Promise<CommandResult> {
  const [target] = ctx.positionals as [string];
  if (ctx.values.frozen && ctx.values['no-frozen'])
    throw new CliError(CliErrorCode.Flag, '--frozen and --no-frozen contradict each other', {
      details: { flag: 'no-frozen' },
    });
  const keyVar = ctx.values['sign-key-env'];
  const signingKeys = keyVar === undefined ? [] : [signingKeyFromEnv(keyVar, ctx.env)];
  const agentPath = resolve(ctx.cwd, target);
  const absoluteLock = ctx.values.out !== undefined ? resolve(ctx.cwd, ctx.values.out) : lockPathFor(agentPath);
  // Messages name the lock as the user would type it: relative to where they stand.
  const lockPath = ctx.cwd === process.cwd() ? relative(ctx.cwd, absoluteLock) || absoluteLock : absoluteLock;
  const frozen = ctx.values.frozen ? true : ctx.values['no-frozen'] ? false : undefined;
  // A container is verified (--pubkey) and decrypted like for `run`; its own agent.lock must hold
  // here (portable part), and this host's lock — same portable part, this host's runtime, auth and
  // host — is written beside it, only after that check.
  // Only a container is opened through openAgentInput (verified, decrypted in memory, its own lock
  // read from the archive): a directory or YAML manifest is what the lock is being made for.
  const container = (await sniffInput(agentPath)) === 'container';
  const { lockAgent, openAgentInput } = await import('@agentlang/agent-input');
  const opened = container
    ? await openAgentInput(agentPath, { ...inputOptionsFromFlags(ctx), requirePrompt: true, requireContainerKey: true })
    : undefined;
  let result = await lockAgent(opened ? opened.agent : agentPath, {
    lockPath,
    ...(container && { manifestPath: relative(dirname(absoluteLock), agentPath).split(sep).join('/'), write: false }),
    agentPath: target,
    env: ctx.env,
    load: manifestLoadOptions(ctx.env),
    signingKeys,
    ...(frozen !== undefined && { frozen }),
    resolve: {
      ...(await resolveOptionsFromFlags(ctx)),
      ...(ctx.values.runtime !== undefined && { runtime: ctx.values.runtime }),
    },
  });
  if (opened) {
    if (!opened.lock)
      throw new LockError('LOCK_NOT_FOUND', `${target} holds no agent.lock; rebuild it with \`agentlang build\``, {
        details: { agentPath: target },
      });
    const drifts = checkLock(opened.lock.lock, result.plan);
    if (drifts.length > 0) {
      throw new LockError(
        'LOCK_DRIFT',
        `the agent.lock inside ${target} does not hold on this host: ${drifts[0]!.message}\n  The container was built for another agent state; rebuild it with \`agentlang build\` where its sources are.`,
        { details: { drifts, agentPath: target } },
      );
    }
    if (!result.frozen) {
      writeLockFile(absoluteLock, result.bytes);
      result = { ...result, written: true };
    }
  }
  for (const line of result.plan.missing) ctx.log(`Missing: ${line}`);
  for (const line of result.plan.warnings) ctx.log(`Warning: ${line}`);
  if (ctx.verbose) for (const line of result.plan.decisions) ctx.log(`  ${line}`);
  if (ctx.verbose) for (const d of result.drifts) ctx.log(`changed: ${d.message}`);
  // Another version of the built-in runtime than the lock records: not a drift, but said.
  const runtimeVersion = opened?.lock ? runtimeVersionChange(opened.lock.lock, result.plan) : result.runtimeVersion;
  if (runtimeVersion) ctx.log(`Note: ${runtimeVersion.message}`);
  if (result.previous === 'signed' && !result.signed && result.written) {
    ctx.log(`Note: the previous ${lockPath} was signed; it is now unsigned (pass --sign-key-env VAR to sign)`);
  }
  const shown = lockPath;
  const text = result.written ? `Wrote ${shown}${result.signed ? ' (signed)' : ''}` : `${shown} is up to date (frozen)`;
  return {
    text,
    data: {
      lockPath: shown,
      written: result.written,
      changed: result.changed,
      signed: result.signed,
      frozen: result.frozen,
      previous: result.previous,
      lock: result.lock,
      drifts: result.drifts,
      warnings: result.plan.warnings,
      ...(runtimeVersion && { runtimeVersion }),
    },
  };
}
