import { resolve } from 'node:path';
import { type BuildProgress, buildContainer, ContainerError, ContainerErrorCode } from '@agentlang/container';
import { signingKeyFromEnv } from '@agentlang/lock';
import { progressLogger } from '@agentlang/utils';
import type { CommandContext, CommandResult, ContextOf } from '../command.js';
import type { BUILD } from './index.js';
import { resolveOptionsFromFlags, sandboxProbeExecutor } from '../resolve-flags.js';
import type { PromptReview } from '../review-prompt.js';

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Logs progress to stderr for large contexts: at most once per 10% (only above 16 MiB). */
function contextProgress(ctx: Pick<CommandContext, 'log'>): (p: BuildProgress) => void {
  const report = progressLogger(ctx.log, 16 * 1024 * 1024);
  return (p) => report({ verb: 'packing', label: 'context', bytes: p.bytesDone, total: p.bytesTotal });
}

/** `agentlang build <agent>`: resolve, lock, encrypt the prompt, and write a signed `.agent` container. */
export async function run(ctx: ContextOf<typeof BUILD>): Promise<CommandResult> {
  const [target] = ctx.positionals as [string];
  const signEnv = ctx.values['sign-key-env'] ?? (ctx.env.AGENTLANG_SIGNING_KEY ? 'AGENTLANG_SIGNING_KEY' : undefined);
  const signingKeys = signEnv ? [signingKeyFromEnv(signEnv, ctx.env).privateKey] : [];
  const recipients = [...ctx.values.recipient];
  if (recipients.length === 0 && ctx.env.AGENTLANG_RECIPIENT)
    recipients.push(...ctx.env.AGENTLANG_RECIPIENT.split(/[\s,]+/).filter(Boolean));
  const passEnv = ctx.values['passphrase-env'];
  let passphrase: string | undefined;
  if (passEnv !== undefined) {
    passphrase = ctx.env[passEnv];
    if (passphrase === undefined || passphrase === '') {
      throw new ContainerError(
        ContainerErrorCode.OptionsInvalid,
        `environment variable ${passEnv} (named by --passphrase-env) is not set or empty; export it first`,
        { details: { variable: passEnv } },
      );
    }
  }
  const agentPath = resolve(ctx.cwd, target);
  let findings: PromptReview | undefined;
  if (ctx.values.quality) {
    const [{ loadAgent }, { reviewPrompt, reviewersFromEnv }] = await Promise.all([
      import('@agentlang/manifest'),
      import('../review-prompt.js'),
    ]);
    findings = await reviewPrompt(await loadAgent(agentPath), { reviewers: reviewersFromEnv(ctx.env) });
    for (const f of findings.findings)
      ctx.log(`quality ${f.severity}: [${f.reviewer}] ${f.section ? `${f.section}: ` : ''}${f.message}`);
    ctx.log(`quality: ${findings.findings.length} finding(s) from ${findings.reviewers.join(', ')}`);
    if (findings.findings.some((f) => f.severity === 'error')) {
      throw new ContainerError(
        ContainerErrorCode.ReviewFailed,
        `prompt review found ${findings.findings.filter((f) => f.severity === 'error').length} error(s) (listed above); fix them or build without --quality`,
        {
          details: {
            findings: findings.findings,
          },
        },
      );
    }
  }
  const frozen = ctx.values.frozen ? true : undefined;
  const built = await buildContainer(agentPath, {
    cwd: ctx.cwd,
    ...(ctx.values.out !== undefined && { out: resolve(ctx.cwd, ctx.values.out) }),
    signingKeys,
    recipients,
    ...(passphrase !== undefined && { passphrase }),
    ...(frozen !== undefined && { frozen }),
    env: ctx.env,
    // Dependency checks and MCP servers run in the agent's sandbox, never on the host.
    resolve: {
      ...(await resolveOptionsFromFlags(ctx)),
      ...(ctx.values.runtime !== undefined && { runtime: ctx.values.runtime }),
      probeExecutor: sandboxProbeExecutor(ctx),
    },
    onProgress: contextProgress(ctx),
  });
  if (signingKeys.length === 0)
    ctx.log('warning: the container is NOT signed; pass --sign-key-env VAR (or set AGENTLANG_SIGNING_KEY) to sign it');
  const { index } = built;
  const context = index.entries.filter((e) => e.kind === 'context');
  const enc = index.encryption;
  const lines = [
    `Built ${built.path}`,
    `  agent:     ${index.agent.name}@${index.agent.version} (${index.agent.digest})`,
    `  lock:      ${built.lockPath} (${built.lockWritten ? 'written' : 'unchanged'})`,
    `  entries:   ${index.entries.length + 2}, context: ${context.length} file(s), ${formatBytes(context.reduce((n, e) => n + e.size, 0))}`,
    `  prompt:    ${enc ? `encrypted (AES-256-GCM) for ${enc.recipients.map((r) => (r.type === 'x25519' ? `x25519 ${r.keyId.slice(0, 16)}…` : 'a passphrase')).join(', ')}` : 'none'}`,
    `  signature: ${signingKeys.length > 0 ? 'Ed25519 (DSSE over manifest.json)' : 'UNSIGNED'}`,
    'Locked dependencies, hashed files, signed container.'.replace(
      'signed',
      signingKeys.length > 0 ? 'signed' : 'unsigned',
    ),
  ];
  return {
    text: lines.join('\n'),
    data: {
      path: built.path,
      index,
      lockPath: built.lockPath,
      lockWritten: built.lockWritten,
      signed: signingKeys.length > 0,
      ...(findings && { quality: findings }),
    },
  };
}
