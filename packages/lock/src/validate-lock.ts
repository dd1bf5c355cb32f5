import { LockError } from './errors.js';
import {
  LOCK_SCHEMA,
  LOCK_SCHEMA_V1,
  type LockSchema,
  type LockedAgent,
  type LockedMcpServer,
  type LockedModel,
  type LockedTool,
  type Lockfile,
} from './lock-schema.js';

const AG1 = /^ag1:[0-9a-f]{64}$/;
const SHA256 = /^sha256:[0-9a-f]{64}$/;
/** A semantic version (`0.1.0`, `1.2.3-rc.1+build.5`): the built-in runtime's `runtime_version`. */
const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const PERMISSIONS = ['always', 'session', 'always_ask'] as const;

type Json = Record<string, unknown>;

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function fail(at: string, expected: string, found: unknown): never {
  const shown = found === undefined ? 'nothing' : JSON.stringify(found)?.slice(0, 80);
  throw new LockError('LOCK_MALFORMED', `lock field ${at}: expected ${expected}, found ${shown}`, {
    details: { path: at, expected },
  });
}

let schemaInUse: LockSchema = LOCK_SCHEMA;

function object(value: unknown, at: string, required: string[], optional: string[] = []): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'an object', value);
  const obj = value as Json;
  // JSON.parse makes `__proto__` an own key; copying it into a map would set a prototype and drop the entry.
  if (Object.hasOwn(obj, '__proto__')) fail(`${at}.__proto__`, 'no __proto__ key', '__proto__');
  for (const key of required)
    if (!Object.hasOwn(obj, key)) fail(`${at}.${key}`, 'a value (field is required)', undefined);
  for (const key of Object.keys(obj)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new LockError(
        'LOCK_MALFORMED',
        `lock field ${at} has unexpected key "${key}"; ${schemaInUse} allows ${[...required, ...optional].join(', ')}`,
        {
          details: { path: `${at}.${key}` },
        },
      );
    }
  }
  return obj;
}

function str(value: unknown, at: string, pattern?: RegExp): string {
  if (typeof value !== 'string' || (pattern && !pattern.test(value)))
    fail(at, pattern ? `a string matching ${pattern}` : 'a string', value);
  return value as string;
}

function strOrNull(value: unknown, at: string, pattern?: RegExp): string | null {
  return value === null ? null : str(value, at, pattern);
}

function array(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) fail(at, 'an array', value);
  return value as unknown[];
}

function bool(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean') fail(at, 'a boolean', value);
  return value as boolean;
}

function nonNegativeInt(value: unknown, at: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) fail(at, 'a non-negative integer', value);
  return value as number;
}

function uniqueSorted<T>(items: T[], key: (item: T) => string, at: string): T[] {
  const sorted = [...items].sort((a, b) => byCodeUnit(key(a), key(b)));
  for (let i = 1; i < sorted.length; i++) {
    if (key(sorted[i]!) === key(sorted[i - 1]!)) fail(at, 'unique names', key(sorted[i]!));
  }
  return sorted;
}

/** Plain JSON with object keys sorted, so free-form values serialise the same whatever their key order. */
function sortedJson(value: unknown, at: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(at, 'a finite number', String(value));
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => sortedJson(v, `${at}[${i}]`));
  if (typeof value === 'object') {
    const out: Json = {};
    for (const key of Object.keys(value).sort(byCodeUnit)) {
      if (key === '__proto__') fail(`${at}.${key}`, 'no __proto__ key', key);
      out[key] = sortedJson((value as Json)[key], `${at}.${key}`);
    }
    return out;
  }
  return fail(at, 'JSON data', typeof value);
}

function tool(value: unknown, at: string): LockedTool {
  const t = object(value, at, ['name', 'version', 'constraint', 'source', 'integrity']);
  return {
    name: str(t.name, `${at}.name`),
    version: str(t.version, `${at}.version`),
    constraint: str(t.constraint, `${at}.constraint`),
    source: str(t.source, `${at}.source`),
    integrity: str(t.integrity, `${at}.integrity`, SHA256),
  };
}

function model(value: unknown, at: string): LockedModel {
  const m = object(value, at, ['known'], ['provider', 'context_window', 'supports_tools', 'supports_vision']);
  return {
    ...(m.provider !== undefined && { provider: str(m.provider, `${at}.provider`) }),
    ...(m.context_window !== undefined && { context_window: nonNegativeInt(m.context_window, `${at}.context_window`) }),
    ...(m.supports_tools !== undefined && { supports_tools: bool(m.supports_tools, `${at}.supports_tools`) }),
    ...(m.supports_vision !== undefined && { supports_vision: bool(m.supports_vision, `${at}.supports_vision`) }),
    known: bool(m.known, `${at}.known`),
  };
}

function agent(value: unknown, at: string): LockedAgent {
  const a = object(value, at, ['name', 'path', 'version', 'hash', 'depth', 'parent', 'permission']);
  const permission = a.permission === null ? null : str(a.permission, `${at}.permission`);
  if (permission !== null && !(PERMISSIONS as readonly string[]).includes(permission)) {
    fail(`${at}.permission`, `one of ${PERMISSIONS.join(', ')} or null`, permission);
  }
  return {
    name: str(a.name, `${at}.name`),
    path: str(a.path, `${at}.path`),
    version: strOrNull(a.version, `${at}.version`),
    hash: str(a.hash, `${at}.hash`, AG1),
    depth: nonNegativeInt(a.depth, `${at}.depth`),
    parent: str(a.parent, `${at}.parent`),
    permission: permission as LockedAgent['permission'],
  };
}

function mcpServer(value: unknown, at: string): LockedMcpServer {
  const s = object(value, at, [
    'name',
    'command',
    'args',
    'env_keys',
    'server',
    'protocol_version',
    'client_capabilities',
    'tools',
  ]);
  const server = object(s.server, `${at}.server`, ['name', 'version']);
  const caps = object(s.client_capabilities, `${at}.client_capabilities`, [], Object.keys(s.client_capabilities ?? {}));
  const tools = array(s.tools, `${at}.tools`).map((v, i) => {
    const t = object(v, `${at}.tools[${i}]`, ['name', 'schema_digest']);
    return {
      name: str(t.name, `${at}.tools[${i}].name`),
      schema_digest: str(t.schema_digest, `${at}.tools[${i}].schema_digest`, SHA256),
    };
  });
  return {
    name: str(s.name, `${at}.name`),
    command: str(s.command, `${at}.command`),
    args: array(s.args, `${at}.args`).map((v, i) => str(v, `${at}.args[${i}]`)),
    env_keys: uniqueSorted(
      array(s.env_keys, `${at}.env_keys`).map((v, i) => str(v, `${at}.env_keys[${i}]`)),
      (k) => k,
      `${at}.env_keys`,
    ),
    server: { name: str(server.name, `${at}.server.name`), version: str(server.version, `${at}.server.version`) },
    protocol_version: str(s.protocol_version, `${at}.protocol_version`),
    client_capabilities: sortedJson(caps, `${at}.client_capabilities`) as Json,
    tools: uniqueSorted(tools, (t) => t.name, `${at}.tools`),
  };
}

const PROMPT_TARGETS = ['markdown', 'xml'] as const;

/**
 * Checks a value against `agentlang.lock/v2` (or the older `agentlang.lock/v1`, still read) and
 * returns a normalised copy whose key order is the schema's and whose lists and maps are sorted, so
 * equal locks serialise to equal bytes. Throws LOCK_SCHEMA_UNSUPPORTED for another schema,
 * LOCK_MALFORMED for anything else wrong.
 */
export function normalizeLock(value: unknown): Lockfile {
  let schema: LockSchema = LOCK_SCHEMA;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const found = (value as Json).schema;
    if (found !== LOCK_SCHEMA && found !== LOCK_SCHEMA_V1) {
      throw new LockError(
        'LOCK_SCHEMA_UNSUPPORTED',
        `lock schema is ${JSON.stringify(found)?.slice(0, 80) ?? 'missing'}; this version of agentlang reads "${LOCK_SCHEMA}" and "${LOCK_SCHEMA_V1}". Re-run \`agentlang lock\` to regenerate it.`,
        { details: { expected: [LOCK_SCHEMA, LOCK_SCHEMA_V1], found: found ?? null } },
      );
    }
    schema = found;
  }
  schemaInUse = schema;
  const v2 = schema === LOCK_SCHEMA;
  const root = object(value, 'lock', ['schema', 'manifest', 'resolved', 'files']);
  const manifest = object(root.manifest, 'manifest', ['hash', 'path', 'name', 'version']);
  const resolved = object(
    root.resolved,
    'resolved',
    [
      'runtime',
      'model',
      'auth_source',
      'tools',
      'system_prompt_sha256',
      'host',
      ...(v2 ? ['system_prompts'] : []),
      'models',
      'agents',
      'mcp_servers',
    ],
    v2 ? ['runtime_version'] : [],
  );
  const host = object(resolved.host, 'resolved.host', ['os', 'arch']);
  const modelsIn = object(resolved.models, 'resolved.models', [], Object.keys(resolved.models ?? {}));
  const models: Record<string, LockedModel> = {};
  for (const id of Object.keys(modelsIn).sort(byCodeUnit))
    models[id] = model(modelsIn[id], `resolved.models[${JSON.stringify(id)}]`);
  const filesIn = object(root.files, 'files', [], Object.keys(root.files ?? {}));
  const files: Record<string, string> = {};
  for (const path of Object.keys(filesIn).sort(byCodeUnit))
    files[path] = str(filesIn[path], `files[${JSON.stringify(path)}]`, SHA256);
  const agents = array(resolved.agents, 'resolved.agents').map((v, i) => agent(v, `resolved.agents[${i}]`));
  agents.sort((a, b) => byCodeUnit(a.path, b.path) || byCodeUnit(a.parent, b.parent) || a.depth - b.depth);
  let prompts: Partial<Record<'markdown' | 'xml', string>> | undefined;
  if (v2) {
    const p = object(resolved.system_prompts, 'resolved.system_prompts', [], [...PROMPT_TARGETS]);
    prompts = {};
    for (const target of PROMPT_TARGETS) {
      if (p[target] !== undefined) prompts[target] = str(p[target], `resolved.system_prompts.${target}`, SHA256);
    }
  }
  return {
    schema,
    manifest: {
      hash: str(manifest.hash, 'manifest.hash', AG1),
      path: str(manifest.path, 'manifest.path'),
      name: str(manifest.name, 'manifest.name'),
      version: strOrNull(manifest.version, 'manifest.version'),
    },
    resolved: {
      runtime: str(resolved.runtime, 'resolved.runtime'),
      ...(resolved.runtime_version !== undefined && {
        runtime_version: str(resolved.runtime_version, 'resolved.runtime_version', VERSION),
      }),
      model: strOrNull(resolved.model, 'resolved.model'),
      auth_source: str(resolved.auth_source, 'resolved.auth_source'),
      tools: uniqueSorted(
        array(resolved.tools, 'resolved.tools').map((v, i) => tool(v, `resolved.tools[${i}]`)),
        (t) => t.name,
        'resolved.tools',
      ),
      system_prompt_sha256: strOrNull(resolved.system_prompt_sha256, 'resolved.system_prompt_sha256', SHA256),
      host: { os: str(host.os, 'resolved.host.os'), arch: str(host.arch, 'resolved.host.arch') },
      ...(prompts !== undefined && { system_prompts: prompts }),
      models,
      agents,
      mcp_servers: uniqueSorted(
        array(resolved.mcp_servers, 'resolved.mcp_servers').map((v, i) => mcpServer(v, `resolved.mcp_servers[${i}]`)),
        (s) => s.name,
        'resolved.mcp_servers',
      ),
    },
    files,
  };
}
