import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server, type ServerResponse, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BUILTIN_OUTPUT_SCHEMAS,
  BUILTIN_TOOL_CAPABILITIES,
  BUILTIN_TOOL_NAMES,
  type BuiltinToolHost,
  createBuiltinTool,
} from './builtin-tools.js';
import type { ToolOutcome } from './loop.js';
import { withSchemas } from './schemas.js';
import { gateByCapabilities } from './skills.js';

const ctx = () => ({ callId: 'c1', signal: new AbortController().signal });
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function host(extra: Partial<BuiltinToolHost> = {}): BuiltinToolHost {
  return { root: makeTempDir(), agent: 'researcher', runId: 'run-1', env: {}, ...extra };
}

function json(outcome: ToolOutcome): Record<string, unknown> {
  expect(outcome.ok, outcome.ok ? '' : outcome.message).toBe(true);
  return JSON.parse((outcome as { content: string }).content) as Record<string, unknown>;
}

describe('createBuiltinTool', () => {
  it('builds every named tool with the resolver name and refuses unknown names', () => {
    const h = host();
    for (const name of BUILTIN_TOOL_NAMES) expect(createBuiltinTool(name, {}, h).spec.name).toBe(name);
    expect(() => createBuiltinTool('delegate', {}, h)).toThrow(/not a built-in tool/);
  });
});

describe('web_fetch', () => {
  it('fetches text from an allowed loopback server', async () => {
    const origin = await serve((_q, _b, res) => res.end('hello page'));
    const tool = createBuiltinTool('web_fetch', {}, host({ egress: { allowPrivate: true } }));
    const out = json(await tool.execute({ url: `${origin}/x` }, ctx()));
    expect(out).toMatchObject({ status: 200, content: 'hello page' });
  });

  it('turns HTML into text unless format is html', async () => {
    const page =
      '<html><head><style>p{}</style><script>alert(1)</script></head><body><h1>Title</h1><p>a &amp; b</p></body></html>';
    const origin = await serve((_q, _b, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page);
    });
    const tool = createBuiltinTool('web_fetch', {}, host({ egress: { allowPrivate: true } }));
    expect(json(await tool.execute({ url: origin }, ctx())).content).toBe('Title\na & b');
    expect(json(await tool.execute({ url: origin, format: 'html' }, ctx())).content).toBe(page);
  });

  it('cuts the body at the size cap', async () => {
    const origin = await serve((_q, _b, res) => res.end('a'.repeat(5000)));
    const tool = createBuiltinTool('web_fetch', { maxBytes: 100 }, host({ egress: { allowPrivate: true } }));
    const out = json(await tool.execute({ url: origin }, ctx()));
    expect((out.content as string).length).toBe(100);
    expect(out.truncated).toBe(true);
  });

  it('times out a server that never answers', async () => {
    const origin = await serve(() => {});
    const tool = createBuiltinTool('web_fetch', { timeoutMs: 50 }, host({ egress: { allowPrivate: true } }));
    expect(await tool.execute({ url: origin }, ctx())).toMatchObject({ ok: false, kind: 'timeout' });
  });

  it.each([
    'http://127.0.0.1:9/',
    'http://169.254.169.254/latest/meta-data/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://[::1]/',
    'http://localhost:9/',
    'file:///etc/passwd',
  ])('refuses %s without allowPrivate', async (url) => {
    const tool = createBuiltinTool('web_fetch', {}, host());
    expect(await tool.execute({ url }, ctx())).toMatchObject({ ok: false, kind: 'denied' });
  });

  // A public first hop cannot be staged offline, so the first hop is an allowlisted loopback server
  // and the test shows every redirect hop is checked again before connecting.
  it.each(['http://169.254.169.254/latest/meta-data/', 'http://127.0.0.2:9/meta', 'http://2852039166/'])(
    'refuses a redirect to %s',
    async (location) => {
      const redirector = await serve((_q, _b, res) => {
        res.writeHead(302, { location });
        res.end();
      });
      const tool = createBuiltinTool(
        'web_fetch',
        {},
        host({ egress: { allowPrivate: true, allowHosts: ['127.0.0.1'] } }),
      );
      expect(await tool.execute({ url: redirector }, ctx())).toMatchObject({ ok: false, kind: 'denied' });
    },
  );

  it('refuses hosts outside the allowlist', async () => {
    const tool = createBuiltinTool('web_fetch', {}, host({ egress: { allowHosts: ['example.com'] } }));
    expect(await tool.execute({ url: 'http://evil.test/' }, ctx())).toMatchObject({ ok: false, kind: 'denied' });
  });
});

describe('web_search', () => {
  it('answers with a structured error when no endpoint is configured', async () => {
    const out = await createBuiltinTool('web_search', {}, host()).execute({ query: 'x' }, ctx());
    expect(out.ok).toBe(false);
    expect(JSON.parse((out as { message: string }).message)).toMatchObject({ error: 'search_not_configured' });
  });

  it('posts the query to AGENTLANG_SEARCH_URL and returns results matching the output schema', async () => {
    const bodies: unknown[] = [];
    const origin = await serve((req, body, res) => {
      bodies.push({ method: req.method, body: JSON.parse(body) });
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ results: [{ title: 'T', url: 'https://e.x/', snippet: 'S', extra: 1 }], total_count: 1 }),
      );
    });
    const tool = withSchemas(
      createBuiltinTool(
        'web_search',
        {},
        host({ egress: { allowPrivate: true }, env: { AGENTLANG_SEARCH_URL: `${origin}/search` } }),
      ),
      {
        outputSchema: BUILTIN_OUTPUT_SCHEMAS.web_search,
      },
    );
    const out = json(await tool.execute({ query: 'agents', max_results: 3 }, ctx()));
    expect(out).toEqual({ results: [{ title: 'T', url: 'https://e.x/', snippet: 'S' }], total_count: 1 });
    expect(bodies).toEqual([{ method: 'POST', body: { query: 'agents', max_results: 3 } }]);
  });

  it('refuses a loopback search endpoint without allowPrivate', async () => {
    const tool = createBuiltinTool('web_search', {}, host({ env: { AGENTLANG_SEARCH_URL: 'http://127.0.0.1:9/s' } }));
    expect(await tool.execute({ query: 'x' }, ctx())).toMatchObject({ ok: false, kind: 'denied' });
  });
});

describe('artifacts', () => {
  it('saves, lists and reads under .agentlang/artifacts/<run id>/', async () => {
    const h = host();
    const tool = createBuiltinTool('artifacts', {}, h);
    const saved = json(await tool.execute({ title: 'Final Report!', content: '# hi', kind: 'markdown' }, ctx()));
    expect(saved.id).toBe('final-report.md');
    expect(readFileSync(join(h.root, '.agentlang/artifacts/run-1/final-report.md'), 'utf8')).toBe('# hi');
    expect(json(await tool.execute({ op: 'list' }, ctx()))).toMatchObject({ names: ['final-report.md'] });
    expect(json(await tool.execute({ op: 'read', name: 'final-report.md' }, ctx()))).toMatchObject({ content: '# hi' });
  });

  it.each(['../escape.md', '../../etc/passwd', '/etc/passwd', 'a/b.md', '..', '.hidden', 'x\\..\\y'])(
    'refuses the name %s',
    async (name) => {
      const h = host();
      const tool = createBuiltinTool('artifacts', {}, h);
      expect(await tool.execute({ op: 'save', title: 't', content: 'c', name }, ctx())).toMatchObject({
        ok: false,
        kind: 'denied',
      });
      expect(await tool.execute({ op: 'read', name }, ctx())).toMatchObject({ ok: false, kind: 'denied' });
      expect(existsSync(join(h.root, 'escape.md'))).toBe(false);
    },
  );

  it('refuses to read or write through a planted symlink', async () => {
    const h = host();
    const outside = makeTempDir();
    writeFileSync(join(outside, 'secret.txt'), 'top secret');
    const dir = join(h.root, '.agentlang/artifacts/run-1');
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'link.md'));
    const tool = createBuiltinTool('artifacts', {}, h);
    expect(await tool.execute({ op: 'read', name: 'link.md' }, ctx())).toMatchObject({ ok: false, kind: 'denied' });
    expect(await tool.execute({ title: 't', content: 'overwrite', name: 'link.md' }, ctx())).toMatchObject({
      ok: false,
      kind: 'denied',
    });
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('refuses a run directory that is a symlink out of the root', async () => {
    const h = host();
    const outside = makeTempDir();
    mkdirSync(join(h.root, '.agentlang/artifacts'), { recursive: true });
    symlinkSync(outside, join(h.root, '.agentlang/artifacts/run-1'));
    const tool = createBuiltinTool('artifacts', {}, h);
    expect(await tool.execute({ title: 't', content: 'c' }, ctx())).toMatchObject({ ok: false, kind: 'denied' });
    expect(existsSync(join(outside, 't.md'))).toBe(false);
  });
});

describe('storage', () => {
  it('persists per agent across tool instances, with get/set/delete/list', async () => {
    const h = host();
    const a = createBuiltinTool('storage', {}, h);
    json(await a.execute({ op: 'set', key: 'k', value: { n: 1 } }, ctx()));
    json(await a.execute({ op: 'put', key: 'z', value: 'zz' }, ctx()));
    const b = createBuiltinTool('storage', {}, h);
    expect(json(await b.execute({ op: 'get', key: 'k' }, ctx()))).toEqual({ value: { n: 1 } });
    expect(json(await b.execute({ op: 'list' }, ctx()))).toEqual({ keys: ['k', 'z'] });
    expect(json(await b.execute({ op: 'delete', key: 'k' }, ctx()))).toEqual({ deleted: true });
    expect(JSON.parse(readFileSync(join(h.root, '.agentlang/storage/researcher.json'), 'utf8'))).toEqual({ z: 'zz' });
    const other = createBuiltinTool('storage', {}, { ...h, agent: 'writer' });
    expect(json(await other.execute({ op: 'list' }, ctx()))).toEqual({ keys: [] });
  });

  it('keeps a scoped agent name inside storage/ as one file', async () => {
    const h = host({ agent: '@org/../../evil' });
    json(await createBuiltinTool('storage', {}, h).execute({ op: 'set', key: 'k', value: 1 }, ctx()));
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(join(h.root, '.agentlang/storage'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^org_evil-[0-9a-f]{12}\.json$/);
    expect(readdirSync(h.root)).toEqual(['.agentlang']);
  });

  it('serialises concurrent writes on one instance', async () => {
    const tool = createBuiltinTool('storage', {}, host());
    await Promise.all(Array.from({ length: 10 }, (_, i) => tool.execute({ op: 'set', key: `k${i}`, value: i }, ctx())));
    expect((json(await tool.execute({ op: 'list' }, ctx())).keys as string[]).length).toBe(10);
  });
});

describe('sqlite', () => {
  it('creates the declared tables and persists rows across two instances', async () => {
    const h = host();
    const config = { tables: { notes: 'id INTEGER PRIMARY KEY, body TEXT NOT NULL' } };
    const a = createBuiltinTool('sqlite', config, h);
    expect(
      json(await a.execute({ sql: 'INSERT INTO notes (body) VALUES (?)', params: ["it's; DROP TABLE notes"] }, ctx())),
    ).toMatchObject({ changes: 1 });
    expect(existsSync(join(h.root, '.agentlang/sqlite/researcher.db'))).toBe(true);
    const b = createBuiltinTool('sqlite', config, h);
    expect(json(await b.execute({ sql: 'SELECT id, body FROM notes WHERE id = ?', params: [1] }, ctx()))).toEqual({
      columns: ['id', 'body'],
      rows: [[1, "it's; DROP TABLE notes"]],
      changes: 0,
    });
  });

  it('reports SQL errors as execution failures and rejects bad params', async () => {
    const tool = createBuiltinTool('sqlite', {}, host());
    expect(await tool.execute({ sql: 'SELECT * FROM nope' }, ctx())).toMatchObject({ ok: false, kind: 'execution' });
    expect(await tool.execute({ sql: 'SELECT ?', params: [{ a: 1 }] }, ctx())).toMatchObject({
      ok: false,
      kind: 'validation',
    });
  });

  it('refuses more than one statement per call and leaves the database untouched', async () => {
    const h = host();
    const tool = createBuiltinTool('sqlite', { tables: { t: 'a' } }, h);
    json(await tool.execute({ sql: 'INSERT INTO t VALUES (?)', params: [1] }, ctx()));
    expect(await tool.execute({ sql: 'INSERT INTO t VALUES (2); DROP TABLE t' }, ctx())).toMatchObject({
      ok: false,
      kind: 'validation',
    });
    expect(json(await tool.execute({ sql: 'SELECT count(*) AS n FROM t;' }, ctx()))).toMatchObject({ rows: [[1]] });
  });

  it('refuses table names that are not identifiers', () => {
    expect(() => createBuiltinTool('sqlite', { tables: { 'x"; DROP': 'a' } }, host())).toThrow(/identifier/);
  });

  it("creates tables declared in the spec's columns form (seed 003's citations), constraints included", async () => {
    const h = host();
    const config = {
      tables: {
        citations: {
          columns: {
            id: { type: 'integer', primary_key: true },
            url: { type: 'text', required: true },
            title: { type: 'text' },
            relevance: { type: 'real', default: 0.5 },
          },
        },
      },
    };
    const tool = createBuiltinTool('sqlite', config, h);
    expect(
      json(
        await tool.execute(
          { sql: 'INSERT INTO citations (url, title) VALUES (?, ?)', params: ['https://a.example', "O'Brien"] },
          ctx(),
        ),
      ),
    ).toMatchObject({ changes: 1 });
    expect(json(await tool.execute({ sql: 'SELECT id, url, title, relevance FROM citations' }, ctx()))).toMatchObject({
      rows: [[1, 'https://a.example', "O'Brien", 0.5]],
    });
    // required: true is NOT NULL.
    expect(
      await tool.execute({ sql: 'INSERT INTO citations (title) VALUES (?)', params: ['no url'] }, ctx()),
    ).toMatchObject({ ok: false, kind: 'execution' });
  });

  it('refuses column names and types in the columns form that are not plain', () => {
    const bad = (columns: Record<string, unknown>) => () =>
      createBuiltinTool('sqlite', { tables: { t: { columns } } }, host());
    expect(bad({ 'a"; DROP TABLE t; --': { type: 'text' } })).toThrow(/identifier/);
    expect(bad({ a: { type: 'text); DROP TABLE t; --' } })).toThrow(/type/);
    expect(bad({})).toThrow(/columns/);
  });
});

describe('built-in tools through runLoop', () => {
  it('a scripted model stores a value, saves an artifact and gets a validation error back', async () => {
    const { runLoop } = await import('./loop.js');
    const h = host();
    const tools = (['storage', 'artifacts'] as const).map((name) =>
      withSchemas(createBuiltinTool(name, {}, h), { outputSchema: BUILTIN_OUTPUT_SCHEMAS[name] }),
    );
    const script = [
      [{ name: 'storage', arguments: { op: 'put', key: 'topic', value: 'agents' } }],
      [{ name: 'storage', arguments: { op: 'explode' } }],
      [{ name: 'artifacts', arguments: { title: 'Notes', content: 'about agents' } }],
    ];
    let turn = 0;
    const model = {
      protocol: 'openai' as const,
      model: 'scripted',
      async complete() {
        const calls = script[turn++];
        return calls
          ? {
              text: '',
              toolCalls: calls.map((c, i) => ({ ...c, id: `t${turn}_${i}` })),
              stopReason: 'tool_calls' as const,
              usage: { inputTokens: 1, outputTokens: 1 },
            }
          : { text: 'saved', toolCalls: [], stopReason: 'end' as const, usage: { inputTokens: 1, outputTokens: 1 } };
      },
    };
    const kinds: Array<string | undefined> = [];
    const r = await runLoop({
      model,
      system: 's',
      prompt: 'p',
      tools,
      onEvent: (e) => e.type === 'tool.result' && kinds.push(e.ok ? 'ok' : e.kind),
    });
    expect(r.outcome).toBe('completed');
    expect(kinds).toEqual(['ok', 'validation', 'ok']);
    expect(JSON.parse(readFileSync(join(h.root, '.agentlang/storage/researcher.json'), 'utf8'))).toEqual({
      topic: 'agents',
    });
    expect(readFileSync(join(h.root, '.agentlang/artifacts/run-1/notes.md'), 'utf8')).toBe('about agents');
  });
});

describe('built-in capabilities', () => {
  it('a host granting only network gets denied storage and sqlite calls, nothing written', async () => {
    const h = host();
    const tools = gateByCapabilities(
      BUILTIN_TOOL_NAMES.map((n) => createBuiltinTool(n, {}, h)),
      BUILTIN_TOOL_CAPABILITIES,
      new Set(['network']),
    );
    const byName = new Map(tools.map((t) => [t.spec.name, t]));
    expect(await byName.get('storage')?.execute({ op: 'put', key: 'k', value: 1 }, ctx())).toMatchObject({
      ok: false,
      kind: 'denied',
    });
    expect(await byName.get('sqlite')?.execute({ sql: 'SELECT 1' }, ctx())).toMatchObject({
      ok: false,
      kind: 'denied',
    });
    expect(await byName.get('artifacts')?.execute({ title: 'a', content: 'b' }, ctx())).toMatchObject({ ok: true });
    expect(existsSync(join(h.root, '.agentlang/storage'))).toBe(false);
  });
});
