import { publicKeyFor } from './ed25519.js';
import { SigningError } from './errors.js';

/**
 * Reads a hex Ed25519 private key from the environment variable `name` (never from a flag:
 * `ps` would show it). Error messages name the variable, never its value.
 */
export function signingKeyFromEnv(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): { privateKey: string; publicKey: string } {
  if (/^[0-9a-fA-F]{64}([0-9a-fA-F]{64})?$/.test(name)) {
    throw new SigningError(
      'SIGNING_KEY_MISSING',
      'the value given as the signing key variable looks like a key itself; pass the NAME of an environment variable that holds the key (e.g. --sign-key-env AGENTLANG_SIGNING_KEY), never the key on the command line',
    );
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new SigningError(
      'SIGNING_KEY_MISSING',
      `"${name}" is not an environment variable name (expected e.g. AGENTLANG_SIGNING_KEY)`,
    );
  }
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new SigningError(
      'SIGNING_KEY_MISSING',
      `environment variable ${name} is not set; generate a key pair with \`agentlang keygen\` and export ${name}=<AGENTLANG_SIGNING_KEY value>`,
      { details: { variable: name } },
    );
  }
  const privateKey = value.trim();
  try {
    return { privateKey, publicKey: publicKeyFor(privateKey) };
  } catch (error) {
    throw new SigningError(
      'SIGNING_KEY_INVALID',
      `environment variable ${name} does not hold an Ed25519 private key: ${(error as Error).message}`,
      {
        cause: error,
        details: { variable: name },
      },
    );
  }
}
