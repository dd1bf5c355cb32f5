import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RegistryError } from './errors.js';
import { isTenant } from './names.js';

/** One tenant: the sha256 hashes of its API keys and whether its agents are private. */
export interface TenantKeys {
  tenant: string;
  /** Raw 32-byte sha256 digests of the tenant's API keys (never the keys themselves). */
  keyHashes: Buffer[];
  /** Private tenants' agents are readable only with that tenant's key. */
  private: boolean;
  /**
   * Ed25519 public keys (64 hex) of the tenant's publishers: when present, the tenant accepts only
   * containers whose signature verifies under one of them (and no bare YAML manifests).
   */
  signers?: string[];
}

/** The tenants a server knows; keys are held only as sha256 hashes. */
export interface KeyStore {
  tenants: Map<string, TenantKeys>;
}

/** Hashes an API key for storage (`sha256:<hex>` form is what keys files hold). */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

function addKey(store: KeyStore, tenant: string, hash: Buffer, source: string): void {
  if (!isTenant(tenant)) {
    throw new RegistryError(
      'REGISTRY_CONFIG',
      `${source}: tenant '${tenant}' is not canonical; use lower-case letters, digits and dashes (e.g. 'alice')`,
      { details: { tenant, source } },
    );
  }
  const entry = store.tenants.get(tenant) ?? { tenant, keyHashes: [], private: false };
  entry.keyHashes.push(hash);
  store.tenants.set(tenant, entry);
}

/**
 * Parses `AGENTLANG_API_KEYS` (`alice:alice-key,bob:bob-key`) into hashed keys; the plain keys
 * are not kept.
 */
export function parseApiKeysEnv(value: string, store: KeyStore = { tenants: new Map() }): KeyStore {
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const colon = item.indexOf(':');
    if (colon <= 0 || colon === item.length - 1) {
      throw new RegistryError(
        'REGISTRY_CONFIG',
        `AGENTLANG_API_KEYS: entry '${item.slice(0, 3)}…' is not 'tenant:key'; expected e.g. AGENTLANG_API_KEYS="alice:alice-key,bob:bob-key"`,
        { details: { source: 'AGENTLANG_API_KEYS' } },
      );
    }
    const key = item.slice(colon + 1);
    addKey(store, item.slice(0, colon), createHash('sha256').update(key, 'utf8').digest(), 'AGENTLANG_API_KEYS');
  }
  return store;
}

/**
 * Reads a keys file (`agentlang.registry.keys/v1` JSON: `{ schema, tenants: { alice: { keys:
 * ["sha256:<hex>"], private?: boolean, signers?: ["<64 hex Ed25519 public key>"] } } }`) into hashed keys.
 */
export function readKeysFile(path: string, store: KeyStore = { tenants: new Map() }): KeyStore {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new RegistryError('REGISTRY_CONFIG', `cannot read keys file ${path}: ${(cause as Error).message}`, {
      details: { file: path },
      cause,
    });
  }
  const example =
    '{"schema":"agentlang.registry.keys/v1","tenants":{"alice":{"keys":["sha256:<64 hex>"],"private":false}}}';
  const fail = (what: string): never => {
    throw new RegistryError('REGISTRY_CONFIG', `keys file ${path}: ${what}; expected ${example}`, {
      details: { file: path },
    });
  };
  if (typeof doc !== 'object' || doc === null) return fail('not a JSON object');
  const { schema, tenants } = doc as { schema?: unknown; tenants?: unknown };
  if (schema !== 'agentlang.registry.keys/v1') fail(`schema is ${JSON.stringify(schema)}`);
  if (typeof tenants !== 'object' || tenants === null) return fail('"tenants" is missing');
  for (const [tenant, spec] of Object.entries(tenants as Record<string, unknown>)) {
    const {
      keys,
      private: isPrivate,
      signers,
    } = (spec ?? {}) as { keys?: unknown; private?: unknown; signers?: unknown };
    if (!Array.isArray(keys)) fail(`tenant '${tenant}' has no "keys" array`);
    for (const key of keys as unknown[]) {
      if (typeof key !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(key))
        fail(`tenant '${tenant}' has a key that is not 'sha256:<64 lower-case hex>' (store hashes, never keys)`);
      addKey(store, tenant, Buffer.from((key as string).slice(7), 'hex'), path);
    }
    if (isPrivate === true) store.tenants.get(tenant)!.private = true;
    if (signers !== undefined) {
      if (
        !Array.isArray(signers) ||
        signers.length === 0 ||
        !signers.every((k) => typeof k === 'string' && /^[0-9a-f]{64}$/.test(k))
      ) {
        fail(
          `tenant '${tenant}' has "signers" that are not a non-empty list of 64-hex Ed25519 public keys (from \`agentlang keygen\`)`,
        );
      }
      store.tenants.get(tenant)!.signers = signers as string[];
    }
  }
  return store;
}

/**
 * Finds the tenant owning `key`. Every stored hash is compared with `timingSafeEqual` (no early
 * exit), so the time taken does not reveal which tenant or how many bytes matched.
 */
export function authenticate(store: KeyStore, key: string): string | undefined {
  const presented = createHash('sha256').update(key, 'utf8').digest();
  let found: string | undefined;
  for (const entry of store.tenants.values()) {
    for (const hash of entry.keyHashes) {
      if (timingSafeEqual(presented, hash) && found === undefined) found = entry.tenant;
    }
  }
  return found;
}
