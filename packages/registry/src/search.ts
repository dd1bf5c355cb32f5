import type { IncomingMessage } from 'node:http';
import { callerOf } from './auth.js';
import type { KeyStore } from './keys.js';
import { compareVersions } from './names.js';
import { publicRecord } from './reply.js';
import type { EntryNamespace, RegistryStorage } from './storage.js';

/** What a search is narrowed to by its path (a namespace, a tenant, a name). */
export interface SearchScope {
  tenant?: string;
  name?: string;
  namespace?: EntryNamespace;
}

/**
 * Prepares a search from the request (its caller, `q`, `tenant`, `name`, `limit`); the returned
 * function lists the matching entries a caller may see, by tenant, name and newest version first.
 */
export function prepareSearch(
  storage: RegistryStorage,
  keys: KeyStore,
  req: IncomingMessage,
  query: URLSearchParams,
  scope: SearchScope,
) {
  let caller: string | undefined;
  try {
    caller = callerOf(keys, req);
  } catch {
    caller = undefined;
  }
  const text = (query.get('q') ?? '').toLowerCase();
  const tenant = scope.tenant ?? query.get('tenant') ?? undefined;
  const name = scope.name ?? query.get('name') ?? undefined;
  const limit = Math.min(Math.max(Number(query.get('limit') ?? 100) || 100, 1), 1000);
  return async () => {
    const all = await storage.listEntries();
    const hits = all.filter(
      (r) =>
        (!keys.tenants.get(r.tenant)?.private || r.tenant === caller) &&
        (scope.namespace === undefined || (scope.namespace === 'tools') === (r.kind === 'tool')) &&
        (tenant === undefined || r.tenant === tenant) &&
        (name === undefined || r.name === name) &&
        (text === '' ||
          r.name.includes(text) ||
          r.tenant.includes(text) ||
          (r.description ?? '').toLowerCase().includes(text)),
    );
    hits.sort(
      (a, b) =>
        a.tenant.localeCompare(b.tenant) || a.name.localeCompare(b.name) || compareVersions(b.version, a.version),
    );
    return { total: hits.length, entries: hits.slice(0, limit).map(publicRecord) };
  };
}
