import { RegistryError } from './errors.js';
import { type KeyStore, parseApiKeysEnv, readKeysFile } from './keys.js';
import { DirectoryStorage } from './directory-storage.js';
import { createRegistryServer, type RegistryServer, type RegistryServerOptions } from './server.js';
import type { RegistryStorage } from './storage.js';

/** Options of {@link startRegistry}: where to listen, where to store, where the keys come from. */
export interface StartRegistryOptions extends Omit<RegistryServerOptions, 'storage' | 'keys'> {
  /** `host:port` (default `127.0.0.1:8765`); port 0 picks a free one. */
  bind?: string;
  /** Storage directory for the embedded storage (default `.agentlang/registry`). */
  dataDir?: string;
  /** Use this storage instead of a directory. */
  storage?: RegistryStorage;
  /** `AGENTLANG_API_KEYS` value (`alice:alice-key,bob:bob-key`). */
  apiKeys?: string;
  /** Path of an `agentlang.registry.keys/v1` file. */
  keysFile?: string;
  /** Tenants whose agents only their own key can read. */
  privateTenants?: string[];
  /** Publisher keys per tenant (`alice:<64 hex Ed25519 public key>`): those tenants accept only containers signed by one of theirs. */
  signers?: string[];
}

/** A started registry: its base URL, its key store and a way to stop it. */
export interface StartedRegistry extends RegistryServer {
  url: string;
  keys: KeyStore;
}

/** Parses `host:port` (`127.0.0.1:8765`, `[::1]:8765`, `:8765`). */
export function parseBind(bind: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(bind);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new RegistryError('REGISTRY_CONFIG', `--bind '${bind}' is not host:port; expected e.g. 127.0.0.1:8765`, {
      details: { bind },
    });
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

/** Opens the storage, reads the keys and starts listening. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<StartedRegistry> {
  const { host, port } = parseBind(options.bind ?? '127.0.0.1:8765');
  const keys: KeyStore = { tenants: new Map() };
  if (options.apiKeys) parseApiKeysEnv(options.apiKeys, keys);
  if (options.keysFile) readKeysFile(options.keysFile, keys);
  for (const tenant of options.privateTenants ?? []) {
    const entry = keys.tenants.get(tenant);
    if (!entry)
      throw new RegistryError('REGISTRY_CONFIG', `--private '${tenant}' names a tenant that has no API key`, {
        details: { tenant },
      });
    entry.private = true;
  }
  for (const item of options.signers ?? []) {
    const match = /^([^:]+):([0-9a-f]{64})$/.exec(item);
    const entry = match ? keys.tenants.get(match[1]!) : undefined;
    if (!match || !entry) {
      throw new RegistryError(
        'REGISTRY_CONFIG',
        `--signer '${item.slice(0, 100)}' is not TENANT:<64 hex Ed25519 public key> for a tenant that has an API key`,
        { details: { signer: item.slice(0, 100) } },
      );
    }
    entry.signers = [...(entry.signers ?? []), match[2]!];
  }
  const storage = options.storage ?? (await DirectoryStorage.open(options.dataDir ?? '.agentlang/registry'));
  const registry = createRegistryServer({ ...options, storage, keys });
  let url: string;
  try {
    url = await registry.listen(port, host);
  } catch (cause) {
    throw new RegistryError('REGISTRY_CONFIG', `cannot listen on ${host}:${port}: ${(cause as Error).message}`, {
      details: { host, port },
      cause,
    });
  }
  return { ...registry, url, keys };
}
