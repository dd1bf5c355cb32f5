import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, runCliAsync } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from '../../../packages/harness/test/scripted-server.js';

// `agentlang run --events` (the typed JSONL stream), `--ui-actions` (the UI action channel) and
// AGENTLANG_HARNESS_RECORD / _REPLAY, through the built CLI against the scripted model server.

const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'research-assistant');

const servers: ScriptedServer[] = [];
const apis: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const s of apis.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const recordOf = (cwd: string) => {
  const dir = join(cwd, '.agentlang', 'records');
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  return JSON.parse(readFileSync(join(dir, file as string), 'utf8')) as { run_id: string };
};

const lines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

// A word-card UI: `define` is a sync action (runs the http tool lookup), `explain` an agent action.
const UI_AGENT = `name: word-agent
version: 0.1.0
description: Shows words as cards.
models:
  gpt-test:
    provider: openai
http_tools:
  lookup:
    description: Looks a word up
    endpoint: /api/lookup
    method: GET
    params:
      word:
        type: string
        required: true
ui_components:
  word_card:
    actions:
      define:
        tool: lookup
        params:
          word: "{{word}}"
      explain:
        params:
          word: "{{word}}"
`;

describe('agentlang run --events', () => {
  it('--events - writes the typed JSONL stream to stdout (the answer to stderr); --ui-actions runs a sync action without a model turn and sends an agent action to the model', async () => {
    const seen: string[] = [];
    const api = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"definition":"a small animal"}');
    });
    apis.push(api);
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const server = await startScriptedServer([
      { toolCalls: [{ id: 'call_r1', name: 'render_word_card', arguments: { word: 'cat' } }] },
      { text: 'Here is the card.' },
      { text: 'A cat is a small animal.' },
    ]);
    servers.push(server);
    const cwd = makeTempDir();
    writeFileSync(join(cwd, 'agent.yaml'), UI_AGENT);
    writeFileSync(
      join(cwd, 'actions.jsonl'),
      '{"type":"ui_action","render_id":"call_r1","action":"define"}\n{"type":"ui_action","render_id":"call_r1","action":"explain","values":{"depth":"short"}}\n',
    );
    const r = await runCliAsync(
      ['run', '.', '--runtime', 'harness', '--prompt', 'Show me cat', '--events', '-', '--ui-actions', 'actions.jsonl'],
      cwd,
      {
        OPENAI_BASE_URL: `${server.origin}/v1`,
        OPENAI_API_KEY: 'sk-CLI-EVENTS-KEY',
        AGENTLANG_HTTP_BASE_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    // stdout holds only events; the plan and the answer went to stderr.
    const events = lines(r.stdout);
    expect(r.stderr).toContain('A cat is a small animal.');
    const runId = recordOf(cwd).run_id;
    for (const [i, e] of events.entries())
      expect(e).toMatchObject({ v: 1, run_id: runId, seq: i + 1, ts: expect.any(String) });
    expect(events[0]).toMatchObject({ type: 'run.start', agent: 'word-agent', protocol: 'openai' });
    expect(events.at(-1)).toMatchObject({ type: 'run.end', outcome: 'completed', turns: 3 });
    expect(events.find((e) => e.type === 'ui.render')).toMatchObject({
      render_id: 'call_r1',
      component: 'word_card',
      props: { word: 'cat' },
      actions: [
        { name: 'define', kind: 'sync', tool: 'lookup' },
        { name: 'explain', kind: 'agent' },
      ],
    });
    expect(events.filter((e) => e.type === 'ui.action')).toMatchObject([
      { action: 'define', kind: 'sync', ok: true, result: '{"definition":"a small animal"}' },
      { action: 'explain', kind: 'agent', ok: true },
    ]);
    // define ran lookup with the card's word and cost no model request; explain did.
    expect(seen).toEqual(['/api/lookup?word=cat']);
    expect(server.requests).toHaveLength(3);
    expect(JSON.stringify(server.requests[2]?.body)).toContain('[ui action] explain on word_card');
    expect(r.stdout).not.toContain('sk-CLI-EVENTS-KEY');
  });

  it('--events PATH writes the stream to a file over Anthropic; --events - with --json is a usage error', async () => {
    const server = await startScriptedServer([{ text: 'Three sources agree: 42.', usage: { input: 120, output: 9 } }]);
    servers.push(server);
    const cwd = makeTempDir();
    cpSync(EXAMPLE, join(cwd, 'research-assistant'), { recursive: true });
    const env = { ANTHROPIC_BASE_URL: server.origin, ANTHROPIC_API_KEY: 'sk-ant-key' };
    const r = await runCliAsync(
      ['run', 'research-assistant', '--runtime', 'harness', '--prompt', 'x', '--events', 'events.jsonl'],
      cwd,
      env,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.endsWith('Three sources agree: 42.\n')).toBe(true);
    const events = lines(readFileSync(join(cwd, 'events.jsonl'), 'utf8'));
    expect(events.map((e) => e.type).filter((t) => t !== 'text.delta')).toEqual([
      'run.start',
      'turn.start',
      'model.request',
      'model.response',
      'usage',
      'run.end',
    ]);
    expect(
      events
        .filter((e) => e.type === 'text.delta')
        .map((e) => e.text)
        .join(''),
    ).toBe('Three sources agree: 42.');
    expect(events.find((e) => e.type === 'usage')).toMatchObject({ input_tokens: 120, output_tokens: 9 });
    const both = await runCliAsync(
      ['run', 'research-assistant', '--runtime', 'harness', '--prompt', 'x', '--events', '-', '--json'],
      cwd,
      env,
    );
    expect(both.status).toBe(2);
    expect(JSON.parse(both.stdout).error.message).toContain('--events - and --json both want stdout');
  });

  it('AGENTLANG_HARNESS_RECORD then AGENTLANG_HARNESS_REPLAY replays the run without the provider; a changed prompt fails with a diff', async () => {
    const server = await startScriptedServer([{ text: 'Recorded answer.' }]);
    servers.push(server);
    const cwd = makeTempDir();
    cpSync(EXAMPLE, join(cwd, 'research-assistant'), { recursive: true });
    const args = (prompt: string) => ['run', 'research-assistant', '--runtime', 'harness', '--prompt', prompt];
    const rec = await runCliAsync(args('Find it'), cwd, {
      ANTHROPIC_BASE_URL: server.origin,
      ANTHROPIC_API_KEY: 'sk-ant-REC',
      AGENTLANG_HARNESS_RECORD: 'run.jsonl',
    });
    expect(rec.status, rec.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'run.jsonl'), 'utf8')).not.toContain('sk-ant-REC');
    await server.close();
    servers.length = 0;
    const replay = await runCliAsync(args('Find it'), cwd, {
      ANTHROPIC_BASE_URL: server.origin,
      AGENTLANG_HARNESS_REPLAY: 'run.jsonl',
    });
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stdout.endsWith('Recorded answer.\n')).toBe(true);
    const changed = await runCliAsync(args('Find something else'), cwd, {
      ANTHROPIC_BASE_URL: server.origin,
      AGENTLANG_HARNESS_REPLAY: 'run.jsonl',
    });
    expect(changed.status).toBe(4);
    expect(changed.stderr).toContain('no longer matches the recording (- recorded, + this run)');
    expect(changed.stderr).toMatch(/^- .*"content": "Find it"/m);
    expect(changed.stderr).toMatch(/^\+ .*"content": "Find something else"/m);
  });
});
