import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, rejectedWith, thrownBy } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, type ScriptStep, startScriptedServer } from '../test/scripted-server.js';
import type { ApprovalRequest } from './approval.js';
import { createContextManager } from './context.js';
import { HarnessError } from './errors.js';
import { type HarnessTool, type LoopEvent, runLoop } from './loop.js';
import { createOpenAIClient } from './openai.js';
import {
  createFileSessionStore,
  newSession,
  recordSessionSteps,
  type SessionState,
  validateSessionId,
} from './session.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function model(script: ScriptStep[]) {
  server = await startScriptedServer(script);
  return createOpenAIClient({ model: 'm', baseUrl: `${server.origin}/v1`, retry: { baseDelayMs: 1 } });
}

function echoTool(calls: unknown[] = []): HarnessTool {
  return {
    spec: {
      name: 'echo',
      description: 'Echoes',
      inputSchema: { type: 'object', properties: { say: { type: 'string' } } },
    },
    async execute(args) {
      calls.push(args);
      return { ok: true, content: `echo: ${(args as { say?: string }).say ?? ''}` };
    },
  };
}

/** One run on a session, as the runner does it: load (or start), run with the history, checkpoint every step. */
async function runOnSession(
  dir: string,
  id: string,
  options: Omit<Parameters<typeof runLoop>[0], 'history' | 'onStep'>,
) {
  const store = createFileSessionStore(dir);
  const lease = await store.acquire(id);
  try {
    const state: SessionState = (await store.load(id)) ?? newSession(id, 'demo@1.0.0');
    const result = await runLoop({ ...options, history: state.messages, onStep: recordSessionSteps(store, state) });
    return { result, state };
  } finally {
    lease.release();
  }
}

describe('session ids', () => {
  it.each(['../escape', 'a/b', '..', '.hidden', '-flag', '', 'x'.repeat(129), 'a\\b', 'a\u0000b'])(
    'refuses %j (it names a file)',
    (id) => {
      expect(thrownBy(HarnessError, () => validateSessionId(id)).code).toBe('HARNESS_SESSION_ID');
    },
  );

  it('accepts letters, digits, dot, underscore and dash', () => {
    expect(validateSessionId('review-1.2_x')).toBe('review-1.2_x');
  });

  it('a traversal attempt through every store operation writes and reads nothing outside the directory', async () => {
    const root = makeTempDir();
    const dir = join(root, 'sessions');
    const store = createFileSessionStore(dir);
    const evil = '../../outside';
    expect((await rejectedWith(HarnessError, store.checkpoint(newSessionUnchecked(evil)))).code).toBe(
      'HARNESS_SESSION_ID',
    );
    expect((await rejectedWith(HarnessError, store.load(evil))).code).toBe('HARNESS_SESSION_ID');
    expect((await rejectedWith(HarnessError, store.acquire('../x'))).code).toBe('HARNESS_SESSION_ID');
    expect(readdirSync(root)).toEqual([]);
  });
});

/** A state whose id skipped validation, as a careless caller might build it. */
function newSessionUnchecked(id: string): SessionState {
  const state = newSession('placeholder', 'a');
  state.meta.id = id;
  return state;
}

describe('file session store', () => {
  it('keeps the conversation across runs: the second run sees the first run’s turns', async () => {
    const dir = join(makeTempDir(), 'sessions');
    const m = await model([
      { text: 'Hello Ada.', usage: { input: 10, output: 3 } },
      { text: 'Your name is Ada.', usage: { input: 20, output: 5 } },
    ]);
    const first = await runOnSession(dir, 's1', { model: m, system: 'sys', prompt: 'My name is Ada.' });
    expect(first.result.answer).toBe('Hello Ada.');
    const second = await runOnSession(dir, 's1', { model: m, system: 'sys', prompt: 'What is my name?' });
    expect(second.result.answer).toBe('Your name is Ada.');
    // The second request carried the first run's turns, in order.
    const sent = ((server?.requests[1]?.body.messages ?? []) as Array<{ role: string; content: string }>).filter(
      (x) => x.role !== 'system',
    );
    expect(sent.map((x) => [x.role, x.content])).toEqual([
      ['user', 'My name is Ada.'],
      ['assistant', 'Hello Ada.'],
      ['user', 'What is my name?'],
    ]);
    const stored = await createFileSessionStore(dir).load('s1');
    expect(stored?.meta).toMatchObject({
      id: 's1',
      agent: 'demo@1.0.0',
      turns: 2,
      steps: 2,
      messages: 4,
      usage: { inputTokens: 30, outputTokens: 8 },
      pending: [],
    });
    // The conversation is the user's text: readable by its owner only.
    expect(statSync(join(dir, 's1.jsonl')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual(['s1.jsonl']);
  });

  it('checkpoints after each step: a run stopped waiting for an approval resumes with the call bound to its id and arguments', async () => {
    const dir = makeTempDir();
    const calls: unknown[] = [];
    const m = await model([
      { toolCalls: [{ id: 'call_7', name: 'echo', arguments: { say: 'rm -rf' } }] },
      { text: 'done' },
    ]);
    const asked: ApprovalRequest[] = [];
    const waiting = new Promise<void>((resolve) => {
      // The first process: it asks, then nobody answers (the channel is gone, the process killed).
      void runOnSession(dir, 's2', {
        model: m,
        system: '',
        prompt: 'echo it',
        tools: [echoTool(calls)],
        approval: {
          permissions: { echo: 'always_ask' },
          approve: (r) => {
            asked.push(r);
            resolve();
            return new Promise(() => {});
          },
        },
      });
    });
    await waiting;
    // What a fresh process finds on disk: the call in flight, with its id and arguments.
    const crashed = await createFileSessionStore(dir).load('s2');
    expect(crashed?.meta.pending).toEqual([{ id: 'call_7', name: 'echo', arguments: { say: 'rm -rf' } }]);
    // The lock of the "killed" process is left behind; release it as the dead process's lock would be taken over.
    const { unlinkSync } = await import('node:fs');
    unlinkSync(join(dir, 's2.lock'));

    const resumedAsks: ApprovalRequest[] = [];
    const events: LoopEvent[] = [];
    const second = await runOnSession(dir, 's2', {
      model: m,
      system: '',
      prompt: '',
      tools: [echoTool(calls)],
      onEvent: (e) => events.push(e),
      approval: {
        permissions: { echo: 'always_ask' },
        approve: (r) => {
          resumedAsks.push(r);
          return { approved: true };
        },
      },
    });
    expect(resumedAsks).toEqual([{ callId: 'call_7', toolName: 'echo', arguments: { say: 'rm -rf' } }]);
    expect(calls).toEqual([{ say: 'rm -rf' }]);
    expect(second.result.answer).toBe('done');
    // The model was asked once more, with the result bound to call_7 and no new user message.
    expect(server?.requests).toHaveLength(2);
    const sent = server?.requests[1]?.body.messages as Array<{ role: string; tool_call_id?: string; content: string }>;
    expect(sent.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_7', content: 'echo: rm -rf' });
    expect(sent.filter((x) => x.role === 'user')).toHaveLength(1);
    expect((await createFileSessionStore(dir).load('s2'))?.meta).toMatchObject({ pending: [], turns: 1, messages: 4 });
  });

  it('a run stopped while an approval is asked keeps no result for that call: it stays pending', async () => {
    const dir = makeTempDir();
    const m = await model([{ toolCalls: [{ id: 'call_8', name: 'echo', arguments: { say: 'x' } }] }]);
    const stop = new AbortController();
    const calls: unknown[] = [];
    const { result } = await runOnSession(dir, 's6', {
      model: m,
      system: '',
      prompt: 'go',
      tools: [echoTool(calls)],
      signal: stop.signal,
      approval: {
        permissions: { echo: 'always_ask' },
        approve: () => {
          stop.abort();
          return { approved: false, reason: 'cancelled' };
        },
      },
    });
    expect(result.outcome).toBe('aborted');
    expect(calls).toEqual([]);
    expect(result.messages.map((x) => x.role)).toEqual(['user', 'assistant']);
    expect((await createFileSessionStore(dir).load('s6'))?.meta.pending).toEqual([
      { id: 'call_8', name: 'echo', arguments: { say: 'x' } },
    ]);
  });

  it('compaction state survives a resume: the compacted conversation and its count are what the next run starts from', async () => {
    const dir = makeTempDir();
    const long = (n: number) => `${n} ${'word '.repeat(60)}`;
    const script: ScriptStep[] = Array.from({ length: 6 }, (_, i) => ({
      text: long(i),
      usage: { input: 0, output: 1 },
    }));
    const m = await model(script);
    const context = () =>
      createContextManager({ maxTokens: 400, trigger: 0.5, keepRecent: 2, strategy: 'drop_oldest' });
    for (let i = 0; i < 5; i++)
      await runOnSession(dir, 's3', { model: m, system: '', prompt: `question ${i}`, context: context() });
    const stored = await createFileSessionStore(dir).load('s3');
    expect(stored?.meta.compaction.count).toBeGreaterThan(0);
    expect(stored?.meta.compaction.lastStrategy).toBe('drop_oldest');
    expect(stored?.messages[0]?.content).toContain('[Earlier conversation compacted]');
    expect(stored?.messages.some((x) => x.content === 'question 1')).toBe(false);
    await runOnSession(dir, 's3', { model: m, system: '', prompt: 'last', context: context() });
    // The resumed run sent the compacted conversation, not the dropped turns.
    const sent = JSON.stringify(server?.requests.at(-1)?.body.messages);
    expect(sent).toContain('[Earlier conversation compacted]');
    expect(sent).not.toContain('question 1"');
  });

  it('two runs on one session: the second is refused while the first holds it; a dead holder’s lock is taken over', async () => {
    const dir = makeTempDir();
    const a = createFileSessionStore(dir);
    const b = createFileSessionStore(dir);
    const results = await Promise.allSettled([a.acquire('s4'), b.acquire('s4')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as HarnessError).code).toBe('HARNESS_SESSION_LOCKED');
    expect((refused.reason as HarnessError).details.pid).toBe(process.pid);
    (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ release(): void }>).value.release();
    const again = await b.acquire('s4');
    again.release();
    expect(existsSync(join(dir, 's4.lock'))).toBe(false);
    // A lock left by a process that has exited (a crash) does not block the session forever.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    writeFileSync(join(dir, 's4.lock'), dead);
    const taken = await a.acquire('s4');
    expect(readFileSync(join(dir, 's4.lock'), 'utf8')).toBe(String(process.pid));
    taken.release();
  });

  it('a step appends to the file (same inode); a compaction rewrites it; a write torn by a crash is left out and never joined', async () => {
    const dir = makeTempDir();
    const store = createFileSessionStore(dir);
    const state = newSession('s7', 'a');
    state.messages = [{ role: 'user', content: 'one' }];
    await store.checkpoint(state);
    const file = join(dir, 's7.jsonl');
    const inode = statSync(file).ino;
    state.messages = [...state.messages, { role: 'assistant', content: 'two' }];
    state.meta.turns = 1;
    await store.checkpoint(state);
    expect(statSync(file).ino).toBe(inode);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(4);
    expect(await createFileSessionStore(dir).load('s7')).toMatchObject({
      meta: { turns: 1, messages: 2 },
      messages: state.messages,
    });
    // A compaction makes new message objects: the file is replaced whole.
    state.messages = [{ role: 'user', content: 'one (compacted)' }];
    await store.checkpoint(state);
    expect(statSync(file).ino).not.toBe(inode);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    // A crash mid-append leaves a line without its newline: loading leaves it out…
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"role":"assistant","content":"tor`);
    const fresh = createFileSessionStore(dir);
    const loaded = await fresh.load('s7');
    expect(loaded?.messages).toEqual([{ role: 'user', content: 'one (compacted)' }]);
    // …and the next checkpoint rewrites the file instead of appending to the fragment.
    loaded?.messages.push({ role: 'assistant', content: 'three' });
    await fresh.checkpoint(loaded as SessionState);
    expect((await createFileSessionStore(dir).load('s7'))?.messages.map((m) => m.content)).toEqual([
      'one (compacted)',
      'three',
    ]);
  });

  it('a corrupt session is an error naming the file; list skips foreign files and sorts by update time', async () => {
    const dir = makeTempDir();
    const store = createFileSessionStore(dir);
    writeFileSync(join(dir, 'bad.jsonl'), 'not json\n');
    expect((await rejectedWith(HarnessError, store.load('bad'))).code).toBe('HARNESS_SESSION_CORRUPT');
    const older = newSession('old', 'a', new Date('2026-01-01T00:00:00Z'));
    const newer = newSession('new', 'b', new Date('2026-02-01T00:00:00Z'));
    await store.checkpoint(older);
    await store.checkpoint(newer);
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect((await store.list()).map((s) => s.id)).toEqual(['new', 'old']);
    expect(await store.load('missing')).toBeUndefined();
  });
});
