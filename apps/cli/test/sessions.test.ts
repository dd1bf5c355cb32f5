import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cliPath, DEMO_AGENT, hermeticEnv, makeTempDir, runCliAsync } from '@agentlang/test-helpers';
import { processRunning } from '@agentlang/utils';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ScriptedServer,
  type ScriptStep,
  startScriptedServer,
} from '../../../packages/harness/test/scripted-server.js';

const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'research-assistant');
const KEY = 'sk-ant-session-test-0042';

const servers: ScriptedServer[] = [];
const apis: Server[] = [];
const ptys: ChildProcess[] = [];
afterEach(async () => {
  for (const p of ptys.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const s of servers.splice(0)) await s.close();
  for (const s of apis.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function scripted(steps: ScriptStep[]): Promise<ScriptedServer> {
  const server = await startScriptedServer(steps);
  servers.push(server);
  return server;
}

function setup(): string {
  const cwd = makeTempDir();
  cpSync(EXAMPLE, join(cwd, 'research-assistant'), { recursive: true });
  return cwd;
}

describe('agentlang run --session and agentlang sessions', () => {
  it('the second run sees the first run’s turns; sessions list/show print facts, the turns only with --turns', async () => {
    const server = await scripted([
      { text: 'Hello Ada.', usage: { input: 10, output: 3 } },
      { text: 'Your name is Ada.', usage: { input: 20, output: 4 } },
    ]);
    const cwd = setup();
    const env = { ANTHROPIC_BASE_URL: server.origin, ANTHROPIC_API_KEY: KEY };
    const first = await runCliAsync(
      [
        'run',
        'research-assistant',
        '--runtime',
        'harness',
        '--session',
        'ada',
        '--prompt',
        'My name is Ada. SECRET-TEXT',
      ],
      cwd,
      env,
    );
    expect(first.status, first.stderr).toBe(0);
    const second = await runCliAsync(
      ['run', 'research-assistant', '--runtime', 'harness', '--session', 'ada', '--prompt', 'What is my name?'],
      cwd,
      env,
    );
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout.endsWith('Your name is Ada.\n')).toBe(true);
    const sent = server.requests[1]?.body.messages as Array<{ role: string; content: unknown }>;
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(sent)).toContain('SECRET-TEXT');

    const file = join(cwd, '.agentlang', 'sessions', 'ada.jsonl');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Records stay free of conversation text; the session file is where it lives.
    for (const f of readdirSync(join(cwd, '.agentlang', 'records')))
      expect(readFileSync(join(cwd, '.agentlang', 'records', f), 'utf8')).not.toContain('SECRET-TEXT');

    const list = await runCliAsync(['sessions', 'list'], cwd, {});
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/ada {2}research-assistant@1\.0\.0 {2}2 turns {2}30\/7 tokens/);
    const show = await runCliAsync(['sessions', 'show', 'ada', '--json'], cwd, {});
    const doc = JSON.parse(show.stdout);
    expect(doc.session).toMatchObject({
      id: 'ada',
      agent: 'research-assistant@1.0.0',
      turns: 2,
      messages: 4,
      usage: { inputTokens: 30, outputTokens: 7 },
    });
    expect(doc.messages).toBeUndefined();
    expect(show.stdout).not.toContain('SECRET-TEXT');
    const plain = await runCliAsync(['sessions', 'show', 'ada'], cwd, {});
    expect(plain.stdout).toContain('Turns:    2');
    expect(plain.stdout).not.toContain('SECRET-TEXT');
    const turns = await runCliAsync(['sessions', 'show', 'ada', '--turns', '--json'], cwd, {});
    expect(JSON.parse(turns.stdout).messages).toHaveLength(4);
    const turnsText = await runCliAsync(['sessions', 'show', 'ada', '--turns'], cwd, {});
    expect(turnsText.stdout).toContain('user: My name is Ada. SECRET-TEXT');
  });

  it('a path-traversing session id is a usage error and writes nothing; an unknown session is reported', async () => {
    const cwd = setup();
    const bad = await runCliAsync(
      ['run', 'research-assistant', '--runtime', 'harness', '--session', '../../escape', '--prompt', 'x'],
      cwd,
      {},
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--session');
    expect(existsSync(join(cwd, '.agentlang'))).toBe(false);
    expect(readdirSync(join(cwd, '..')).some((n) => n.startsWith('escape'))).toBe(false);
    const show = await runCliAsync(['sessions', 'show', '../x'], cwd, {});
    expect(show.status).toBe(2);
    const missing = await runCliAsync(['sessions', 'show', 'nope', '--json'], cwd, {});
    expect(missing.status).toBe(2);
    expect(JSON.parse(missing.stdout).error.code).toBe('USAGE_SESSION_NOT_FOUND');
  });

  it('a second run on a session held by a live run is refused and leaves the session as it was', async () => {
    const server = await scripted([{ text: 'one' }]);
    const cwd = setup();
    const env = { ANTHROPIC_BASE_URL: server.origin, ANTHROPIC_API_KEY: KEY };
    expect(
      (
        await runCliAsync(
          ['run', 'research-assistant', '--runtime', 'harness', '--session', 'busy', '--prompt', 'first'],
          cwd,
          env,
        )
      ).status,
    ).toBe(0);
    const file = join(cwd, '.agentlang', 'sessions', 'busy.jsonl');
    const before = readFileSync(file, 'utf8');
    // This test process stands in for the live run holding the session.
    writeFileSync(join(cwd, '.agentlang', 'sessions', 'busy.lock'), String(process.pid));
    const r = await runCliAsync(
      ['run', 'research-assistant', '--runtime', 'harness', '--session', 'busy', '--prompt', 'second'],
      cwd,
      env,
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('is in use by another run');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(server.requests).toHaveLength(1);
  });
});

/** The CLI under a real pseudo-terminal, through util-linux script(1): bytes written go to the terminal, what it prints comes back. */
function startPty(args: string[], cwd: string, env: Record<string, string>) {
  const command = [process.execPath, cliPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
    cwd,
    env: { ...hermeticEnv(), NO_COLOR: '1', TERM: 'dumb', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  ptys.push(child);
  let screen = '';
  const waiters: Array<() => void> = [];
  const onData = (c: Buffer) => {
    screen += c.toString('utf8');
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return {
    child,
    exited,
    get screen() {
      return screen;
    },
    write(text: string) {
      child.stdin.write(text);
    },
    /** Resolves once the screen after `from` holds `text`. */
    async waitFor(text: string, from = 0): Promise<number> {
      for (;;) {
        const at = screen.indexOf(text, from);
        if (at >= 0) return at + text.length;
        if (child.exitCode !== null)
          throw new Error(`the CLI ended before printing ${JSON.stringify(text)}:\n${screen}`);
        await new Promise<void>((r) => waiters.push(r));
      }
    },
  };
}

/** Processes whose command line holds `marker` (none must be left once a test ends). */
function processesWith(marker: string): string {
  return spawnSync('pgrep', ['-af', marker], { encoding: 'utf8' }).stdout.trim();
}

describe.skipIf(spawnSync('script', ['--version']).status !== 0)(
  'agentlang run on a terminal: a conversation (driven through a real pty)',
  () => {
    it('streams answers, Ctrl-C cancels the turn not the session, Ctrl-D ends it; nothing is left running', async () => {
      const server = await scripted([
        { text: 'Hello from the model.' },
        { text: 'partial answer', stall: true },
        { text: 'Still here: you said hi.' },
      ]);
      const cwd = setup();
      const pty = startPty(['run', join(cwd, 'research-assistant'), '--runtime', 'harness', '--session', 'talk'], cwd, {
        ANTHROPIC_BASE_URL: server.origin,
        ANTHROPIC_API_KEY: KEY,
      });
      let at = await pty.waitFor('> ');
      pty.write('hi\r');
      at = await pty.waitFor('Hello from the model.', at);
      at = await pty.waitFor('> ', at);
      pty.write('tell me more\r');
      at = await pty.waitFor('partial answer', at);
      // The model stalls mid-answer: Ctrl-C cancels this turn only.
      pty.write('\x03');
      at = await pty.waitFor('(turn cancelled)', at);
      at = await pty.waitFor('> ', at);
      pty.write('are you there?\r');
      at = await pty.waitFor('Still here: you said hi.', at);
      at = await pty.waitFor('> ', at);
      pty.write('\x04');
      expect(await pty.exited).toBe(0);
      // All three turns went to the model, each with the conversation so far (the session).
      expect(server.requests).toHaveLength(3);
      const last = JSON.stringify(server.requests[2]?.body.messages);
      expect(last).toContain('Hello from the model.');
      expect(last).toContain('are you there?');
      expect(processesWith(cwd)).toBe('');
    });

    it('another runtime on a terminal without --prompt runs once, as before: no conversation', async () => {
      const cwd = makeTempDir();
      writeFileSync(join(cwd, 'demo.agent'), DEMO_AGENT);
      const pty = startPty(['run', join(cwd, 'demo.agent')], cwd, {});
      expect(await pty.exited).toBe(0);
      expect(pty.screen).toContain('[test-echo] demo@0.1.0');
      expect(pty.screen).not.toContain('> ');
      expect(existsSync(join(cwd, '.agentlang', 'sessions'))).toBe(false);
    });

    it('asks approvals inline; a run killed while asking resumes with the call bound to its id and arguments', async () => {
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
        'name: words\nversion: 0.1.0\ndescription: Removes words.\nmodels:\n  gpt-test:\n    provider: openai\nhttp_tools:\n  remove:\n    description: Deletes a word\n    endpoint: /api/words\n    method: DELETE\n    params:\n      word:\n        type: string\n        required: true\n',
      );
      const server = await scripted([
        { toolCalls: [{ id: 'call_rm', name: 'remove', arguments: { word: 'cat' } }] },
        { text: 'Removed cat.' },
      ]);
      const env = { OPENAI_BASE_URL: `${server.origin}/v1`, AGENTLANG_HTTP_BASE_URL: apiBase };
      const pty = startPty(['run', cwd, '--runtime', 'harness', '--session', 'rm'], cwd, env);
      const at = await pty.waitFor('> ');
      pty.write('remove cat\r');
      await pty.waitFor('approve remove (call call_rm) with {"word":"cat"}? [y/N] ', at);
      // The process dies while the question waits (no answer, no clean-up of its own).
      const cli = spawnSync('pgrep', ['-P', String(pty.child.pid)], { encoding: 'utf8' }).stdout.trim();
      expect(cli).toMatch(/^\d+$/);
      process.kill(Number(cli), 'SIGKILL');
      await pty.exited;
      // SIGKILL lands asynchronously: wait until the process has ended (gone, or a zombie nobody reaped yet).
      while (processRunning(Number(cli))) await new Promise((r) => setTimeout(r, 10));
      expect(seen).toEqual([]);
      // The next run on the session answers the call the dead run left waiting, then asks the model again.
      const resumed = await runCliAsync(
        ['run', '.', '--runtime', 'harness', '--session', 'rm', '--approve', 'all'],
        cwd,
        env,
      );
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(seen).toEqual(['DELETE /api/words?word=cat']);
      expect(resumed.stdout).toContain('Removed cat.');
      const sent = server.requests[1]?.body.messages as Array<{ role: string; tool_call_id?: string }>;
      expect(sent.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_rm' });
      expect(sent.filter((m) => m.role === 'user')).toHaveLength(1);
      expect(processesWith(cwd)).toBe('');
    });
  },
);
