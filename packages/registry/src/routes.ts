import type { IncomingMessage, ServerResponse } from 'node:http';
import { assertReadable, requireCaller } from './auth.js';
import type { ServeBlob } from './blobs.js';
import { isAgentName, isTenant, isToolName, isVersion } from './names.js';
import { handlePush, type PushContext } from './push.js';
import { badName, methodNotAllowed, notFound, publicRecord, sendJson } from './reply.js';
import { prepareSearch } from './search.js';
import type { EntryNamespace } from './storage.js';

/** The API version string sent in `/healthz`. */
export const REGISTRY_API_VERSION = 'agentlang.registry/v1';

/** What the routes need of their registry. */
export interface RouteContext extends PushContext {
  serveBlob: ServeBlob;
}

/** Routes one request: `/healthz`, `/v1/whoami`, `/v1/search` and the agents and tools namespaces. */
export async function route(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { keys, storage } = ctx;
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const query = new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1));
  const method = req.method ?? 'GET';
  const read = method === 'GET' || method === 'HEAD';
  if (path === '/healthz') {
    if (!read) throw methodNotAllowed(method, path, 'GET, HEAD');
    sendJson(req, res, 200, { status: 'ok', api: REGISTRY_API_VERSION, writable: keys.tenants.size > 0 });
    return;
  }
  const segments = path.split('/').slice(1);
  if (segments[0] !== 'v1') throw notFound(path);
  const area = segments[1];
  const rest = segments.slice(2);
  if (area === 'whoami' && rest.length === 0) {
    if (!read) throw methodNotAllowed(method, path, 'GET');
    sendJson(req, res, 200, { tenant: requireCaller(keys, req) });
    return;
  }
  if (area === 'search' && rest.length === 0) {
    if (!read) throw methodNotAllowed(method, path, 'GET');
    sendJson(req, res, 200, await prepareSearch(storage, keys, req, query, {})());
    return;
  }
  if (area !== 'agents' && area !== 'tools') throw notFound(path);
  if (method === 'PUT') return handlePush(ctx, req, res, rest, area);
  if (!read) throw methodNotAllowed(method, path, 'GET, HEAD, PUT');
  return routeRead(ctx, req, res, { path, query, rest, namespace: area });
}

/** GET/HEAD in a namespace: a listing (tenant or name), an entry's `meta`, or its blob. */
async function routeRead(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  at: { path: string; query: URLSearchParams; rest: string[]; namespace: EntryNamespace },
): Promise<void> {
  const { path, query, rest, namespace } = at;
  if (rest.length > 0 && rest.at(-1) === '') rest.pop();
  const [tenant, name, version, extra] = rest;
  if (tenant !== undefined && !isTenant(tenant)) throw badName('tenant', tenant);
  if (name !== undefined && !(namespace === 'tools' ? isToolName(name) : isAgentName(name)))
    throw badName('name', name);
  if (version !== undefined && !isVersion(version)) throw badName('version', version);
  if (tenant !== undefined) assertReadable(ctx.keys, req, tenant);
  if (rest.length <= 2) {
    const result = await prepareSearch(ctx.storage, ctx.keys, req, query, {
      namespace,
      ...(tenant ? { tenant } : {}),
      ...(name ? { name } : {}),
    })();
    if (name && result.total === 0) throw notFound(`${tenant}/${name}`);
    sendJson(req, res, 200, name ? { ...result, versions: result.entries.map((e) => e.version).reverse() } : result);
    return;
  }
  if (rest.length > 4 || (extra !== undefined && extra !== 'meta')) throw notFound(path);
  const record = await ctx.storage.getEntry(tenant!, name!, version!, namespace);
  if (!record) throw notFound(`${tenant}/${name}@${version}`);
  if (extra === 'meta') sendJson(req, res, 200, publicRecord(record));
  else await ctx.serveBlob(req, res, record);
}
