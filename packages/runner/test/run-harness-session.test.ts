import { createFileSessionStore } from '@agentlang/harness';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { runAgent, sessionsDirFor } from '@agentlang/runner';
import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../../harness/test/scripted-server.js';
import { sink } from './plan-fixture.js';

// Issue 13 §2: `harness.session` — the conversation kept across runAgent calls, and a JSONL approval
// channel that closes while a call waits leaves that call pending for the next run.

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const AGENT =
  'name: words\nversion: 1.0.0\nmodels:\n  gpt-test:\n    provider: openai\nhttp_tools:\n  remove:\n    endpoint: /words\n    method: DELETE\n    params:\n      word: { type: string, required: true }\n';

describe('runAgent with harness.session', () => {
  it('a JSONL channel closed while a call waits stops the run; the next run answers that call, bound to its id and arguments', async () => {
    const server = await startScriptedServer([
      { toolCalls: [{ id: 'c9', name: 'remove', arguments: { word: 'cat' } }] },
      { text: 'kept it' },
    ] satisfies ScriptStep[]);
    servers.push(server);
    const dir = writeTree(makeTempDir(), { 'agent.yaml': AGENT });
    const env = {
      PATH: process.env.PATH,
      OPENAI_BASE_URL: `${server.origin}/v1`,
      AGENTLANG_HTTP_BASE_URL: 'http://127.0.0.1:9',
    };
    const input = new PassThrough();
    const output = new PassThrough();
    // The embedder goes away as soon as it is asked: its end of the channel closes.
    createInterface({ input: output }).once('line', () => input.end());
    const first = await runAgent(dir, {
      runtime: 'harness',
      cwd: dir,
      env,
      userPrompt: 'Remove cat',
      stdout: sink(),
      stderr: sink(),
      harness: { approval: { jsonl: { input, output } }, session: { id: 'w1' } },
    });
    expect(first.harness?.outcome).toBe('aborted');
    const stored = await createFileSessionStore(sessionsDirFor(dir)).load('w1');
    expect(stored?.meta.pending).toEqual([{ id: 'c9', name: 'remove', arguments: { word: 'cat' } }]);

    const asked: Array<{ call_id: string; arguments: unknown }> = [];
    const input2 = new PassThrough();
    const output2 = new PassThrough();
    createInterface({ input: output2 }).on('line', (line) => {
      const request = JSON.parse(line);
      asked.push({ call_id: request.call_id, arguments: request.arguments });
      input2.write(
        `${JSON.stringify({ type: 'approval', call_id: request.call_id, approved: false, reason: 'not today' })}\n`,
      );
    });
    const second = await runAgent(dir, {
      runtime: 'harness',
      cwd: dir,
      env,
      userPrompt: '',
      stdout: sink(),
      stderr: sink(),
      harness: { approval: { jsonl: { input: input2, output: output2 } }, session: { id: 'w1' } },
    });
    input2.end();
    expect(second.harness?.outcome).toBe('completed');
    expect(second.harness?.session).toEqual({ id: 'w1', turns: 1, messages: 4 });
    expect(asked).toEqual([{ call_id: 'c9', arguments: { word: 'cat' } }]);
    // One model request per run: the resumed run sent the decision bound to c9, and no second user message.
    expect(server.requests).toHaveLength(2);
    const sent = server.requests[1]!.body.messages as Array<{ role: string; tool_call_id?: string; content: string }>;
    expect(sent.filter((m) => m.role === 'user')).toHaveLength(1);
    expect(sent.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'c9' });
    expect(JSON.parse(sent.at(-1)!.content)).toEqual({ error: { kind: 'denied', message: 'not today' } });
  });
});
