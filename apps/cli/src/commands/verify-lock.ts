import { resolve } from 'node:path';
import { readLockFile } from '@agentlang/lock';
import type { CommandContext, CommandResult } from '../command.js';

class VerifyLockUsageError extends Error {
  readonly code = 'USAGE_ARGUMENTS';
}

/** `agentlang verify-lock <lock> --pubkey <hex>`: verify a signed lock's signature, then parse it. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [target, ...extra] = ctx.positionals;
  if (!target || extra.length > 0) throw new VerifyLockUsageError('expected exactly one <lock>: agentlang verify-lock <lock> --pubkey <hex>');
  const raw = ctx.values.pubkey;
  const publicKeys = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).filter((k): k is string => typeof k === 'string');
  if (publicKeys.length === 0) {
    throw new VerifyLockUsageError('--pubkey <hex> is required: the Ed25519 public key (AGENTLANG_PUBKEY from `agentlang keygen`) to trust');
  }
  const { lock, keyids } = readLockFile(resolve(ctx.cwd, target), { publicKeys, requireSigned: true });
  const who = lock.manifest.version === null ? lock.manifest.name : `${lock.manifest.name}@${lock.manifest.version}`;
  return {
    text: `VALID: signature verifies for ${who}`,
    data: { valid: true, agent: { name: lock.manifest.name, version: lock.manifest.version, hash: lock.manifest.hash }, keyids, lock },
  };
}
