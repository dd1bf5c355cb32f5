import { resolve } from 'node:path';
import { verifyContainer } from '@agentlang/container';
import type { CommandContext, CommandResult } from '../command.js';

class VerifyUsageError extends Error {
  readonly code = 'USAGE_VERIFY';
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** `agentlang verify <file> --pubkey HEX`: the container's signature and every entry's digest. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [target, ...extra] = ctx.positionals;
  if (!target || extra.length > 0) throw new VerifyUsageError('expected exactly one <file>: agentlang verify <name@version.agent> --pubkey HEX');
  const publicKeys = list(ctx.values.pubkey);
  if (publicKeys.length === 0) throw new VerifyUsageError('--pubkey HEX is required: the Ed25519 public key (AGENTLANG_PUBKEY from `agentlang keygen`) to trust');
  const verified = await verifyContainer(resolve(ctx.cwd, target), { publicKeys });
  const { agent } = verified.index;
  return {
    text: `VALID: signature verifies for ${agent.name}@${agent.version}; all ${verified.index.entries.length + 2} entries match manifest.json`,
    data: { valid: true, agent, verifiedBy: verified.verifiedBy, entries: verified.index.entries.length + 2 },
  };
}
