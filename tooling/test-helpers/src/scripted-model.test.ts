import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, writeTree } from './temp.js';

// The built entry the Quick start demo starts (`pnpm build` makes it), spawned as the demo does.
const entry = join(__dirname, '..', 'dist', 'scripted-model.js');
type Child = ChildProcessByStdio<null, Readable, Readable>;
const children: Child[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) await stop(c);
});

function start(args: string[]): {
  child: Child;
  stdout: Promise<string>;
  exit: Promise<number | null>;
  stderr: () => string;
} {
  if (!existsSync(entry)) throw new Error(`${entry} is missing; run \`pnpm build\` first`);
  const child = spawn(process.execPath, [entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stdout = new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('\n')) resolve(out);
    });
    child.on('exit', () => resolve(out));
  });
  return { child, stdout, exit, stderr: () => err };
}

async function stop(child: Child): Promise<number | null> {
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return done;
}

describe("dist/scripted-model.js (the demo's model server)", () => {
  it('prints its 127.0.0.1 origin, serves the script in both protocols (streamed and whole), and stops cleanly on SIGTERM', async () => {
    const dir = writeTree(makeTempDir(), {
      'script.json': JSON.stringify([{ text: 'Hello from the script.' }, { text: 'Second answer.' }]),
    });
    const s = start(['--script', join(dir, 'script.json')]);
    const origin = (await s.stdout).trim();
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const whole = await fetch(`${origin}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    expect(await whole.json()).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'Hello from the script.' }],
      stop_reason: 'end_turn',
    });
    const streamed = await fetch(`${origin}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [], stream: true }),
    });
    const sse = await streamed.text();
    const pieces = [...sse.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]).join('');
    expect(pieces).toBe('Second answer.');
    expect(sse.trimEnd().endsWith('data: [DONE]')).toBe(true);
    // Past the end of the script: an error, not a hang.
    expect((await fetch(`${origin}/v1/messages`, { method: 'POST', body: '{}' })).status).toBe(500);
    expect(await stop(s.child)).toBe(0);
    await expect(fetch(`${origin}/v1/messages`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('refuses a missing or malformed script with exit 2 and a message saying what is expected', async () => {
    const dir = writeTree(makeTempDir(), { 'bad.json': '{"text":"not an array"}' });
    const none = start([]);
    expect(await none.exit).toBe(2);
    expect(none.stderr()).toContain('--script FILE is required');
    const bad = start(['--script', join(dir, 'bad.json')]);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toContain('must hold a JSON array of step objects, e.g. [{"text":"Hello"}]');
  });
});
