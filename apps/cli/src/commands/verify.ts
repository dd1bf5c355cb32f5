import { resolve } from 'node:path';
import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import { trustedKeys } from '../input-flags.js';
import type { VERIFY } from './index.js';

/**
 * `agentlang verify <agent> --pubkey HEX`: is this input signed by the key? A container: its
 * signature and every entry's digest. A directory or YAML manifest: the lock beside it (or --lock)
 * is signed by the key and its manifest hash is the agent's digest.
 */
export async function run(ctx: ContextOf<typeof VERIFY>): Promise<CommandResult> {
  const [target] = ctx.positionals as [string];
  const publicKeys = trustedKeys(ctx);
  if (publicKeys.length === 0)
    throw new CliError(
      CliErrorCode.Flag,
      '--pubkey HEX is required (or AGENTLANG_PUBKEY): the Ed25519 public key (from `agentlang keygen`) to trust',
      { details: { flag: 'pubkey' } },
    );
  const { openAgentInput } = await import('@agentlang/agent-input');
  const lockPath = ctx.values.lock;
  const input = await openAgentInput(resolve(ctx.cwd, target), {
    cwd: ctx.cwd,
    publicKeys,
    ...(lockPath ? { lockPath } : {}),
  });
  const { name, version, digest, dialect } = { ...input.agent.manifest, digest: input.agent.digest };
  const keyIds = input.verified?.keyIds ?? [];
  if (input.container) {
    const entries = input.container.archiveEntries;
    return {
      text: `VALID: signature verifies for ${name}@${version}; all ${entries} entries match manifest.json`,
      data: { valid: true, source: 'container', agent: input.container.index.agent, verifiedBy: keyIds, entries },
    };
  }
  const lock = input.lock!;
  return {
    text: `VALID: ${target} is signed: ${lock.label} verifies for ${name}@${version ?? '(no version)'} and pins its manifest hash ${digest}`,
    data: {
      valid: true,
      source: input.source,
      agent: { name, version: version ?? null, digest, dialect },
      verifiedBy: keyIds,
      lock: lock.label,
    },
  };
}
