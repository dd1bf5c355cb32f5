import { generateKeyPairSync } from 'node:crypto';

/** A fresh Ed25519 key pair as hex: `seed` (the 32-byte private seed, what AGENTLANG_SIGNING_KEY holds) and `publicKey` (32 bytes). */
export function ed25519Hex(): { seed: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    seed: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32).toString('hex'),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex'),
  };
}
