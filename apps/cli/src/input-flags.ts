import type { OpenAgentInputOptions } from '@agentlang/agent-input';
import type { CommandContext } from './command.js';
import { CliError, CliErrorCode } from './errors.js';
import type { INPUT_FLAGS } from './commands/index.js';
import { manifestLoadOptions } from './registry-base.js';

/** Trusted public keys: every `--pubkey`, else `AGENTLANG_PUBKEY` (a key given either way means "signed by it or refused"). */
export function trustedKeys(ctx: { values: { pubkey: string[] }; env: NodeJS.ProcessEnv }): string[] {
  if (ctx.values.pubkey.length > 0) return ctx.values.pubkey;
  const fromEnv = ctx.env.AGENTLANG_PUBKEY?.trim();
  return fromEnv ? [fromEnv] : [];
}

/**
 * What `openAgentInput` needs from the flags: keys (see {@link trustedKeys}), the X25519 identity
 * (`AGENTLANG_IDENTITY`, or the env var named by `--identity-env`) and the passphrase (env var named
 * by `--passphrase-env`). A named variable that is unset is a usage mistake.
 */
export function inputOptionsFromFlags(ctx: CommandContext<typeof INPUT_FLAGS>): OpenAgentInputOptions {
  const identityVar = ctx.values['identity-env'] ?? 'AGENTLANG_IDENTITY';
  const identity = ctx.env[identityVar];
  if (ctx.values['identity-env'] && !identity)
    throw new CliError(CliErrorCode.Env, `environment variable ${identityVar} (named by --identity-env) is not set`, {
      details: { flag: 'identity-env', variable: identityVar },
    });
  const passVar = ctx.values['passphrase-env'];
  const passphrase = passVar ? ctx.env[passVar] : undefined;
  if (passVar && !passphrase)
    throw new CliError(CliErrorCode.Env, `environment variable ${passVar} (named by --passphrase-env) is not set`, {
      details: { flag: 'passphrase-env', variable: passVar },
    });
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
