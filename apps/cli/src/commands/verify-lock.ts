import { resolve } from 'node:path';
import { readLockFile } from '@agentlang/lock';
import type { CommandResult, ContextOf } from '../command.js';
import type { VERIFY_LOCK } from './index.js';

/** `agentlang verify-lock <lock> --pubkey <hex>`: verify a signed lock's signature, then parse it. */
export async function run(ctx: ContextOf<typeof VERIFY_LOCK>): Promise<CommandResult> {
  const [target] = ctx.positionals as [string];
  const { lock, keyids } = readLockFile(resolve(ctx.cwd, target), {
    publicKeys: ctx.values.pubkey,
    requireSigned: true,
  });
  const who = lock.manifest.version === null ? lock.manifest.name : `${lock.manifest.name}@${lock.manifest.version}`;
  return {
    text: `VALID: signature verifies for ${who}`,
    data: {
      valid: true,
      agent: { name: lock.manifest.name, version: lock.manifest.version, hash: lock.manifest.hash },
      keyids,
      lock,
    },
  };
}
