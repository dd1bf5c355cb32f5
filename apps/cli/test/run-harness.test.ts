import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cliKeygen, cliKeygenX25519, makeTempDir, runCliAsync } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../../../packages/harness/test/scripted-server.js';

const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'research-assistant');
const KEY = 'sk-ant-harness-test-secret-0042';

const servers: ScriptedServer[] = [];
const apis: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const s of apis.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

// A small agent with one http tool; the OpenAI provider routes it to the scripted server.
const HTTP_AGENT = `name: lookup-agent
version: 0.1.0
description: Looks a word up through the host's API.
models:
  gpt-test:
    provider: openai
http_tools:
  lookup:
    description: Looks a word up
    endpoint: /api/lookup
    method: GET
    auth: bearer
    params:
      word:
        type: string
        required: true
`;

function setup(): string {
  const cwd = makeTempDir();
  cpSync(EXAMPLE, join(cwd, 'research-assistant'), { recursive: true });
  return cwd;
}

function onlyRecord(cwd: string): { text: string; json: Record<string, unknown> } {
  const dir = join(cwd, '.agentlang', 'records');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  const text = readFileSync(join(dir, files[0]!), 'utf8');
  return { text, json: JSON.parse(text) };
}

describe('agentlang run --runtime harness (the built-in loop against a scripted Anthropic Messages server)', () => {
  it('prints the answer once on stdout; the record has usage and outcome, never the prompt or the key', async () => {
    const server = await startScriptedServer([{ text: 'Three sources agree: 42.', usage: { input: 120, output: 9 } }]);
    servers.push(server);
    const cwd = setup();
    const r = await runCliAsync(
      ['run', 'research-assistant', '--runtime', 'harness', '--prompt', 'Find the answer PROMPT-MARKER'],
      cwd,
      {
        ANTHROPIC_BASE_URL: server.origin,
        ANTHROPIC_API_KEY: KEY,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Launching harness...\n');
    expect(r.stdout.endsWith('Three sources agree: 42.\n')).toBe(true);
    expect(r.stdout.split('Three sources agree: 42.').length).toBe(2);
    const req = server.requests[0]!;
    expect(req.path).toBe('/v1/messages');
    expect(req.body.model).toBe('claude-sonnet-4');
    expect(req.headers['x-api-key']).toBe(KEY);
    expect(req.body.temperature).toBe(0.7);
    expect(req.body.max_tokens).toBe(8192);
    const { text, json } = onlyRecord(cwd);
    expect(json).toMatchObject({
      runtime: 'harness',
      outcome: 'success',
      exit_code: 0,
      harness: {
        outcome: 'completed',
        usage: { 'claude-sonnet-4': { input_tokens: 120, output_tokens: 9 } },
        tool_calls: {},
      },
    });
    expect(json.env).toEqual([]);
    expect(text).not.toContain('PROMPT-MARKER');
    expect(text).not.toContain(KEY);
  });

  it('--json gives { outcome, answer, usage, toolCalls } under harness; a model error exits 4', async () => {
    const server = await startScriptedServer([
      { text: 'ok', usage: { input: 3, output: 1 } },
      { status: 400, body: '{"type":"error","error":{"type":"invalid_request_error","message":"nope"}}' },
    ]);
    servers.push(server);
    const cwd = setup();
    const env = { ANTHROPIC_BASE_URL: server.origin, ANTHROPIC_API_KEY: KEY };
    const r = await runCliAsync(
      ['run', 'research-assistant', '--runtime', 'harness', '--prompt', 'x', '--json'],
      cwd,
      env,
    );
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    // claude-sonnet-4 at the built-in list price (3 and 15 USD per million tokens).
    expect(doc.harness).toEqual({
      outcome: 'completed',
      answer: 'ok',
      usage: { 'claude-sonnet-4': { input_tokens: 3, output_tokens: 1 } },
      toolCalls: {},
      costUsd: expect.closeTo(0.000024, 12),
    });
    expect(r.stdout).not.toContain(KEY);
    const bad = await runCliAsync(['run', 'research-assistant', '--runtime', 'harness', '--prompt', 'x'], cwd, env);
    expect(bad.status).toBe(4);
    expect(bad.stderr).toContain('harness:');
  });

  it('runs examples/research-assistant end to end: the sqlite insert lands on disk, the skill refuses artifacts, a large result is saved as an artifact', async () => {
    const LONG = `long-note-${'x'.repeat(25_000)}-END`;
    const server = await startScriptedServer([
      {
        toolCalls: [
          {
            id: 'toolu_ins',
            name: 'sqlite',
            arguments: {
              sql: 'INSERT INTO citations (url, title, relevance) VALUES (?, ?, ?)',
              params: ['https://arxiv.org/abs/2401.00001', 'Solid-state batteries', 0.9],
            },
          },
          { id: 'toolu_big', name: 'sqlite', arguments: { sql: 'SELECT ? AS note', params: [LONG] } },
          { id: 'toolu_art', name: 'artifacts', arguments: { op: 'save', title: 'Report', content: '# Findings' } },
        ],
        usage: { input: 200, output: 40 },
      },
      { text: 'Stored one citation.', usage: { input: 300, output: 6 } },
    ]);
    servers.push(server);
    const cwd = setup();
    const r = await runCliAsync(
      ['run', 'research-assistant', '--runtime', 'harness', '--prompt', 'Research solid-state batteries', '--json'],
      cwd,
      {
        ANTHROPIC_BASE_URL: server.origin,
        ANTHROPIC_API_KEY: KEY,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.harness).toEqual({
      outcome: 'completed',
      answer: 'Stored one citation.',
      usage: { 'claude-sonnet-4': { input_tokens: 500, output_tokens: 46 } },
      toolCalls: { sqlite: 2, artifacts: 1 },
      costUsd: expect.closeTo(0.00219, 12),
    });
    // The skill test-helper allows sqlite and delegate: both are offered (delegate over the agent's
    // specialists), and its SKILL.md body joined the system prompt.
    const first = server.requests[0]!.body as { system: unknown; tools: Array<{ name: string; description?: string }> };
    expect(first.tools.map((t) => t.name)).toEqual(['sqlite', 'delegate']);
    expect(first.tools[1]?.description).toContain('academic-researcher:');
    expect(JSON.stringify(first.system)).toContain('Test Helper Skill');
    // The row is really in the agent's database on disk, in the table agent.yaml declares.
    const db = join(cwd, '.agentlang', 'sqlite', 'research-assistant.db');
    expect(readFileSync(db).includes(Buffer.from('https://arxiv.org/abs/2401.00001'))).toBe(true);
    // The call outside the skill was refused (the model told so) and wrote nothing.
    const results = JSON.stringify(server.requests[1]!.body.messages);
    expect(results).toContain('artifacts is not allowed by the active skills');
    const { text, json } = onlyRecord(cwd);
    const runDir = join(cwd, '.agentlang', 'artifacts', String(json.run_id));
    expect(readdirSync(runDir)).toEqual(['tool-result-1-sqlite.txt']);
    // The large result reached the model as head and tail, the whole of it saved as an artifact of the run.
    expect(readFileSync(join(runDir, 'tool-result-1-sqlite.txt'), 'utf8')).toContain(LONG);
    const blocks = (server.requests[1]!.body.messages as Array<{ content: unknown }>).flatMap((m) =>
      Array.isArray(m.content) ? m.content : [],
    ) as Array<{ tool_use_id?: string; content?: unknown }>;
    const big = JSON.stringify(blocks.find((b) => b.tool_use_id === 'toolu_big')?.content);
    expect(big).toContain('saved as artifact tool-result-1-sqlite.txt');
    expect(big).toContain('characters omitted');
    expect(big).toContain('-END');
    expect(big).not.toContain(LONG);
    expect(existsSync(join(runDir, 'report.md'))).toBe(false);
    expect(r.stderr).toContain('tool: sqlite (Storing citations)');
    expect(json).toMatchObject({
      harness: { outcome: 'completed', turns: 2, tool_calls: { sqlite: 2, artifacts: 1 } },
    });
    for (const secret of ['Research solid-state', KEY, 'arxiv.org/abs', 'long-note'])
      expect(text).not.toContain(secret);
  });

  it('runs the research-assistant container under the harness: the SKILL.md body of its skill comes from the container', async () => {
    const server = await startScriptedServer([{ text: 'From the container.', usage: { input: 10, output: 3 } }]);
    servers.push(server);
    const cwd = setup();
    const x = cliKeygenX25519({ cwd });
    const signer = cliKeygen({ cwd });
    const built = await runCliAsync(
      ['build', 'research-assistant', '--out', 'ra.agent', '--recipient', x.recipient, '--sign-key-env', 'K'],
      cwd,
      { K: signer.priv },
    );
    expect(built.status, built.stderr).toBe(0);
    // Run from elsewhere, the agent's directory gone: only the container holds the skill.
    const away = makeTempDir();
    cpSync(join(cwd, 'ra.agent'), join(away, 'ra.agent'));
    const r = await runCliAsync(
      ['run', 'ra.agent', '--runtime', 'harness', '--prompt', 'hi', '--pubkey', signer.pub],
      away,
      {
        ANTHROPIC_BASE_URL: server.origin,
        ANTHROPIC_API_KEY: KEY,
        AGENTLANG_IDENTITY: x.identity,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('From the container.');
    expect(r.stderr).not.toContain('instructions are left out');
    const first = server.requests[0]!.body as { system: unknown };
    expect(JSON.stringify(first.system)).toContain('Test Helper Skill');
  });

  it('--approve none denies a DELETE http tool (the API never sees it); --approve all lets it through; a bad value is a usage error', async () => {
    const seen: string[] = [];
    const api = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      res.end('{"deleted":true}');
    });
    apis.push(api);
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const cwd = makeTempDir();
    writeFileSync(
      join(cwd, 'agent.yaml'),
      `${HTTP_AGENT}  remove:\n    description: Deletes a word\n    endpoint: /api/words\n    method: DELETE\n    params:\n      word:\n        type: string\n        required: true\n`,
    );
    const step = () => [
      { toolCalls: [{ id: 'call_rm', name: 'remove', arguments: { word: 'cat' } }] },
      { text: 'done' },
    ];
    const run = async (approve: string) => {
      const server = await startScriptedServer(step());
      servers.push(server);
      const r = await runCliAsync(
        ['run', '.', '--runtime', 'harness', '--prompt', 'Remove cat', '--approve', approve],
        cwd,
        { OPENAI_BASE_URL: `${server.origin}/v1`, AGENTLANG_HTTP_BASE_URL: apiBase },
      );
      return { r, results: JSON.stringify(server.requests[1]?.body.messages ?? []) };
    };
    const denied = await run('none');
    expect(denied.r.status, denied.r.stderr).toBe(0);
    expect(seen).toEqual([]);
    expect(denied.results).toContain('denied');
    expect(denied.r.stderr).toContain('approval: remove denied');
    const allowed = await run('all');
    expect(allowed.r.status, allowed.r.stderr).toBe(0);
    expect(seen).toEqual(['DELETE /api/words?word=cat']);
    expect(allowed.r.stderr).toContain('approval: remove approved');
    const bad = await runCliAsync(['run', '.', '--runtime', 'harness', '--prompt', 'x', '--approve', 'maybe'], cwd, {});
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--approve 'maybe' is not valid; expected one of all, none");
  });

  it('an http tool marked approval: always_ask is denied by --approve none (the API never sees it)', async () => {
    const seen: string[] = [];
    const api = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    apis.push(api);
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const cwd = makeTempDir();
    writeFileSync(
      join(cwd, 'agent.yaml'),
      HTTP_AGENT.replace('    auth: bearer\n', '    auth: bearer\n    approval: always_ask\n'),
    );
    const server = await startScriptedServer([
      { toolCalls: [{ id: 'call_look', name: 'lookup', arguments: { word: 'cat' } }] },
      { text: 'done' },
    ]);
    servers.push(server);
    const r = await runCliAsync(
      ['run', '.', '--runtime', 'harness', '--prompt', 'Look up cat', '--approve', 'none'],
      cwd,
      {
        OPENAI_BASE_URL: `${server.origin}/v1`,
        AGENTLANG_HTTP_BASE_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(seen).toEqual([]);
    expect(r.stderr).toContain('approval: lookup denied');
    expect(JSON.stringify(server.requests[1]?.body.messages ?? [])).toContain('denied');
  });

  it('--json reports the cost at the host catalog price; AGENTLANG_HARNESS_MAX_COST_USD ends the run with outcome budget before another model request', async () => {
    const cwd = makeTempDir();
    writeFileSync(join(cwd, 'agent.yaml'), HTTP_AGENT);
    // The host's own prices: 1000 USD per million tokens each way, so 1000 tokens cost 1 USD.
    writeFileSync(
      join(cwd, 'models.yaml'),
      'schema: agentlang.models/v1\nmodels:\n  gpt-test:\n    provider: openai\n    input_usd_per_mtok: 1000\n    output_usd_per_mtok: 1000\n',
    );
    const server = await startScriptedServer([
      {
        toolCalls: [{ id: 'call_look', name: 'lookup', arguments: { word: 'cat' } }],
        usage: { input: 300, output: 100 },
      },
      { text: 'never sent' },
    ]);
    servers.push(server);
    const r = await runCliAsync(['run', '.', '--runtime', 'harness', '--prompt', 'Look up cat', '--json'], cwd, {
      OPENAI_BASE_URL: `${server.origin}/v1`,
      AGENTLANG_HTTP_BASE_URL: 'http://127.0.0.1:9',
      AGENTLANG_MODELS: join(cwd, 'models.yaml'),
      AGENTLANG_HARNESS_MAX_COST_USD: '0.25',
    });
    expect(r.status, r.stderr).toBe(3);
    expect(server.requests).toHaveLength(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.harness).toMatchObject({
      outcome: 'budget',
      usage: { 'gpt-test': { input_tokens: 300, output_tokens: 100 } },
    });
    expect(doc.harness.costUsd).toBeCloseTo(0.4, 10);
    expect(doc.record.harness.cost_usd).toBeCloseTo(0.4, 10);
  });

  it('the model calls an http tool on a real 127.0.0.1 API (bearer token), gets the result and answers; tool counts recorded', async () => {
    const seen: Array<{ url: string; auth: string | undefined }> = [];
    const api = createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ definition: 'a small furry animal' }));
    });
    apis.push(api);
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const server = await startScriptedServer([
      { toolCalls: [{ id: 'call_1', name: 'lookup', arguments: { word: 'cat' } }], usage: { input: 50, output: 10 } },
      { text: 'A cat is a small furry animal.', usage: { input: 80, output: 8 } },
    ]);
    servers.push(server);
    const cwd = makeTempDir();
    writeFileSync(join(cwd, 'agent.yaml'), HTTP_AGENT);
    const OKEY = 'sk-openai-harness-test-0099';
    const r = await runCliAsync(
      ['run', '.', '--runtime', 'harness', '--prompt', 'What is a cat? PROMPT-MARKER', '--json'],
      cwd,
      {
        OPENAI_BASE_URL: `${server.origin}/v1`,
        OPENAI_API_KEY: OKEY,
        AGENTLANG_HTTP_BASE_URL: apiBase,
        AGENTLANG_HTTP_TOKEN: 'api-token-7',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(seen).toEqual([{ url: '/api/lookup?word=cat', auth: 'Bearer api-token-7' }]);
    expect(r.stderr).toContain('tool: lookup');
    const doc = JSON.parse(r.stdout);
    expect(doc.harness).toEqual({
      outcome: 'completed',
      answer: 'A cat is a small furry animal.',
      usage: { 'gpt-test': { input_tokens: 130, output_tokens: 18 } },
      toolCalls: { lookup: 1 },
    });
    // The second model request carried the tool's result.
    expect(JSON.stringify(server.requests[1]!.body)).toContain('small furry animal');
    const { text, json } = onlyRecord(cwd);
    expect(json).toMatchObject({
      runtime: 'harness',
      harness: { outcome: 'completed', turns: 2, tool_calls: { lookup: 1 } },
    });
    for (const secret of ['PROMPT-MARKER', OKEY, 'api-token-7', 'small furry animal'])
      expect(text).not.toContain(secret);
    expect(r.stdout).not.toContain(OKEY);
  });
});
