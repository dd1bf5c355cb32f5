import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../test/scripted-server.js';
import { createAnthropicClient } from './anthropic.js';
import type { HarnessError } from './errors.js';
import { type HarnessTool, type LoopEvent, runLoop } from './loop.js';
import { createOpenAIClient } from './openai.js';
import { lineDiff, readRecording, recordingClient, replayClient } from './replay.js';

let server: ScriptedServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const echo: HarnessTool = {
  spec: { name: 'echo', description: 'Echoes', inputSchema: { type: 'object' } },
  execute: async (args) => ({ ok: true, content: `echo ${JSON.stringify(args)}` }),
};

const SCRIPT: ScriptStep[] = [
  { toolCalls: [{ id: 'c1', name: 'echo', arguments: { say: 'hi' } }] },
  { text: 'It said hi, twice over.' },
];

describe.each([
  ['openai', true],
  ['anthropic', true],
  ['openai', false],
  ['anthropic', false],
] as const)('record and replay over %s (stream %s)', (protocol, stream) => {
  async function record(): Promise<{ file: string; events: LoopEvent[]; answer: string }> {
    server = await startScriptedServer(SCRIPT);
    const client =
      protocol === 'openai'
        ? createOpenAIClient({
            model: 'm',
            baseUrl: `${server.origin}/v1`,
            apiKey: 'sk-REC-KEY',
            stream,
            retry: { baseDelayMs: 1 },
          })
        : createAnthropicClient({
            model: 'm',
            baseUrl: server.origin,
            apiKey: 'sk-REC-KEY',
            stream,
            retry: { baseDelayMs: 1 },
          });
    dir = mkdtempSync(join(tmpdir(), 'agentlang-replay-'));
    const file = join(dir, 'run.jsonl');
    const events: LoopEvent[] = [];
    const r = await runLoop({
      model: recordingClient(client, { file }),
      system: 'sys',
      prompt: 'Say hi',
      tools: [echo],
      onEvent: (e) => events.push(e),
    });
    await server.close();
    server = undefined;
    return { file, events, answer: r.answer };
  }

  it('replays a recorded run without the provider: same answer, same events, no key in the file', async () => {
    const recorded = await record();
    expect(readFileSync(recorded.file, 'utf8')).not.toContain('sk-REC-KEY');
    const recording = readRecording(recorded.file);
    expect(recording).toMatchObject({ format: 'agentlang.model-recording/v1', protocol, model: 'm' });
    expect(recording.exchanges).toHaveLength(2);
    const events: LoopEvent[] = [];
    // The server is closed: every answer comes from the recording.
    const r = await runLoop({
      model: replayClient(recorded.file),
      system: 'sys',
      prompt: 'Say hi',
      tools: [echo],
      onEvent: (e) => events.push(e),
    });
    expect(r.outcome).toBe('completed');
    expect(r.answer).toBe(recorded.answer);
    expect(r.answer).toBe('It said hi, twice over.');
    expect(events).toEqual(recorded.events);
  });

  it('fails loudly with a diff when the run sends a request the recording does not hold', async () => {
    const recorded = await record();
    const changed: HarnessTool = { ...echo, execute: async () => ({ ok: true, content: 'a different tool result' }) };
    const run = runLoop({ model: replayClient(recorded.file), system: 'sys', prompt: 'Say hi', tools: [changed] });
    const error = (await run.catch((e: unknown) => e)) as HarnessError;
    expect(error.code).toBe('HARNESS_REPLAY_MISMATCH');
    expect(error.message).toContain('model request 2 no longer matches the recording');
    expect(error.message).toMatch(/^- .*echo \{\\"say\\":\\"hi\\"\}/m);
    expect(error.message).toMatch(/^\+ .*a different tool result/m);
    expect(error.details).toMatchObject({ request: 2 });
  });

  it('fails when the run asks the model more often than the recorded one did', async () => {
    const recorded = await record();
    const rec = readRecording(recorded.file);
    rec.exchanges = rec.exchanges.slice(0, 1);
    const error = (await runLoop({ model: replayClient(rec), system: 'sys', prompt: 'Say hi', tools: [echo] }).catch(
      (e: unknown) => e,
    )) as HarnessError;
    expect(error.code).toBe('HARNESS_REPLAY_MISMATCH');
    expect(error.message).toContain('model request 2 has no recorded exchange (the recording holds 1)');
  });
});

describe('lineDiff', () => {
  it('marks removed and added lines and elides unchanged ones far from a change', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].join('\n');
    const b = ['1', '2', '3', '4', '5', '6', '7', 'X', '9'].join('\n');
    expect(lineDiff(a, b, 1)).toBe(['  …', '  7', '- 8', '+ X', '  9'].join('\n'));
  });

  it('refuses a file that is not a recording', () => {
    dir = mkdtempSync(join(tmpdir(), 'agentlang-replay-'));
    const file = join(dir, 'x.jsonl');
    expect(() => readRecording(file)).toThrow(expect.objectContaining({ code: 'HARNESS_REPLAY' }));
  });
});
