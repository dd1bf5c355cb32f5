import { generateSigningKeyPair, keyIdFor } from '@agentlang/signing';
import type { CommandResult, ContextOf } from '../command.js';
import type { KEYGEN } from './index.js';

/** One generated key pair as printed: `NAME=value` lines for humans, fields for `--json`. */
interface GeneratedKeys {
  lines: string[];
  data: Record<string, string>;
}

/** Ed25519 signing keys (locks, records, containers), in the env-var form seed 000 shows. */
function ed25519Keys(): GeneratedKeys {
  const pair = generateSigningKeyPair();
  return {
    lines: [`AGENTLANG_SIGNING_KEY=${pair.privateKey}`, `AGENTLANG_PUBKEY=${pair.publicKey}`],
    data: {
      type: 'ed25519',
      AGENTLANG_SIGNING_KEY: pair.privateKey,
      AGENTLANG_PUBKEY: pair.publicKey,
      keyid: keyIdFor(pair.publicKey),
    },
  };
}

/** X25519 keys for encrypted prompts (`build --recipient`, `run` with AGENTLANG_IDENTITY). */
async function x25519Keys(): Promise<GeneratedKeys> {
  const { generateX25519Identity } = await import('@agentlang/container');
  const id = generateX25519Identity();
  return {
    lines: [`AGENTLANG_IDENTITY=${id.identity}`, `AGENTLANG_RECIPIENT=${id.recipient}`],
    data: { type: 'x25519', AGENTLANG_IDENTITY: id.identity, AGENTLANG_RECIPIENT: id.recipient, keyid: id.keyId },
  };
}

// Other key kinds add a generator above and a branch here; the default stays the Ed25519 signing pair.
async function generate(ctx: ContextOf<typeof KEYGEN>): Promise<GeneratedKeys> {
  if (ctx.values.x25519) return x25519Keys();
  return ed25519Keys();
}

/** `agentlang keygen`: prints a fresh key pair; the private half goes in an env var, never a flag. */
export async function run(ctx: ContextOf<typeof KEYGEN>): Promise<CommandResult> {
  const keys = await generate(ctx);
  return { text: keys.lines.join('\n'), data: keys.data };
}
