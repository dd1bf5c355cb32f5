// The harness loop (issue 12): overhead per step of runLoop over the same HTTP round trips without
// the loop. A scripted OpenAI-compatible server (a child process on 127.0.0.1, streaming SSE)
// answers with a tool call until the conversation holds `steps - 1` tool results, then with text.
// Floor: the same requests (the same bodies, byte for byte, recorded from a loop run) sent with
// fetch and each streamed body read to its end. Loop: runLoop with a no-op tool. Interleaved per
// round, medians; reported at 2 and 30 steps (the target: <= 50 us per step, flat).
// AGENTLANG_BENCH_ROUNDS sets the rounds (default 15).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, root, row } from '../harness.js';

const SUITE = 'harness';
const dist = (pkg) => pathToFileURL(join(root, `packages/${pkg}/dist/index.js`)).href;

const SERVER = `
import { createServer } from 'node:http';
const steps = Number(process.argv[1]);
let n = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString());
    const done = body.messages.filter((m) => m.role === 'tool').length >= steps - 1;
    n++;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta, finish = null) => 'data: ' + JSON.stringify({ id: 'c' + n, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] }) + '\\n\\n';
    let out = chunk({ role: 'assistant', content: '' });
    if (done) out += chunk({ content: 'The answer.' }) + chunk({}, 'stop');
    else out += chunk({ tool_calls: [{ index: 0, id: 'call_' + n, type: 'function', function: { name: 'noop', arguments: '' } }] }) + chunk({ tool_calls: [{ index: 0, function: { arguments: '{"i":' + n + '}' } }] }) + chunk({}, 'tool_calls');
    out += 'data: ' + JSON.stringify({ id: 'c' + n, choices: [], usage: { prompt_tokens: 10, completion_tokens: 3 } }) + '\\n\\n' + 'data: [DONE]\\n\\n';
    res.end(out);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write('URL http://127.0.0.1:' + server.address().port + '\\n'));
`;

function startServer(steps) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER, String(steps)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /^URL (\S+)$/m.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
  });
}

async function measure(harness, steps, rounds) {
  const { child, url } = await startServer(steps);
  try {
    const model = harness.createOpenAIClient({ model: 'bench', baseUrl: `${url}/v1` });
    const noop = { spec: { name: 'noop', description: 'does nothing', inputSchema: { type: 'object' } }, execute: async () => ({ ok: true, content: 'ok' }) };
    const loop = () => harness.runLoop({ model, system: 'You are a benchmark.', prompt: 'Go.', tools: [noop], limits: { maxTurns: steps + 1, maxRepeats: 1000 } });
    // The floor sends exactly the bodies the loop sends.
    const sample = await loop();
    if (sample.outcome !== 'completed' || sample.turns !== steps) throw new Error(`loop ended ${sample.outcome} after ${sample.turns} turns`);
    const bodies = [];
    for (let i = 0; i < sample.messages.length; i++) {
      if (sample.messages[i].role !== 'assistant') continue;
      const messages = harness.toOpenAIMessages('You are a benchmark.', sample.messages.slice(0, i));
      bodies.push(JSON.stringify({ model: 'bench', messages, tools: [{ type: 'function', function: { name: 'noop', description: 'does nothing', parameters: { type: 'object' } } }], stream: true, stream_options: { include_usage: true } }));
    }
    const floor = async () => {
      for (const body of bodies) {
        const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.text();
      }
    };
    const t = { floor: [], loop: [] };
    for (let i = 0; i < rounds + 3; i++) {
      for (const [label, fn] of [
        ['floor', floor],
        ['loop', loop],
      ]) {
        const start = process.hrtime.bigint();
        await fn();
        if (i >= 3) t[label].push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
    return { floor: median(t.floor), loop: median(t.loop) };
  } finally {
    child.kill('SIGKILL');
  }
}

export async function run() {
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 15);
  const harness = await import(dist('harness'));
  const rows = [];
  for (const steps of [2, 30]) {
    const { floor, loop } = await measure(harness, steps, rounds);
    const perStepUs = ((loop - floor) / steps) * 1000;
    rows.push(
      row(SUITE, `loop overhead per step, ${steps} steps (µs)`, {
        value: perStepUs.toFixed(0),
        unit: 'µs',
        ratio: loop / floor,
        target: '≤ 50 µs per step',
        pass: perStepUs <= 50,
        note: `loop ${loop.toFixed(2)} ms vs the same ${steps} HTTP round trips ${floor.toFixed(2)} ms (medians of ${rounds})`,
      }),
    );
  }
  return rows;
}
