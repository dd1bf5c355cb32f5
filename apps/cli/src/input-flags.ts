import type { OpenAgentInputOptions } from '@agentlang/agent-input';
import type { CommandContext } from './command.js';
import { UsageError } from './command.js';
import { manifestLoadOptions } from './registry-base.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Trusted public keys: every `--pubkey`, else `AGENTLANG_PUBKEY` (a key given either way means "signed by it or refused"). */
export function trustedKeys(ctx: CommandContext): string[] {
  const flag = ctx.values.pubkey;
  const given = Array.isArray(flag) ? flag.filter((v): v is string => typeof v === 'string') : typeof flag === 'string' ? [flag] : [];
  if (given.length > 0) return given;
  const fromEnv = ctx.env.AGENTLANG_PUBKEY?.trim();
  return fromEnv ? [fromEnv] : [];
}

/**
 * What `openAgentInput` needs from the flags: keys (see {@link trustedKeys}), the X25519 identity
 * (`AGENTLANG_IDENTITY`, or the env var named by `--identity-env`) and the passphrase (env var named
 * by `--passphrase-env`). A named variable that is unset is a usage mistake.
 */
export function inputOptionsFromFlags(ctx: CommandContext): OpenAgentInputOptions {
  const identityVar = str(ctx.values['identity-env']) ?? 'AGENTLANG_IDENTITY';
  const identity = ctx.env[identityVar];
  if (str(ctx.values['identity-env']) && !identity) throw new UsageError(`environment variable ${identityVar} (named by --identity-env) is not set`);
  const passVar = str(ctx.values['passphrase-env']);
  const passphrase = passVar ? ctx.env[passVar] : undefined;
  if (passVar && !passphrase) throw new UsageError(`environment variable ${passVar} (named by --passphrase-env) is not set`);
  const publicKeys = trustedKeys(ctx);
  const load = manifestLoadOptions(ctx.env);
  return {
    cwd: ctx.cwd,
    ...(load.resolveBase ? { load } : {}),
    ...(publicKeys.length > 0 ? { publicKeys } : {}),
    ...(identity ? { identity } : {}),
    ...(passphrase ? { passphrase } : {}),
  };
}
