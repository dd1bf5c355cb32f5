import { egressFetch, type EgressPolicy } from './egress.js';
import { HarnessError } from './errors.js';
import type { HarnessTool, ToolOutcome } from './loop.js';
import type { UiRuleDeclaration } from './ui.js';

/** An `http_tools.<name>` entry as the manifest normalises it (structurally `HttpToolSpec`). */
export interface HttpToolDeclaration {
  name: string;
  description?: string;
  endpoint: string;
  method: string;
  auth?: string;
  params: Record<string, { type: string; description?: string; required?: boolean; default?: unknown }>;
  bodyTemplate?: string;
  /** `ui_component.<status>`: rendered after each call (see `withUiComponent`). */
  uiComponent?: Record<string, UiRuleDeclaration>;
}

/** Where http tools send their requests: the host's API base and its credentials. */
export interface HttpToolHost {
  /** `AGENTLANG_HTTP_BASE_URL`: every endpoint is relative to it and must stay on its origin. */
  baseUrl: string;
  /** `AGENTLANG_HTTP_TOKEN`: sent as a bearer token to tools declaring `auth: bearer`. */
  token?: string;
  /** The egress policy; the base URL's host is always allowed. */
  egress?: EgressPolicy;
  timeoutMs?: number;
  maxBytes?: number;
}

const JSON_TYPES: Record<string, string> = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  array: 'array',
  object: 'object',
};

function typeOk(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return false;
  }
}

/**
 * Renders the spec's body template: `{{name}}` and `{{if name}}…{{end}}`. Every value is
 * JSON-escaped where it lands — inside a JSON string its escaped characters, elsewhere its JSON
 * text — so a parameter can never close a string and add fields. The result must parse as JSON.
 */
export function renderBodyTemplate(template: string, values: Record<string, unknown>): string {
  const conditional = /\{\{if\s+([A-Za-z_][\w-]*)\s*\}\}([\s\S]*?)\{\{end\}\}/g;
  const present = (name: string) => values[name] !== undefined && values[name] !== null && values[name] !== '';
  const withConditionals = template.replace(conditional, (_m, name: string, body: string) =>
    present(name) ? body : '',
  );
  if (/\{\{\s*(if|end)\b/.test(withConditionals)) {
    throw new HarnessError(
      'HARNESS_TOOL_DEFINITION',
      'the body template has an {{if}} without its {{end}} (or the reverse)',
    );
  }
  let out = '';
  let inString = false;
  let i = 0;
  const placeholder = /^\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/;
  while (i < withConditionals.length) {
    const rest = withConditionals.slice(i);
    const m = placeholder.exec(rest);
    if (m) {
      const name = m[1] as string;
      const value = values[name];
      if (inString)
        out += JSON.stringify(
          value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value),
        ).slice(1, -1);
      else out += JSON.stringify(value ?? null);
      i += m[0].length;
      continue;
    }
    const ch = withConditionals[i] as string;
    if (ch === '\\' && inString) {
      out += ch + (withConditionals[i + 1] ?? '');
      i += 2;
      continue;
    }
    if (ch === '"') inString = !inString;
    out += ch;
    i++;
  }
  try {
    JSON.parse(out);
  } catch (error) {
    throw new HarnessError(
      'HARNESS_TOOL_DEFINITION',
      `the body template does not render to JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return out;
}

/** The JSON Schema the model sees for an http tool's `params`. */
export function httpToolInputSchema(tool: HttpToolDeclaration): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, p] of Object.entries(tool.params)) {
    properties[name] = {
      type: JSON_TYPES[p.type] ?? 'string',
      ...(p.description ? { description: p.description } : {}),
    };
    if (p.required) required.push(name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** Resolves an endpoint against the base URL, refusing anything that leaves the base's origin. */
export function endpointUrl(baseUrl: string, endpoint: string): URL {
  const base = new URL(baseUrl);
  if (/^[a-z][a-z0-9+.-]*:/i.test(endpoint) || endpoint.startsWith('//') || endpoint.includes('\\')) {
    throw new HarnessError(
      'HARNESS_EGRESS_DENIED',
      `endpoint ${JSON.stringify(endpoint)} is not a path on the host's API base`,
      { details: { endpoint } },
    );
  }
  const path = `${base.pathname.replace(/\/+$/, '')}/${endpoint.replace(/^\/+/, '')}`;
  const url = new URL(path, base);
  if (url.origin !== base.origin)
    throw new HarnessError('HARNESS_EGRESS_DENIED', `endpoint ${endpoint} leaves ${base.origin}`, {
      details: { endpoint },
    });
  return url;
}

/** An http tool: validates the model's arguments, renders the request and sends it host-side under the egress policy. */
export function createHttpTool(tool: HttpToolDeclaration, host: HttpToolHost): HarnessTool {
  const base = new URL(host.baseUrl);
  const egress: EgressPolicy = {
    ...host.egress,
    allowHosts: host.egress?.allowHosts ? [...host.egress.allowHosts, base.hostname] : [base.hostname],
  };
  return {
    spec: { name: tool.name, description: tool.description ?? tool.name, inputSchema: httpToolInputSchema(tool) },
    async execute(args, context): Promise<ToolOutcome> {
      if (typeof args !== 'object' || args === null || Array.isArray(args))
        return { ok: false, kind: 'validation', message: 'the arguments must be a JSON object' };
      const values: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(args)) {
        const p = tool.params[name];
        if (!p)
          return {
            ok: false,
            kind: 'validation',
            message: `unknown parameter ${name}; this tool takes ${Object.keys(tool.params).join(', ') || 'none'}`,
          };
        if (!typeOk(p.type, value))
          return { ok: false, kind: 'validation', message: `parameter ${name} must be of type ${p.type}` };
        values[name] = value;
      }
      for (const [name, p] of Object.entries(tool.params)) {
        if (values[name] === undefined && p.default !== undefined) values[name] = p.default;
        if (values[name] === undefined && p.required)
          return { ok: false, kind: 'validation', message: `parameter ${name} is required` };
      }
      const url = endpointUrl(host.baseUrl, tool.endpoint);
      const method = tool.method.toUpperCase();
      let body: string | undefined;
      if (method === 'GET' || method === 'DELETE') {
        for (const [k, v] of Object.entries(values))
          url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
      } else body = tool.bodyTemplate ? renderBodyTemplate(tool.bodyTemplate, values) : JSON.stringify(values);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (tool.auth === 'bearer') {
        if (!host.token)
          return {
            ok: false,
            kind: 'denied',
            message: `${tool.name} needs a bearer token and the host configured none (AGENTLANG_HTTP_TOKEN)`,
          };
        headers.authorization = `Bearer ${host.token}`;
      }
      const r = await egressFetch(
        url,
        {
          method,
          headers,
          body,
          signal: context.signal,
          timeoutMs: host.timeoutMs,
          maxBytes: host.maxBytes,
          maxRedirects: 0,
        },
        egress,
      );
      const text = r.truncated ? `${r.body}\n[response cut at ${host.maxBytes ?? 1024 * 1024} bytes]` : r.body;
      if (r.status >= 400)
        return {
          ok: false,
          kind: 'execution',
          message: `${method} ${url.pathname} answered ${r.status}: ${text.slice(0, 2000)}`,
        };
      return { ok: true, content: text };
    },
  };
}
