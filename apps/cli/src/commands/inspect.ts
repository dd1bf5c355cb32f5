import { resolve } from 'node:path';
import { inspectContainer } from '@agentlang/container';
import type { CommandResult, ContextOf } from '../command.js';
import type { INSPECT } from './index.js';

/** `agentlang inspect <file>`: metadata, entries, signature status and recipients, without decrypting. */
export async function run(ctx: ContextOf<typeof INSPECT>): Promise<CommandResult> {
  const [target] = ctx.positionals as [string];
  const info = await inspectContainer(resolve(ctx.cwd, target), { publicKeys: ctx.values.pubkey });
  // Counted as `build`, `validate` and `verify` count them: every archive entry.
  const archiveEntries = info.entries.length + 2;
  const sig = info.signature;
  const sigText =
    sig.state === 'verified'
      ? `verified (key id ${sig.verifiedBy.join(', ')})`
      : sig.state === 'unverified'
        ? `signed by key id ${sig.keyIds.join(', ')} (not verified: pass --pubkey HEX, or run \`agentlang verify\`)`
        : 'UNSIGNED';
  const width = Math.max(...info.entries.map((e) => e.path.length), 13);
  const lines = [
    `${info.agent.name}@${info.agent.version}  (${info.format})`,
    `  digest:     ${info.agent.digest}`,
    `  dialect:    ${info.agent.dialect}, manifest ${info.entry}`,
    `  created by: ${info.createdBy}`,
    `  size:       ${info.fileSize} bytes, ${archiveEntries} entries; integrity ok (every entry matches manifest.json)`,
    `  signature:  ${sigText}`,
    `  prompt:     ${
      info.encryption
        ? `${info.encryption.entry}, ${info.encryption.cipher} in ${info.encryption.chunkSize / 1024} KiB chunks, for:`
        : 'none'
    }`,
    ...(info.encryption?.recipients.map((r) =>
      r.type === 'x25519'
        ? `                x25519 key id ${r.keyId}`
        : `                passphrase (scrypt N=${r.N} r=${r.r} p=${r.p})`,
    ) ?? []),
    '',
    `  ${'entry'.padEnd(width)}  ${'kind'.padEnd(7)}  ${'bytes'.padStart(10)}  sha256`,
    `  ${'manifest.json'.padEnd(width)}  ${'index'.padEnd(7)}  ${''.padStart(10)}  (signed)`,
    `  ${'signature.sig'.padEnd(width)}  ${'dsse'.padEnd(7)}`,
    ...info.entries.map(
      (e) => `  ${e.path.padEnd(width)}  ${e.kind.padEnd(7)}  ${String(e.size).padStart(10)}  ${e.sha256.slice(7)}`,
    ),
  ];
  return { text: lines.join('\n'), data: info };
}
