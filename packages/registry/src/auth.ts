import type { IncomingMessage } from 'node:http';
import { RegistryError } from './errors.js';
import { authenticate, type KeyStore } from './keys.js';

/** The tenant whose API key the request carries; undefined without an Authorization header. */
export function callerOf(keys: KeyStore, req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new RegistryError('REGISTRY_UNAUTHORIZED', "the Authorization header is not 'Bearer <api key>'");
  const tenant = authenticate(keys, match[1]!);
  if (!tenant)
    throw new RegistryError(
      'REGISTRY_UNAUTHORIZED',
      'the API key is not known to this registry; check --api-key / AGENTLANG_API_KEY',
    );
  return tenant;
}

/** The caller's tenant for a write; throws when the registry has no keys or the request none. */
export function requireCaller(keys: KeyStore, req: IncomingMessage): string {
  if (keys.tenants.size === 0) {
    throw new RegistryError(
      'REGISTRY_NO_KEYS',
      'this registry has no API keys configured, so writes are refused; restart it with AGENTLANG_API_KEYS="alice:alice-key,bob:bob-key" or --keys-file <file> (agentlang.registry.keys/v1)',
    );
  }
  const tenant = callerOf(keys, req);
  if (!tenant)
    throw new RegistryError(
      'REGISTRY_UNAUTHORIZED',
      'this request needs an API key: send `Authorization: Bearer <key>` (CLI: --api-key or AGENTLANG_API_KEY)',
    );
  return tenant;
}

/** Throws unless `tenant` is public or the request carries that tenant's own key. */
export function assertReadable(keys: KeyStore, req: IncomingMessage, tenant: string): void {
  if (!keys.tenants.get(tenant)?.private) return;
  const caller = callerOf(keys, req);
  if (!caller)
    throw new RegistryError('REGISTRY_UNAUTHORIZED', `tenant '${tenant}' is private; send its API key to read it`, {
      details: { tenant },
    });
  if (caller !== tenant)
    throw new RegistryError('REGISTRY_FORBIDDEN', `tenant '${tenant}' is private and your key belongs to '${caller}'`, {
      details: { tenant, caller },
    });
}
